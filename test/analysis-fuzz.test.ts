/**
 * A seeded mutation fuzzer for the analysis. The packets of real captures (tcpdump between network
 * namespaces) and of the sample data sets go through the report's analysis with some of them damaged
 * where the analyzers look: IP and TCP header fields and options, the application payload (DNS, FTP,
 * DHCP, TLS...), bytes cut short or added past the IP length, times that jump back or repeat, the
 * direction turned round, packets repeated, CTRACE facts (trace count, discard code) changed. No
 * exception may escape, every packet is counted, and the report renders as JSON and HTML.
 *
 * The trace-level fuzzer (fuzz.test.ts) mostly breaks entries before they become packets; this one
 * reaches the analyzers with packets that are whole but wrong, as a damaged network or a hostile host
 * sends them. ZCTRACE_FUZZ_ITERATIONS=N (shared with it) runs N/5 analyses here (default 400);
 * ZCTRACE_FUZZ_SEED=S starts from another seed. A failure names the seed and iteration that reproduce it.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TracePacket } from '../src/model/trace-packet.js';
import { openPacketSource } from '../src/input/packet-source.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { AnalysisPipeline } from '../src/analysis/analysis-pipeline.js';
import { DEFAULT_THRESHOLDS, withOverrides } from '../src/analysis/thresholds.js';
import { renderJson } from '../src/report/render-json.js';
import { renderHtml } from '../src/report/render-html.js';
import { Random } from './support/seeded-random.js';

const ANALYSES = Math.max(1, Math.round(Number(process.env['ZCTRACE_FUZZ_ITERATIONS'] ?? 2000) / 5));
const BASE_SEED = Number(process.env['ZCTRACE_FUZZ_SEED'] ?? 0x5eed);
/** Every this many analyses the HTML report is rendered too. */
const HTML_EVERY = 20;
/** Bytes from the start of a packet where the headers (Ethernet, IP, TCP/UDP and options) lie. */
const HEADER_BYTES = 80;

const ROOT = new URL('..', import.meta.url).pathname;
const CAPTURE_DIRS = ['test/fixtures', 'test/fixtures/tcp', 'samples', 'samples/scenarios'];

interface Capture {
  name: string;
  packets: TracePacket[];
}

/** Every packet of a capture, its bytes copied (the readers reuse theirs). */
async function loadCapture(path: string): Promise<TracePacket[]> {
  const source = await openPacketSource(path, DEFAULT_READ_OPTIONS);
  const packets: TracePacket[] = [];
  for await (const packet of source.packets()) packets.push({ ...packet, data: packet.data.slice() });
  return packets;
}

type PacketMutation = (packet: TracePacket, random: Random, previous: TracePacket | null) => string;

/** Byte values that sit on the edges of header fields: version/IHL, lengths, flags, offsets. */
const NASTY_BYTES = [0x00, 0xff, 0x45, 0x46, 0x4f, 0x60, 0x0f, 0xf0, 0x80, 0x7f, 0x01];

