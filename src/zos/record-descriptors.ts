/**
 * The rules for z/OS variable-record descriptors (contract §1), shared by framing detection and deframing:
 * RDW/SDW `LL LL SS 00` and BDW `BB BB 00 00`, each length counting its own 4 bytes. A descriptor is read as
 * one unsigned 32-bit big-endian word.
 */

export const DESCRIPTOR_LENGTH = 4;
/** An RDW's smallest plausible length: the descriptor plus at least one data byte. */
export const MIN_RECORD_LENGTH = DESCRIPTOR_LENGTH + 1;
/** A BDW's smallest plausible length: the descriptor plus one smallest record. */
export const MIN_BLOCK_LENGTH = DESCRIPTOR_LENGTH + MIN_RECORD_LENGTH;

/** SDW segment codes (byte 2): 0 complete record, 1 first, 2 last, 3 middle segment of a spanned record. */
export const SegmentCode = { COMPLETE: 0, FIRST: 1, LAST: 2, MIDDLE: 3 } as const;
const SEGMENT_NAMES: readonly string[] = ['complete record', 'first segment', 'last segment', 'middle segment'];
/** CTEOFF of a CTE header, 00 10: what bytes 2..3 of a raw trace stream hold where a descriptor would have SS 00. */
const CTE_HEADER_OFFSET_FIELD = 0x0010;

export const descriptorLength = (word: number): number => word >>> 16;
export const segmentCodeOf = (word: number): number => (word >>> 8) & 0xff;

export function hexWord(word: number): string {
  return (word >>> 0).toString(16).padStart(8, '0').replace(/(..)(?!$)/g, '$1 ').toUpperCase();
}

export function segmentName(code: number): string {
  return SEGMENT_NAMES[code] ?? `segment code ${code}`;
}

/** Null when `word` is a plausible RDW or SDW, else why not. */
export function rdwProblem(word: number): string | null {
  const length = descriptorLength(word);
  if ((word & 0xff) !== 0) {
    const cteLike = (word & 0xffff) === CTE_HEADER_OFFSET_FIELD;
    return cteLike ? `${hexWord(word)} looks like a trace entry header (CTEOFF 16), not an RDW` : `${hexWord(word)} is not an RDW (byte 3 is not 00)`;
  }
  if (segmentCodeOf(word) > SegmentCode.MIDDLE) return `${hexWord(word)} is not an RDW (segment code above 3)`;
  if (length < MIN_RECORD_LENGTH) return `${hexWord(word)} is not an RDW (length ${length} below ${MIN_RECORD_LENGTH})`;
  return null;
}

/** Null when `word` is a plausible BDW, else why not. */
export function bdwProblem(word: number): string | null {
  const length = descriptorLength(word);
  if ((word & 0xffff) !== 0) return `${hexWord(word)} is not a BDW (bytes 2..3 are not 00 00)`;
  if (length < MIN_BLOCK_LENGTH) return `${hexWord(word)} is not a BDW (length ${length} below ${MIN_BLOCK_LENGTH})`;
  return null;
}

/**
 * Follows the segment codes of a spanned (VBS) record set: complete or first must come outside a record,
 * middle or last inside one. After a problem it carries on as if the segment were right, so one lost
 * segment yields one complaint.
 */
export class SpannedRecordTracker {
  /** File offset of the open record's first segment descriptor, or -1 outside a spanned record. */
  openRecordAt = -1;
  /** Segments seen with a code other than complete. */
  spannedSegments = 0;

  /** Null when the segment follows in order, else the problem. */
  next(code: number, fileOffset: number): string | null {
    const inside = this.openRecordAt >= 0;
    const continues = code === SegmentCode.MIDDLE || code === SegmentCode.LAST;
    const openedAt = this.openRecordAt;
    if (code !== SegmentCode.COMPLETE) this.spannedSegments++;
    if (code === SegmentCode.FIRST || (continues && !inside)) this.openRecordAt = fileOffset;
    if (code === SegmentCode.COMPLETE || code === SegmentCode.LAST) this.openRecordAt = -1;
    if (continues && !inside) return `${segmentName(code)} without a first segment`;
    if (!continues && inside) return `${segmentName(code)} while the spanned record started at offset ${openedAt} lacks its last segment`;
    return null;
  }

  /** Null when the stream may end here, else the problem. */
  atEnd(): string | null {
    return this.openRecordAt >= 0 ? `the file ends inside the spanned record started at offset ${this.openRecordAt} (last segment missing)` : null;
  }
}
