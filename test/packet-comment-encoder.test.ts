/**
 * The pcapng writer encodes packet comments straight into the block, without building the string. The
 * string form (packetComment, the documented contract) is the reference: for every kind of value the
 * bytes must be exactly its UTF-8, and a written file must carry exactly it.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_FAST_COMMENT_BYTES, PacketCommentEncoder, packetComment } from '../src/capture/packet-comment.js';
import { createCaptureWriter } from '../src/capture/capture-writer.js';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import type { CtracePacket, DiscardReason } from '../src/model/trace-packet.js';
import { ipv4Udp, tracePacket } from './support/tshark.js';

/** mulberry32, so a failure names a packet that can be rebuilt. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SHARED_FLAGS = Object.freeze(['outbound', 'discarded']) as string[];
const SHARED_DISCARD: DiscardReason = Object.freeze({ code: 4114, name: 'IP_MAC_BRDCST', layer: 'interface and IP', description: null });
const NAMES = ['MPC IP AQENET', 'LCS  Ethernet', 'OSA\u00c9TH', 'tab\there', '', 'Ünïcödé ✓', 'x'.repeat(40)];
const NUMBERS = [0, 1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];

/** Extras as decoders give them (IDS correlator and rule, OSA device, job), and the odd values they might. */
const EXTRAS: ((pick: <T>(items: readonly T[]) => T) => Record<string, string | number>)[] = [
  (pick) => ({ ids: '03020002', type: 'scan', correlator: pick(NUMBERS), rule: pick(NAMES), job: 'TCPIP' }),
  (pick) => ({ osa_device: '00-01-00-02', 'rule name': pick(NAMES) }),
  () => ({ odd: -7, fraction: 0.5, huge: 1e21, notANumber: NaN, infinite: -Infinity, 'a=b c': '' }),
  () => ({ long: 'y'.repeat(900) }),
];

function packetFrom(seed: number): CtracePacket {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const maybe = <T>(value: T): T | null => (next() < 0.3 ? null : value);
  const data = ipv4Udp(Math.floor(next() * 100)).subarray(0, 20 + Math.floor(next() * 80));
  return tracePacket({
    data,
    originalLength: next() < 0.5 ? data.length : data.length + pick(NUMBERS),
    ctrace: {
      recordNumber: pick(NUMBERS),
      formatId: pick(NUMBERS),
      deviceName: maybe(pick(NAMES)),
      deviceType: maybe(Math.floor(next() * 256)),
      flagNames: next() < 0.5 ? SHARED_FLAGS : pick([[], ['out bound'], ['a', 'b c']]),
      asid: maybe(pick([0, 0x3e, 0xffff, 0x12345])),
      tcb: maybe(pick([0, 0x7ff0e8, 0xffffffff, 2 ** 33 + 5])),
      traceCount: maybe(pick(NUMBERS)),
      discard: next() < 0.5 ? null : pick([SHARED_DISCARD, { code: 8215, name: null, layer: 'TCP', description: null }]),
      truncated: next() < 0.3,
      segments: next() < 0.7 ? null : { received: pick(NUMBERS), incomplete: next() < 0.5 },
      extra: next() < 0.5 ? {} : pick(EXTRAS)(pick),
    },
  });
}

describe('PacketCommentEncoder', () => {
  it('writes exactly the UTF-8 bytes of packetComment, for every kind of value', () => {
    const encoder = new PacketCommentEncoder();
    const target = Buffer.alloc(MAX_FAST_COMMENT_BYTES + 16, 0xee);
    let fast = 0;
    for (let seed = 1; seed <= 5000; seed++) {
      const packet = packetFrom(seed);
      const expected = Buffer.from(packetComment(packet)!, 'utf8');
      if (!encoder.prepare(packet)) {
        expect(expected.length, `seed ${seed}: only a long comment takes the string path`).to.be.greaterThan(MAX_FAST_COMMENT_BYTES / 2);
        continue;
      }
      fast++;
      const length = encoder.write(packet, target, 8);
      expect(target.subarray(8, 8 + length).toString('utf8'), `seed ${seed}`).to.equal(expected.toString('utf8'));
      expect(Buffer.compare(target.subarray(8, 8 + length), expected), `seed ${seed}`).to.equal(0);
      expect(target[7], 'nothing written before the offset').to.equal(0xee);
    }
    expect(fast).to.be.greaterThan(4000);
  });

  it('a packet without CTRACE facts has no comment to encode', () => {
    const packet = { ...tracePacket({ data: ipv4Udp(4) }), ctrace: null };
    expect(new PacketCommentEncoder().prepare(packet)).to.equal(false);
  });

  it('the pcapng file carries exactly packetComment on each packet, by either path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-comment-'));
    try {
      const path = join(dir, 'comments.pcapng');
      const writer = await createCaptureWriter(path, { format: 'pcapng', timePrecision: 'ns', userAppl: 'test', leapSeconds: 0 });
      const packets = Array.from({ length: 400 }, (_, i) => packetFrom(10_000 + i));
      for (const packet of packets) await writer.write(packet);
      await writer.close();
      const comments: (string | null)[] = [];
      for await (const frame of readCaptureFile(path)) comments.push(frame.comment);
      expect(comments).to.deep.equal(packets.map((p) => packetComment(p)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
