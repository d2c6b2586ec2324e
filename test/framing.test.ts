import { expect } from 'chai';
import { buildCte, cutRecords, frameBdw, frameRaw, frameRdw, packBuffers, concatBytes } from './support/cte-builder.js';
import { deframe, detectFraming, type DescriptorSource, type FramingAnomaly } from '../src/zos/framing.js';
import { MAX_WALKED_DESCRIPTORS } from '../src/zos/framing-detect.js';
import type { Framing, LogicalChunk } from '../src/zos/logical-chunk.js';
import { chunksOf } from './support/reused-chunks.js';

const CHUNK_SIZES = [1, 2, 3, 7, 64, 4096];

/** Entries of varied length (some under 256 bytes, so CTELENP's first byte is 0), data without zero runs. */
function sampleEntries(count: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(20 + ((i * 37) % 300));
    for (let k = 0; k < data.length; k++) data[k] = 0x41 + ((i + k) % 26);
    entries.push(buildCte({ formatId: 4, timeSec: 1_600_000_000 + i, timeNsec: i * 1000, data }));
  }
  return entries;
}

/** The logical stream: trace buffers of 2 KiB, zero filled. */
const LOGICAL = frameRaw(packBuffers(sampleEntries(60), 2048));
const RECORDS = cutRecords(LOGICAL, 1000);

interface Sample {
  name: string;
  framing: Framing;
  file: Uint8Array;
}

const SAMPLES: Sample[] = [
  { name: 'raw', framing: 'raw', file: frameRaw(RECORDS) },
  { name: 'rdw', framing: 'rdw', file: frameRdw(RECORDS) },
  { name: 'bdw', framing: 'bdw', file: frameBdw(RECORDS, { blockSize: 2100 }) },
  { name: 'spanned rdw', framing: 'rdw', file: frameRdw(RECORDS, { spanSegmentLength: 300 }) },
  { name: 'spanned bdw', framing: 'bdw', file: frameBdw(RECORDS, { spanSegmentLength: 300, blockSize: 700 }) },
];

function memorySource(bytes: Uint8Array): DescriptorSource {
  return {
    size: bytes.length,
    readIntoSync(target: Uint8Array, offset: number): number {
      const piece = bytes.subarray(offset, offset + target.length);
      target.set(piece);
      return piece.length;
    },
  };
}

interface Deframed {
  logical: Uint8Array;
  anomalies: FramingAnomaly[];
  /** Pieces whose bytes differ from the file at their stated offset. */
  misplaced: number;
}

async function deframeAll(file: Uint8Array, framing: Framing, chunkSize: number): Promise<Deframed> {
  const anomalies: FramingAnomaly[] = [];
  const parts: Uint8Array[] = [];
  let misplaced = 0;
  for await (const piece of deframe(chunksOf(file, chunkSize), framing, { onAnomaly: (a) => anomalies.push(a) })) {
    const original = file.subarray(piece.fileOffset, piece.fileOffset + piece.bytes.length);
    if (Buffer.compare(original, piece.bytes) !== 0) misplaced++;
    parts.push(piece.bytes.slice());
  }
  return { logical: concatBytes(parts), anomalies, misplaced };
}

function withRdw(data: Uint8Array, segmentCode = 0): Uint8Array {
  const out = new Uint8Array(data.length + 4);
  new DataView(out.buffer).setUint16(0, out.length);
  out[2] = segmentCode;
  out.set(data, 4);
  return out;
}

describe('framing detection', () => {
  for (const sample of SAMPLES) {
    it(`detects ${sample.name}`, async () => {
      const detection = await detectFraming(memorySource(sample.file));
      expect(detection.framing).to.equal(sample.framing);
      expect(detection.reason).to.match(sample.framing === 'raw' ? /^raw: no descriptor chain/ : /chain exactly to the end of the file/);
    });
  }

  it('does not take a raw trace stream for RDW even when a descriptor-like header starts it', async () => {
    // 00 40 00 00 looks like an RDW of 64 bytes, but no chain from it lands on the end of the file.
    const header = new Uint8Array(64).fill(0x5c);
    header.set([0x00, 0x40, 0x00, 0x00]);
    const detection = await detectFraming(memorySource(concatBytes([header, LOGICAL])));
    expect(detection.framing).to.equal('raw');
  });

  it('names the CTE header when a raw stream starts with one', async () => {
    const detection = await detectFraming(memorySource(LOGICAL));
    expect(detection.reason).to.contain('looks like a trace entry header (CTEOFF 16)');
  });

  it('rejects a chain whose spanned segments are out of order', async () => {
    const records = [withRdw(new Uint8Array(10).fill(1), 0), withRdw(new Uint8Array(10).fill(1), 3), withRdw(new Uint8Array(10).fill(1), 0)];
    const detection = await detectFraming(memorySource(concatBytes(records)));
    expect(detection.framing).to.equal('raw');
    expect(detection.reason).to.contain('middle segment without a first segment');
  });

  it('accepts an RDW file whose last record is cut short, and says so', async () => {
    const rdw = SAMPLES[1]!.file;
    const detection = await detectFraming(memorySource(rdw.subarray(0, rdw.length - 150)));
    expect(detection.framing).to.equal('rdw');
    expect(detection.reason).to.contain('cut short by the end of the file');
  });

  it('stops the walk after its descriptor budget and says so', async () => {
    const records = MAX_WALKED_DESCRIPTORS + 10;
    const file = new Uint8Array(records * 5 + 3);
    for (let i = 0; i < records; i++) file.set([0x00, 0x05, 0x00, 0x00, 0xee], i * 5);
    file.set([0xff, 0xff, 0xff], records * 5); // past the budget: the chain breaks, the walk never looks
    const detection = await detectFraming(memorySource(file));
    expect(detection.framing).to.equal('rdw');
    expect(detection.reason).to.contain(`the first ${MAX_WALKED_DESCRIPTORS} descriptors`);
  });
});

