/**
 * Packets the time-order window holds keep their bytes while the reader reuses its buffers: the window
 * keeps views of the read buffers and copies a held packet only when the reader says that packet's buffer
 * is about to be read into again. A data set of large packets (a few per 1 MiB read) stamped out of order
 * makes the window hold packets across several reads, the case where a missed copy would hand out the
 * bytes of a later read. Every packet (or OSA frame) must come out in time order with exactly the bytes it
 * was built with.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInputSet } from '../src/input/input-set.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { buildPacketEntry } from './support/packet-trace-builder.js';
import { buildOsaentaEntry } from './support/osaenta-builder.js';
import { cutRecords, frameRdw, packBuffers } from './support/cte-builder.js';
import { Random } from './support/seeded-random.js';

/** IPv4 packets of about 30 to 60 KB: a 1 MiB read holds a few dozen at most. */
function ipv4Packet(random: Random, id: number): Uint8Array {
  const length = 30_000 + random.below(30_000);
  const packet = new Uint8Array(length);
  for (let i = 20; i < length; i++) packet[i] = random.below(256);
  packet[0] = 0x45; // version 4, 20-byte header
  packet[2] = length >>> 8;
  packet[3] = length & 0xff;
  packet[4] = id >>> 8; // identification: tells the packets apart
  packet[5] = id & 0xff;
  packet[8] = 64; // TTL
  packet[9] = 17; // UDP
  packet.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
  return packet;
}

interface Built {
  path: string;
  /** The packets in time order (equal times never occur here). */
  inTimeOrder: Uint8Array[];
}

/** The packet in an Ethernet frame, as an OSA port sees it. */
function ethernetFrame(packet: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + packet.length);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]); // destination, source, EtherType IPv4
  frame.set(packet, 14);
  return frame;
}

type Kind = 'packet trace' | 'OSAENTA';

/**
 * 200 packets 1 ms apart, written in an order shuffled within runs of 40: the window (1 s) holds them
 * all until the end, across many reads of the file.
 */
function buildDataSet(dir: string, name: string, seed: number, kind: Kind = 'packet trace'): Built {
  const random = new Random(seed);
  const made = Array.from({ length: 200 }, (_, i) => ipv4Packet(random, i));
  const packets = made.map((packet, i) => ({ packet: kind === 'OSAENTA' ? ethernetFrame(packet) : packet, nsec: i * 1_000_000 }));
  const fileOrder = [...packets];
  for (let run = 0; run < fileOrder.length; run += 40) {
    for (let i = run + 39; i > run; i--) {
      const j = run + random.below(i - run + 1);
      [fileOrder[i], fileOrder[j]] = [fileOrder[j]!, fileOrder[i]!];
    }
  }
  const entries = fileOrder.map(({ packet, nsec }) => {
    const fields = { linkName: 'OSAQDIO1', captureTime: { sec: 1_700_000_000 + seed, nsec } };
    return kind === 'OSAENTA' ? buildOsaentaEntry({ frame: packet, fields }) : buildPacketEntry({ packet, fields });
  });
  const path = join(dir, name);
  writeFileSync(path, frameRdw(cutRecords(Buffer.concat(packBuffers(entries)))));
  return { path, inTimeOrder: packets.map(({ packet }) => packet) };
}

describe('packet bytes held in the time-order window', function () {
  this.timeout(60_000);
  let dir: string;
  let first: Built;
  let second: Built;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-held-'));
    first = buildDataSet(dir, 'first.bin', 1);
    second = buildDataSet(dir, 'second.bin', 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('one input: every packet in time order with its own bytes, though the file is read many times over', async () => {
    const inputs = await openInputSet([first.path], DEFAULT_READ_OPTIONS, null);
    const seen: Uint8Array[] = [];
    await inputs.forEach((packet) => {
      seen.push(packet.data.slice());
    });
    expect(seen.length).to.equal(first.inTimeOrder.length);
    seen.forEach((bytes, i) => expect(Buffer.compare(bytes, first.inTimeOrder[i]!), `packet ${i}`).to.equal(0));
    expect(inputs.reports()[0]!.counts.late).to.equal(0);
  });

  it('two inputs merged: the same, each input read with its own buffers', async () => {
    const inputs = await openInputSet([first.path, second.path], DEFAULT_READ_OPTIONS, null);
    const seen: Uint8Array[][] = [[], []];
    await inputs.forEach((packet) => {
      seen[packet.input]!.push(packet.data.slice());
    });
    for (const [input, built] of [first, second].entries()) {
      expect(seen[input]!.length).to.equal(built.inTimeOrder.length);
      seen[input]!.forEach((bytes, i) => expect(Buffer.compare(bytes, built.inTimeOrder[i]!), `input ${input} packet ${i}`).to.equal(0));
    }
  });

  it('OSAENTA frames: the same', async () => {
    const osa = buildDataSet(dir, 'osa.bin', 3, 'OSAENTA');
    const inputs = await openInputSet([osa.path], DEFAULT_READ_OPTIONS, null);
    const seen: Uint8Array[] = [];
    await inputs.forEach((packet) => {
      seen.push(packet.data.slice());
    });
    expect(inputs.reports()[0]!.summary?.component).to.equal('SYSTCPOT');
    expect(seen.length).to.equal(osa.inTimeOrder.length);
    seen.forEach((bytes, i) => expect(Buffer.compare(bytes, osa.inTimeOrder[i]!), `frame ${i}`).to.equal(0));
  });

  it('a handler that stops early closes the input', async () => {
    const inputs = await openInputSet([first.path], DEFAULT_READ_OPTIONS, null);
    let taken = 0;
    await inputs.forEach(() => (++taken === 3 ? false : undefined));
    expect(taken).to.equal(3);
  });
});
