/**
 * Builds CTRACE data sets for tests and samples: component trace entries (contract §2) and the record
 * framings a download can produce (contract §1). The reader under test never shares code with this
 * builder beyond the STCK conversion, which is itself checked against IBM's vector.
 */
import { unixTimeToStck } from '../../src/zos/stck.js';

export const CTE_HEADER_LENGTH = 16;
/** Largest logical record the CTRACE external writer uses for one trace buffer copy. */
export const DEFAULT_RECORD_LENGTH = 32756;

export interface CteSpec {
  formatId: number;
  /** Entry time (CTETIME), Unix seconds + nanoseconds. */
  timeSec: number;
  timeNsec: number;
  /** Component data: everything between CTEOFF and CTELENE. */
  data: Uint8Array;
}

/** One CTE: CTELENP CTEOFF CTEFMTID CTETIME data CTELENE, big-endian. */
export function buildCte(spec: CteSpec): Uint8Array {
  const length = CTE_HEADER_LENGTH + spec.data.length + 2;
  if (length > 0xffff) throw new Error(`entry of ${length} bytes does not fit CTELENP`);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  const tod = unixTimeToStck(spec.timeSec, spec.timeNsec);
  view.setUint16(0, length);
  view.setUint16(2, CTE_HEADER_LENGTH);
  view.setUint32(4, spec.formatId >>> 0);
  view.setUint32(8, tod.todHigh);
  view.setUint32(12, tod.todLow);
  bytes.set(spec.data, CTE_HEADER_LENGTH);
  view.setUint16(length - 2, length);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Packs entries into trace buffers the way the external writer does: back to back, zero filled after the
 * last entry that fits. `bufferSize` bytes per buffer (64 KiB on z/OS; tests use smaller ones).
 */
export function packBuffers(entries: Uint8Array[], bufferSize = 65536): Uint8Array[] {
  const buffers: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let used = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    const buffer = new Uint8Array(bufferSize);
    buffer.set(concat(current));
    buffers.push(buffer);
    current = [];
    used = 0;
  };
  for (const entry of entries) {
    if (entry.length > bufferSize) throw new Error('entry larger than a trace buffer');
    if (used + entry.length > bufferSize) flush();
    current.push(entry);
    used += entry.length;
  }
  flush();
  return buffers;
}

/** The logical records a buffer stream becomes: cut into pieces of at most `recordLength` bytes. */
export function cutRecords(stream: Uint8Array, recordLength = DEFAULT_RECORD_LENGTH): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += recordLength) records.push(stream.subarray(at, at + recordLength));
  return records;
}

/** RDW (or SDW) + data: LL LL SS 00, LL including the 4 descriptor bytes. */
function withDescriptor(data: Uint8Array, segmentCode: number): Uint8Array {
  const out = new Uint8Array(data.length + 4);
  new DataView(out.buffer).setUint16(0, out.length);
  out[2] = segmentCode;
  out.set(data, 4);
  return out;
}

/** SDW segment codes (contract §1): 0 complete, 1 first, 2 last, 3 middle. */
export const SegmentCode = { COMPLETE: 0, FIRST: 1, LAST: 2, MIDDLE: 3 } as const;

export interface FramingOptions {
  /** Split each logical record into spanned segments of at most this many data bytes (VBS). */
  spanSegmentLength?: number;
  /** For bdw: the largest block (BDW included). */
  blockSize?: number;
}

/** Descriptor-framed segments (RDW/SDW) for a list of logical records. */
export function rdwSegments(records: Uint8Array[], options: FramingOptions = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const record of records) {
    const span = options.spanSegmentLength;
    if (span === undefined || record.length <= span) {
      out.push(withDescriptor(record, SegmentCode.COMPLETE));
      continue;
    }
    for (let at = 0; at < record.length; at += span) {
      const last = at + span >= record.length;
      const code = at === 0 ? SegmentCode.FIRST : last ? SegmentCode.LAST : SegmentCode.MIDDLE;
      out.push(withDescriptor(record.subarray(at, at + span), code));
    }
  }
  return out;
}

/** `binary` + `quote site rdw`: every record (or segment) with its RDW. */
export function frameRdw(records: Uint8Array[], options: FramingOptions = {}): Uint8Array {
  return concat(rdwSegments(records, options));
}

/** RECFM=U copy: blocks of BDW (BB BB 00 00) + RDW records, each block at most `blockSize` bytes. */
export function frameBdw(records: Uint8Array[], options: FramingOptions = {}): Uint8Array {
  const blockSize = options.blockSize ?? 32760;
  const blocks: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let used = 4;
  const flush = (): void => {
    if (current.length === 0) return;
    const body = concat(current);
    const block = new Uint8Array(body.length + 4);
    new DataView(block.buffer).setUint16(0, block.length);
    block.set(body, 4);
    blocks.push(block);
    current = [];
    used = 4;
  };
  for (const segment of rdwSegments(records, options)) {
    if (segment.length + 4 > blockSize) throw new Error('segment larger than a block');
    if (used + segment.length > blockSize) flush();
    current.push(segment);
    used += segment.length;
  }
  flush();
  return concat(blocks);
}

/** `binary` FTP: record data back to back, boundaries lost. */
export function frameRaw(records: Uint8Array[]): Uint8Array {
  return concat(records);
}

export { concat as concatBytes };
