import { expect } from 'chai';
import { buildCte, concatBytes, cutRecords, frameBdw, frameRaw, frameRdw, packBuffers } from './support/cte-builder.js';
import { CteScanner, scanEntries, type ScanOptions } from '../src/ctrace/cte-scanner.js';
import { deframe, type FramingAnomaly } from '../src/zos/framing.js';
import { unixTimeToStck } from '../src/zos/stck.js';
import type { CteEntry, EntryCheck, SkippedRange } from '../src/ctrace/cte.js';
import type { Framing } from '../src/zos/logical-chunk.js';
import { chunksOf } from './support/reused-chunks.js';

const CHUNK_SIZES = [1, 2, 3, 7, 64, 4096];
const packetTraceOnly: EntryCheck = (entry) => (entry.formatId === 4 ? null : `format ${entry.formatId}`);

function entryData(i: number, length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let k = 0; k < length; k++) data[k] = 0x41 + ((i + k) % 26);
  return data;
}

function sampleEntry(i: number, formatId = 4): Uint8Array {
  return buildCte({ formatId, timeSec: 1_600_000_000 + i, timeNsec: i * 1000, data: entryData(i, 20 + ((i * 37) % 300)) });
}

/** Entries of varied length: some under 256 bytes, so CTELENP's first byte is 0 like the zero fill's. */
const ENTRIES = Array.from({ length: 60 }, (_, i) => sampleEntry(i));

interface SeenEntry {
  entryNumber: number;
  fileOffset: number;
  formatId: number;
  todHigh: number;
  todLow: number;
  dataOffset: number;
  dataEnd: number;
  hex: string;
}

interface Scan {
  entries: SeenEntry[];
  skipped: SkippedRange[];
  anomalies: FramingAnomaly[];
}

function seen(entry: CteEntry): SeenEntry {
  const { entryNumber, fileOffset, formatId, todHigh, todLow, dataOffset, dataEnd } = entry;
  return { entryNumber, fileOffset, formatId, todHigh, todLow, dataOffset, dataEnd, hex: Buffer.from(entry.bytes).toString('hex') };
}

async function scan(file: Uint8Array, framing: Framing, chunkSize: number, options: Partial<ScanOptions> = {}, base = 0): Promise<Scan> {
  const result: Scan = { entries: [], skipped: [], anomalies: [] };
  const logical = deframe(chunksOf(file, chunkSize, base), framing, { onAnomaly: (a) => result.anomalies.push(a) });
  const scanOptions: ScanOptions = { check: packetTraceOnly, onSkip: (r) => result.skipped.push(r), ...options };
  for await (const entry of scanEntries(logical, scanOptions)) result.entries.push(seen(entry));
  return result;
}

/**
 * File offset of every logical byte, found by walking the (well-formed) descriptors of the test file: an
 * independent account of where each entry and each gap really is.
 */
function fileOffsetsOfLogicalBytes(file: Uint8Array, framing: Framing): number[] {
  const map: number[] = [];
  const length = (at: number): number => ((file[at] ?? 0) << 8) | (file[at + 1] ?? 0);
  const records = (from: number, to: number): void => {
    for (let at = from; at < to; at += length(at)) for (let i = at + 4; i < at + length(at); i++) map.push(i);
  };
  if (framing === 'raw') for (let i = 0; i < file.length; i++) map.push(i);
  else if (framing === 'rdw') records(0, file.length);
  else for (let at = 0; at < file.length; at += length(at)) records(at + 4, at + length(at));
  return map;
}

/** What a correct scan of `logical` framed as `file` must report: every entry, and the zero fill between. */
function expectedScan(logical: Uint8Array, entries: Uint8Array[], file: Uint8Array, framing: Framing): Scan {
  const offsets = fileOffsetsOfLogicalBytes(file, framing);
  const buffer = Buffer.from(logical);
  const result: Scan = { entries: [], skipped: [], anomalies: [] };
  let gapFrom = 0;
  const addGap = (from: number, to: number): void => {
    for (let i = from; i < to; ) {
      let j = i + 1;
      while (j < to && offsets[j] === (offsets[j - 1] ?? 0) + 1) j++;
      result.skipped.push({ fileOffset: offsets[i] ?? -1, length: j - i, kind: 'zero-fill' });
      i = j;
    }
  };
  entries.forEach((entry, i) => {
    const at = buffer.indexOf(entry, gapFrom);
    addGap(gapFrom, at);
    const view = new DataView(entry.buffer, entry.byteOffset);
    result.entries.push({
      entryNumber: i + 1,
      fileOffset: offsets[at] ?? -1,
      formatId: view.getUint32(4),
      todHigh: view.getUint32(8),
      todLow: view.getUint32(12),
      dataOffset: 16,
      dataEnd: entry.length - 2,
      hex: Buffer.from(entry).toString('hex'),
    });
    gapFrom = at + entry.length;
  });
  addGap(gapFrom, logical.length);
  return result;
}

