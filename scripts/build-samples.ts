/**
 * Builds samples/: the real traffic in test/fixtures (captured by tcpdump between two network namespaces)
 * re-expressed as the SYSTCPDA packet trace the stack in namespace zct-a would have written, in each of the
 * four shapes a download can take. Run with `npm run gen:samples` (`-- --out DIR` to write elsewhere);
 * the output is deterministic.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildDataSet, packetEntriesFromFrames, readFrames, SAMPLE_FRAMINGS, type TracedFrame } from '../test/support/trace-from-capture.js';
import { idsSample, osaentaSample } from '../test/support/component-samples.js';
import { buildDataTraceSample } from '../test/support/data-trace-samples.js';
import { SCENARIO_SAMPLES, scenarioSamplesReadme } from '../test/support/scenario-samples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const LOCAL_ADDRESSES = ['198.51.100.1', '2001:db8:0:0:0:0:0:1'];
/** The passive FTP data port of the fixture: traced with ABBREV=128, as a PKTTRACE filter on it would. */
const FTP_DATA_PORT = 30021;
const FTP_DATA_ABBREV = 128;
/** Shown as discarded: the HTTP segments the receiving namespace dropped (retransmitted later). */
const DEMO_DISCARD_CODE = 4101;

function key(t: TracedFrame): string {
  const tcp = t.ip.subarray((t.ip[0]! & 0x0f) * 4);
  const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
  return `${t.facts.source}:${t.facts.sourcePort}>${t.facts.destination}:${t.facts.destinationPort}#${seq}`;
}

async function main(): Promise<void> {
  const frames = [
    ...(await readFrames(`${root}test/fixtures/real-mixed.pcap`)),
    ...(await readFrames(`${root}test/fixtures/real-tcp-ipv4.pcap`)),
  ].sort((a, b) => a.timeSec - b.timeSec || a.timeNsec - b.timeNsec);

  // A first pass finds the inbound data segments that were sent again later: the originals were dropped.
  const seen = new Map<string, number>();
  const dropped = new Set<number>();
  packetEntriesFromFrames(frames, {
    localAddresses: LOCAL_ADDRESSES,
    decorate(t, index) {
      if (t.facts.protocol === 6 && !t.outbound && t.ip.length > 60 + 20) {
        const k = key(t);
        const first = seen.get(k);
        if (first === undefined) seen.set(k, index);
        else dropped.add(first);
      }
      return {};
    },
  });

  const entries = packetEntriesFromFrames(frames, {
    localAddresses: LOCAL_ADDRESSES,
    decorate(t, index) {
      const ftpData = t.facts.sourcePort === FTP_DATA_PORT || t.facts.destinationPort === FTP_DATA_PORT;
      return {
        ...(ftpData && t.ip.length > FTP_DATA_ABBREV ? { truncateTo: FTP_DATA_ABBREV, padByte: false } : {}),
        ...(dropped.has(index) ? { fields: { discardCode: DEMO_DISCARD_CODE } } : {}),
      };
    },
  });

  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? process.argv[outIndex + 1]! : `${root}samples`;
  mkdirSync(outDir, { recursive: true });
  for (const framing of SAMPLE_FRAMINGS) {
    const path = join(outDir, `packet-trace-${framing}.bin`);
    const bytes = buildDataSet(entries, framing);
    writeFileSync(path, bytes);
    process.stdout.write(`${path}: ${frames.length} packets, ${dropped.size} discarded, ${bytes.length} bytes\n`);
  }
  // SYSTCPOT (OSAENTA) and SYSTCPIS (IDS) samples: see test/support/component-samples.ts.
  for (const [name, bytes] of [
    ['osaenta-trace.bin', await osaentaSample()],
    ['ids-trace.bin', idsSample()],
    // SYSTCPDA packet trace and data trace of job FTPD1: see test/support/data-trace-samples.ts.
    ['data-trace.bin', await buildDataTraceSample()],
  ] as const) {
    writeFileSync(join(outDir, name), bytes);
    process.stdout.write(`${join(outDir, name)}: ${bytes.length} bytes\n`);
  }
  // One data set per case of spec/scenarios.md, and their README: see test/support/scenario-samples.ts.
  const scenarioDir = join(outDir, 'scenarios');
  mkdirSync(scenarioDir, { recursive: true });
  for (const sample of SCENARIO_SAMPLES) writeFileSync(join(scenarioDir, sample.file), sample.build());
  writeFileSync(join(scenarioDir, 'README.md'), scenarioSamplesReadme());
  process.stdout.write(`${scenarioDir}: ${SCENARIO_SAMPLES.length} scenario samples\n`);
}

await main();
