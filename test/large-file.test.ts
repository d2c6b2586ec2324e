/**
 * Data sets larger than 4 GiB: offsets past 2^32 must come out exact everywhere (entries, damaged ranges,
 * the converted packets). The file is sparse: 4 GiB of zeros (a hole, costing no disk) and then real
 * trace entries built from the captured fixture traffic, with a damaged range between them.
 */
import { expect } from 'chai';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTraceReader, DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { runCli } from './support/cli.js';
import { tsharkFields } from './support/tshark.js';
import { ipPacketOf, packetEntriesFromFrames, readFrames } from './support/trace-from-capture.js';
import type { CapturedFrame } from '../src/capture/capture-file-reader.js';

const FIXTURE = new URL('./fixtures/real-mixed.pcap', import.meta.url).pathname;
const LOCAL = ['198.51.100.1', '2001:db8:0:0:0:0:0:1'];
const FOUR_GIB = 2 ** 32;
/** The first entry starts a little past the 4 GiB mark, at an offset no 32-bit arithmetic can hold. */
const FIRST_ENTRY_AT = FOUR_GIB + 4099;
const GARBAGE = Uint8Array.from({ length: 777 }, (_, i) => ((i * 73 + 11) & 0xff) | 1);
const TRAILING_ZEROS = 8192;

describe('files larger than 4 GiB', function () {
  // Reading 4 GiB of a fresh sparse file costs the kernel some seconds of zeroed pages per pass.
  this.timeout(600_000);
  let dir: string;
  let path: string;
  let frames: CapturedFrame[];
  /** File offset of each entry, in file order. */
  const entryOffsets: number[] = [];
  let garbageAt = 0;
  let fileSize = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-large-'));
    path = join(dir, 'large.bin');
    frames = (await readFrames(FIXTURE)).slice(0, 40);
    const entries = packetEntriesFromFrames(frames, { localAddresses: LOCAL });
    expect(entries).to.have.length(40);
    const fd = openSync(path, 'w');
    try {
      let at = FIRST_ENTRY_AT;
      const put = (bytes: Uint8Array): void => {
        writeSync(fd, bytes, 0, bytes.length, at);
        at += bytes.length;
      };
      entries.forEach((entry, i) => {
        if (i === 20) {
          garbageAt = at;
          put(GARBAGE);
        }
        entryOffsets.push(at);
        put(entry);
      });
      fileSize = at + TRAILING_ZEROS;
      ftruncateSync(fd, fileSize);
    } finally {
      closeSync(fd);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every packet, each with its exact file offset past 4 GiB, and the damage between them', async () => {
    const reader = await openTraceReader(path, { ...DEFAULT_READ_OPTIONS, framing: 'raw', component: 'SYSTCPDA' });
    expect(reader.size).to.be.greaterThan(FOUR_GIB);
    const offsets: number[] = [];
    const bytes: Buffer[] = [];
    for await (const packet of reader.packets()) {
      offsets.push(packet.ctrace!.fileOffset);
      bytes.push(Buffer.from(packet.data));
    }
    expect(offsets).to.deep.equal(entryOffsets);
    bytes.forEach((b, i) => expect(b.equals(Buffer.from(ipPacketOf(frames[i]!))), `packet ${i + 1}`).to.equal(true));
    const summary = reader.summary;
    expect(summary.damagedRanges).to.deep.equal([{ fileOffset: garbageAt, length: GARBAGE.length, kind: 'damaged' }]);
    expect(summary.zeroFillBytes).to.equal(FIRST_ENTRY_AT + TRAILING_ZEROS);
  });

  it('converts to a pcapng that tshark reads back whole', () => {
    const output = join(dir, 'large.pcapng');
    const run = runCli(['convert', path, '-o', output, '--framing', 'raw', '--component', 'SYSTCPDA']);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr).to.include(`offset ${garbageAt}`);
    const rows = tsharkFields(output, ['frame.len', 'frame.comment']);
    expect(rows).to.have.length(40);
    rows.forEach(([length, comment], i) => {
      expect(Number(length)).to.equal(ipPacketOf(frames[i]!).length);
      expect(comment).to.match(new RegExp(`^rec=${i + 1} `));
    });
  });

  it('info finds the framing and component itself and names the damaged range by its offset', () => {
    const run = runCli(['info', path, '--json']);
    expect(run.status, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout) as { framing: string; packets: number; fileSize: number; damagedRanges: { fileOffset: number; length: number }[] };
    expect(summary.framing).to.equal('raw');
    expect(summary.packets).to.equal(40);
    expect(summary.fileSize).to.equal(fileSize);
    expect(summary.damagedRanges[0]).to.include({ fileOffset: garbageAt, length: GARBAGE.length });
  });
});