describe('deframe', () => {
  for (const sample of SAMPLES) {
    for (const chunkSize of CHUNK_SIZES) {
      it(`restores the logical bytes of ${sample.name} in chunks of ${chunkSize}`, async () => {
        const result = await deframeAll(sample.file, sample.framing, chunkSize);
        expect(result.anomalies).to.deep.equal([]);
        expect(result.misplaced).to.equal(0);
        expect(Buffer.compare(result.logical, LOGICAL)).to.equal(0);
      });
    }
  }

  it('passes raw chunks through unchanged', async () => {
    const seen: LogicalChunk[] = [];
    const source = [{ bytes: new Uint8Array([1, 2, 3]), fileOffset: 0 }];
    for await (const chunk of deframe((async function* () { yield* source; })(), 'raw')) seen.push(chunk);
    expect(seen[0]).to.equal(source[0]);
  });

  it('reports a record cut short at end of file and passes on what is there', async () => {
    const rdw = SAMPLES[1]!.file;
    const cut = rdw.subarray(0, rdw.length - 150);
    for (const chunkSize of [1, 7, 4096]) {
      const result = await deframeAll(cut, 'rdw', chunkSize);
      const lastRecordAt = rdw.length - (RECORDS.at(-1)!.length + 4);
      expect(result.anomalies).to.deep.equal([{ fileOffset: lastRecordAt, message: `the file ends 150 bytes before the end of this record (its RDW says ${RECORDS.at(-1)!.length + 4} bytes)` }]);
      expect(Buffer.compare(result.logical, LOGICAL.subarray(0, LOGICAL.length - 150))).to.equal(0);
    }
  });

  it('falls back to raw data at a broken descriptor, keeping its bytes and offset', async () => {
    const rdw = SAMPLES[1]!.file.slice();
    const brokenAt = 2 * 1004; // the third RDW
    rdw.set([0x00, 0x02, 0x09, 0x10], brokenAt);
    for (const chunkSize of [1, 3, 4096]) {
      const result = await deframeAll(rdw, 'rdw', chunkSize);
      expect(result.anomalies).to.have.length(1);
      expect(result.anomalies[0]!.fileOffset).to.equal(brokenAt);
      expect(result.anomalies[0]!.message).to.contain('the rest of the file is passed on as raw data');
      expect(result.misplaced).to.equal(0);
      const expected = concatBytes([LOGICAL.subarray(0, 2000), rdw.subarray(brokenAt)]);
      expect(Buffer.compare(result.logical, expected)).to.equal(0);
    }
  });

  it('falls back when a record runs past the end of its block', async () => {
    const bdw = SAMPLES[2]!.file.slice();
    new DataView(bdw.buffer).setUint16(0, 900); // the first block now ends inside its first record
    const result = await deframeAll(bdw, 'bdw', 64);
    expect(result.anomalies.map((a) => a.fileOffset)).to.deep.equal([4]);
    expect(result.anomalies[0]!.message).to.contain('runs past the end of the block at offset 0');
    expect(Buffer.compare(result.logical, bdw.subarray(4))).to.equal(0);
  });

  it('reports segment order errors but keeps the data flowing', async () => {
    const data = [new Uint8Array(10).fill(1), new Uint8Array(10).fill(2), new Uint8Array(10).fill(3)];
    const file = concatBytes([withRdw(data[0]!, 3), withRdw(data[1]!, 2), withRdw(data[2]!, 1)]);
    const result = await deframeAll(file, 'rdw', 5);
    expect(result.anomalies).to.deep.equal([
      { fileOffset: 0, message: 'middle segment without a first segment' },
      { fileOffset: 28, message: 'the file ends inside the spanned record started at offset 28 (last segment missing)' },
    ]);
    expect(Buffer.compare(result.logical, concatBytes(data))).to.equal(0);
  });

  it('reports a complete record inside an unfinished spanned record', async () => {
    const file = concatBytes([withRdw(new Uint8Array(8).fill(1), 1), withRdw(new Uint8Array(8).fill(2), 0)]);
    const result = await deframeAll(file, 'rdw', 4096);
    expect(result.anomalies).to.deep.equal([
      { fileOffset: 12, message: 'complete record while the spanned record started at offset 0 lacks its last segment' },
    ]);
  });

  it('reports a file that ends inside a descriptor and passes the partial bytes on', async () => {
    const file = concatBytes([withRdw(new Uint8Array(8).fill(1)), new Uint8Array([0x00, 0x20])]);
    const result = await deframeAll(file, 'rdw', 1);
    expect(result.anomalies).to.deep.equal([{ fileOffset: 12, message: 'the file ends inside a descriptor (2 of 4 bytes)' }]);
    expect([...result.logical]).to.deep.equal([1, 1, 1, 1, 1, 1, 1, 1, 0x00, 0x20]);
  });

  it('keeps file offsets beyond 4 GiB exact', async () => {
    const base = 5 * 2 ** 30 + 3;
    const rdw = SAMPLES[3]!.file;
    const offsets: number[] = [];
    for await (const piece of deframe(chunksOf(rdw, 4096, base), 'rdw')) offsets.push(piece.fileOffset);
    expect(offsets[0]).to.equal(base + 4);
    expect(offsets[1]).to.equal(base + 308);
  });
});