const MUTATIONS: Record<string, PacketMutation> = {
  headerBits(packet, random) {
    const count = 1 + random.below(4);
    const span = Math.min(packet.data.length, HEADER_BYTES);
    for (let i = 0; i < count && span > 0; i++) packet.data[random.below(span)]! ^= 1 << random.below(8);
    return `${count} header bit flips`;
  },
  headerByte(packet, random) {
    if (packet.data.length === 0) return 'empty';
    const at = random.below(Math.min(packet.data.length, HEADER_BYTES));
    packet.data[at] = random.next() < 0.7 ? random.pick(NASTY_BYTES) : random.below(256);
    return `header byte ${at} set to ${packet.data[at]}`;
  },
  payloadRun(packet, random) {
    if (packet.data.length <= 20) return 'no payload';
    const at = 20 + random.below(packet.data.length - 20);
    const length = 1 + random.below(32);
    packet.data.fill(random.pick([0x00, 0xff, 0x2e, 0x20, 0x0d, random.below(256)]), at, at + length);
    return `payload run of ${length} at ${at}`;
  },
  cutShort(packet, random) {
    const length = random.below(packet.data.length + 1);
    packet.data = packet.data.subarray(0, length);
    return `cut to ${length} bytes (original length kept)`;
  },
  bytesAdded(packet, random) {
    const extra = Uint8Array.from({ length: 1 + random.below(64) }, () => random.below(256));
    const data = new Uint8Array(packet.data.length + extra.length);
    data.set(packet.data);
    data.set(extra, packet.data.length);
    packet.data = data;
    packet.originalLength = Math.max(packet.originalLength, data.length);
    return `${extra.length} bytes added`;
  },
  timeJump(packet, random, previous) {
    const choice = random.below(3);
    if (choice === 0 && previous !== null) {
      packet.timeSec = previous.timeSec;
      packet.timeNsec = previous.timeNsec;
      return 'same time as the packet before';
    }
    packet.timeSec = Math.max(0, packet.timeSec + (choice === 1 ? -1 - random.below(3600) : 1 + random.below(86_400)));
    return `time moved to ${packet.timeSec}`;
  },
  direction(packet, random) {
    packet.direction = random.pick(['inbound', 'outbound', 'unknown'] as const);
    return `direction ${packet.direction}`;
  },
  ctraceFacts(packet, random) {
    const meta = packet.ctrace;
    if (meta === null) return 'no CTRACE facts';
    const code = random.pick([1, 4114, 8215, 0x7fff, random.below(0x10000)]);
    packet.ctrace = {
      ...meta,
      traceCount: random.pick([null, 0, 1, 0xffffffff, random.below(2 ** 32)]),
      discard: random.next() < 0.5 ? null : { code, name: null, layer: 'IP', description: null },
    };
    return `trace count ${packet.ctrace.traceCount}, discard ${packet.ctrace.discard?.code ?? 'none'}`;
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

describe(`fuzz: ${ANALYSES} analyses of real captures with damaged packets (seed ${BASE_SEED})`, function () {
  this.timeout(Math.max(300_000, ANALYSES * 1000));
  let captures: Capture[];

  before(async () => {
    captures = [];
    for (const dir of CAPTURE_DIRS) {
      for (const name of readdirSync(join(ROOT, dir)).sort()) {
        if (!/\.(pcap|bin)$/.test(name)) continue;
        captures.push({ name: `${dir}/${name}`, packets: await loadCapture(join(ROOT, dir, name)) });
      }
    }
    expect(captures.length).to.be.at.least(25);
  });

  it('no exception escapes the analysis, every packet is counted, and the report renders', () => {
    let mutated = 0;
    for (let iteration = 0; iteration < ANALYSES; iteration++) {
      const seed = (BASE_SEED + 0x10000 + iteration) >>> 0;
      const random = new Random(seed);
      const capture = random.pick(captures);
      const share = random.pick([0.02, 0.1, 0.3, 1]);
      // Checksums checked in a quarter of the runs: that path reads the whole segment.
      const thresholds = random.next() < 0.25 ? withOverrides({ checkChecksums: 1 }) : DEFAULT_THRESHOLDS;
      const analysis = new AnalysisPipeline(thresholds);
      const applied: string[] = [];
      let fed = 0;
      let previous: TracePacket | null = null;
      const reproduce = (): string => `ZCTRACE_FUZZ_SEED=${BASE_SEED} analysis ${iteration} (seed ${seed}) of ${capture.name}: ${applied.slice(0, 20).join('; ')}`;
      try {
        for (const original of capture.packets) {
          const packet: TracePacket = { ...original, data: original.data.slice() };
          let copies = 1;
          if (random.next() < share) {
            const name = random.pick(MUTATION_NAMES);
            applied.push(`packet ${fed + 1} ${name}: ${MUTATIONS[name]!(packet, random, previous)}`);
            mutated++;
            if (random.next() < 0.1) copies = 2;
          }
          for (let copy = 0; copy < copies; copy++) {
            analysis.observe(packet, 0);
            fed++;
          }
          previous = packet;
        }
        const report = analysis.finish([{ path: capture.name, kind: capture.name.endsWith('.bin') ? 'ctrace' : 'pcap', summary: null }]);
        expect(report.overview.packets).to.equal(fed);
        expect(JSON.parse(renderJson(report)).overview.packets).to.equal(fed);
        if (iteration % HTML_EVERY === 0) expect(renderHtml(report)).to.match(/<\/html>\s*$/);
      } catch (error) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        throw new Error(`analysis fuzz failure: ${reproduce()}\n${detail}`, { cause: error });
      }
    }
    expect(mutated, 'the runs damaged packets').to.be.greaterThan(ANALYSES);
  });
});