const LOGICAL = frameRaw(packBuffers(ENTRIES, 2048));
const RECORDS = cutRecords(LOGICAL, 1000);
const FRAMED: { name: string; framing: Framing; file: Uint8Array }[] = [
  { name: 'raw', framing: 'raw', file: LOGICAL },
  { name: 'rdw', framing: 'rdw', file: frameRdw(RECORDS) },
  { name: 'bdw', framing: 'bdw', file: frameBdw(RECORDS, { blockSize: 2100 }) },
  { name: 'spanned rdw', framing: 'rdw', file: frameRdw(RECORDS, { spanSegmentLength: 300 }) },
  { name: 'spanned bdw', framing: 'bdw', file: frameBdw(RECORDS, { spanSegmentLength: 300, blockSize: 700 }) },
];

describe('CTE scanner', () => {
  describe('finds every entry, with file offsets, whatever the framing and chunking', () => {
    for (const { name, framing, file } of FRAMED) {
      const expected = expectedScan(LOGICAL, ENTRIES, file, framing);
      for (const chunkSize of CHUNK_SIZES) {
        it(`${name} in chunks of ${chunkSize}`, async () => {
          const result = await scan(file, framing, chunkSize);
          expect(result).to.deep.equal(expected);
        });
      }
    }

    it('(the samples do split entries across records)', () => {
      const logical = Buffer.from(LOGICAL);
      const split = ENTRIES.filter((entry) => {
        const at = logical.indexOf(entry);
        return Math.floor(at / 1000) !== Math.floor((at + entry.length - 1) / 1000);
      });
      expect(split.length).to.be.greaterThan(5);
    });
  });

  it('reports the zero fill of a trace buffer as zero-fill, not damage', async () => {
    const file = frameRaw(packBuffers(ENTRIES.slice(0, 3), 1024));
    const used = ENTRIES.slice(0, 3).reduce((n, e) => n + e.length, 0);
    const result = await scan(file, 'raw', 64);
    expect(result.skipped).to.deep.equal([{ fileOffset: used, length: 1024 - used, kind: 'zero-fill' }]);
  });

  it('finds a short entry (CTELENP below 256) right after zero fill', async () => {
    const short = buildCte({ formatId: 4, timeSec: 1_600_000_000, timeNsec: 0, data: entryData(1, 10) });
    const file = concatBytes([new Uint8Array(100), short, new Uint8Array(5)]);
    for (const chunkSize of [1, 2, 3, 4096]) {
      const result = await scan(file, 'raw', chunkSize);
      expect(result.entries.map((e) => e.fileOffset)).to.deep.equal([100]);
      expect(result.skipped).to.deep.equal([
        { fileOffset: 0, length: 100, kind: 'zero-fill' },
        { fileOffset: 128, length: 5, kind: 'zero-fill' },
      ]);
    }
  });

  describe('resynchronises', () => {
    const garbage = new Uint8Array(37).map((_, i) => 0x80 + ((i * 11) % 97));

    it('over garbage between two entries of a buffer, reporting exactly its range', async () => {
      const entries = ENTRIES.slice(0, 10);
      const file = concatBytes([...entries.slice(0, 5), garbage, ...entries.slice(5)]);
      const garbageAt = entries.slice(0, 5).reduce((n, e) => n + e.length, 0);
      for (const chunkSize of CHUNK_SIZES) {
        const result = await scan(file, 'raw', chunkSize);
        expect(result.entries).to.have.length(10);
        expect(result.entries[5]!.fileOffset).to.equal(garbageAt + garbage.length);
        expect(result.entries[5]!.entryNumber).to.equal(6);
        expect(result.skipped).to.deep.equal([{ fileOffset: garbageAt, length: garbage.length, kind: 'damaged' }]);
      }
    });

    it('over a header at the start of a buffer, keeping the padding before it apart', async () => {
      const [first] = packBuffers(ENTRIES.slice(0, 9), 2048);
      const [second] = packBuffers(ENTRIES.slice(9, 12), 2048);
      const used = ENTRIES.slice(0, 9).reduce((n, e) => n + e.length, 0);
      const file = concatBytes([first!, garbage, second!]);
      for (const chunkSize of [1, 7, 4096]) {
        const result = await scan(file, 'raw', chunkSize);
        expect(result.entries).to.have.length(12);
        expect(result.skipped.slice(0, 2)).to.deep.equal([
          { fileOffset: used, length: 2048 - used, kind: 'zero-fill' },
          { fileOffset: 2048, length: garbage.length, kind: 'damaged' },
        ]);
      }
    });

    it('over garbage inside an entry of an RDW-framed stream, with file offsets across the RDW', async () => {
      const garbageAt = 1500;
      const ends: number[] = [];
      for (let at = 0, n = 0; n < ENTRIES.length; n++) ends.push((at += ENTRIES[n]!.length));
      const brokenAt = Math.max(...ends.filter((end) => end < garbageAt));
      const brokenLength = Math.min(...ends.filter((end) => end > garbageAt)) - brokenAt;
      const logical = concatBytes([LOGICAL.subarray(0, garbageAt), garbage, LOGICAL.subarray(garbageAt)]);
      const file = frameRdw(cutRecords(logical, 1600)); // a record boundary inside the damage
      // The damage is the broken entry's head, the garbage and the entry's tail; in the file it crosses one RDW.
      const offsets = fileOffsetsOfLogicalBytes(file, 'rdw');
      const damageEnd = brokenAt + brokenLength + garbage.length;
      const expected: SkippedRange[] = [
        { fileOffset: offsets[brokenAt]!, length: 1600 - brokenAt, kind: 'damaged' },
        { fileOffset: offsets[1600]!, length: damageEnd - 1600, kind: 'damaged' },
      ];
      for (const chunkSize of [1, 3, 64, 4096]) {
        const result = await scan(file, 'rdw', chunkSize);
        expect(result.entries.length).to.equal(ENTRIES.length - 1);
        expect(result.skipped.filter((r) => r.kind === 'damaged')).to.deep.equal(expected);
      }
    });
  });

  it('rejects an entry whose CTELENE differs from CTELENP', async () => {
    const entries = ENTRIES.slice(0, 4).map((e) => e.slice());
    const bad = entries[2]!;
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    const file = concatBytes(entries);
    const result = await scan(file, 'raw', 64);
    expect(result.entries.map((e) => e.entryNumber)).to.deep.equal([1, 2, 3]);
    expect(result.entries[2]!.fileOffset).to.equal(entries[0]!.length + entries[1]!.length + bad.length);
    expect(result.skipped).to.deep.equal([{ fileOffset: entries[0]!.length + entries[1]!.length, length: bad.length, kind: 'damaged' }]);
  });

  it('rejects a CTEOFF below 16 and a TOD outside 1995..2045', async () => {
    const badOffset = ENTRIES[1]!.slice();
    badOffset[3] = 8;
    const oldTod = unixTimeToStck(Date.UTC(1990, 0, 1) / 1000, 0);
    const badTime = ENTRIES[2]!.slice();
    new DataView(badTime.buffer).setUint32(8, oldTod.todHigh);
    const file = concatBytes([ENTRIES[0]!, badOffset, badTime, ENTRIES[3]!]);
    const result = await scan(file, 'raw', 4096);
    expect(result.entries.map((e) => e.hex)).to.deep.equal([ENTRIES[0]!, ENTRIES[3]!].map((e) => Buffer.from(e).toString('hex')));
  });

  it('leaves to the check what the component does not accept, and counts it as damage', async () => {
    const file = concatBytes([ENTRIES[0]!, sampleEntry(1, 9), ENTRIES[2]!]);
    const result = await scan(file, 'raw', 4096);
    expect(result.entries.map((e) => e.entryNumber)).to.deep.equal([1, 2]);
    expect(result.skipped).to.deep.equal([{ fileOffset: ENTRIES[0]!.length, length: sampleEntry(1, 9).length, kind: 'damaged' }]);
  });

  it('rejects entries longer than maxEntryLength', async () => {
    const file = concatBytes(ENTRIES.slice(0, 6));
    const result = await scan(file, 'raw', 4096, { maxEntryLength: 200 });
    expect(result.entries.every((e) => e.hex.length / 2 <= 200)).to.equal(true);
    expect(result.entries.length).to.equal(ENTRIES.slice(0, 6).filter((e) => e.length <= 200).length);
  });

  it('reports a truncated final entry as damage from its start to the end', async () => {
    const file = concatBytes([...ENTRIES.slice(0, 3), ENTRIES[3]!.subarray(0, 50)]);
    const at = ENTRIES.slice(0, 3).reduce((n, e) => n + e.length, 0);
    for (const chunkSize of [1, 64, 4096]) {
      const result = await scan(file, 'raw', chunkSize);
      expect(result.entries).to.have.length(3);
      expect(result.skipped).to.deep.equal([{ fileOffset: at, length: 50, kind: 'damaged' }]);
    }
  });

  it('reads an RDW file whose last record is cut short: anomaly, earlier entries, truncated entry', async () => {
    const rdw = frameRdw(cutRecords(concatBytes(ENTRIES.slice(0, 12)), 500));
    const cut = rdw.subarray(0, rdw.length - 100);
    const result = await scan(cut, 'rdw', 64);
    expect(result.anomalies).to.have.length(1);
    expect(result.anomalies[0]!.message).to.contain('the file ends 100 bytes before the end of this record');
    expect(result.entries.length).to.equal(11);
    expect(result.skipped.at(-1)).to.include({ kind: 'damaged' });
    expect(result.skipped.at(-1)!.fileOffset + result.skipped.at(-1)!.length).to.equal(cut.length);
  });

  it('keeps file offsets beyond 4 GiB exact', async () => {
    const base = 6 * 2 ** 30 + 5;
    const result = await scan(FRAMED[1]!.file, 'rdw', 4096, {}, base);
    const expected = expectedScan(LOGICAL, ENTRIES, FRAMED[1]!.file, 'rdw');
    expect(result.entries.map((e) => e.fileOffset)).to.deep.equal(expected.entries.map((e) => e.fileOffset + base));
    expect(result.skipped.map((r) => r.fileOffset)).to.deep.equal(expected.skipped.map((r) => r.fileOffset + base));
  });

  it('yields nothing for an empty stream', async () => {
    const result = await scan(new Uint8Array(0), 'raw', 64);
    expect(result).to.deep.equal({ entries: [], skipped: [], anomalies: [] });
  });

  it('keeps a carried tail when asked for more before new input arrives', () => {
    const scanner = new CteScanner({ check: packetTraceOnly });
    const entry = ENTRIES[5]!;
    scanner.push({ bytes: entry.subarray(0, 30), fileOffset: 0 });
    expect(scanner.next()).to.equal(null);
    expect(scanner.next()).to.equal(null);
    scanner.push({ bytes: entry.subarray(30), fileOffset: 30 });
    expect(scanner.next()?.fileOffset).to.equal(0);
  });

  it('scans well over a million 200-byte entries per second', async function () {
    this.timeout(20000);
    const many = Array.from({ length: 200_000 }, (_, i) => buildCte({ formatId: 4, timeSec: 1_700_000_000 + i, timeNsec: 0, data: entryData(i, 182) }));
    const file = frameRaw(packBuffers(many));
    let perSecond = 0;
    let count = 0;
    for (let run = 0; run < 2; run++) {
      // The faster of two runs: the box is shared, and the first run also pays for JIT warm-up.
      const started = performance.now();
      count = 0;
      for await (const _entry of scanEntries(chunksOf(file, 1 << 20), { check: packetTraceOnly })) count++;
      perSecond = Math.max(perSecond, count / ((performance.now() - started) / 1000));
    }
    expect(count).to.equal(many.length);
    expect(perSecond).to.be.greaterThan(1_000_000);
  });
});
