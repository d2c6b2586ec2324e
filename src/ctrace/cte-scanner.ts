/**
 * Finds the component trace entries in the logical byte stream (contract §2.3). A candidate at position p
 * is an entry when CTELENP is 18..max, 16 <= CTEOFF <= CTELENP-2, CTETIME is a plausible TOD, the trailing
 * CTELENE equals CTELENP, and the component's check accepts it. Anything else — zero fill, writer headers,
 * damage — is stepped over one byte at a time (zero runs in one stride) and reported as SkippedRanges with
 * file offsets.
 *
 * Entries are scanned in place inside each chunk. Only an entry (or candidate) that straddles chunks goes
 * through the carry buffer: the tail of one chunk plus as much of the next as that entry can need.
 */
import type { LogicalChunk } from '../zos/logical-chunk.js';
import { isPlausibleTod } from '../zos/stck.js';
import type { CteEntry, EntryCheck, SkippedRange } from './cte.js';
import { OffsetMap } from './offset-map.js';
import { SkippedRangeTracker } from './skipped-ranges.js';

export interface ScanOptions {
  /** The component decoder's acceptance test; null means the entry is good. */
  check: EntryCheck;
  /** Hears each skipped range once it is complete. */
  onSkip?(range: SkippedRange): void;
  /** Candidates longer than this are rejected (default and maximum: 65535, the largest CTELENP). */
  maxEntryLength?: number;
}

/** CTELENP, CTEOFF, CTEFMTID, CTETIME: the fixed header. */
const CTE_HEADER_LENGTH = 16;
/** The header plus CTELENE, no component data. */
const MIN_ENTRY_LENGTH = CTE_HEADER_LENGTH + 2;
const MAX_ENTRY_LENGTH = 0xffff;
/** Bytes needed to judge CTELENP and CTEOFF. */
const LENGTHS_LENGTH = 4;
const INITIAL_CARRY_SIZE = 1 << 16;

/** What one scan step ended on. */
const Step = { ENTRY: 0, NEED_MORE: 1, LIMIT: 2 } as const;
type Step = (typeof Step)[keyof typeof Step];
/** What one candidate turned out to be. */
const Verdict = { ENTRY: 0, REJECT: 1, NEED_MORE: 2 } as const;
type Verdict = (typeof Verdict)[keyof typeof Verdict];

const NO_BYTES: Uint8Array = new Uint8Array(0);
const NO_VIEW: DataView = new DataView(NO_BYTES.buffer);

/** Zero bytes checked one by one before a zero run is taken for padding and compared a page at a time. */
const ZERO_RUN_BYTEWISE = 64;
const ZERO_PAGE = new Uint8Array(4096);

/**
 * The end of the zero run that continues at `from` (at most `end`). Long runs (unused trace buffers, a
 * pre-allocated data set) are compared against a zero page with memcmp: gigabytes a second, where a
 * byte loop manages about one.
 */
function zeroRunEnd(bytes: Uint8Array, from: number, end: number): number {
  let q = from;
  const bytewiseEnd = Math.min(end, from + ZERO_RUN_BYTEWISE);
  while (q < bytewiseEnd && bytes[q] === 0) q++;
  if (q < bytewiseEnd) return q;
  while (q + ZERO_PAGE.length <= end && Buffer.compare(bytes.subarray(q, q + ZERO_PAGE.length), ZERO_PAGE) === 0) q += ZERO_PAGE.length;
  while (q < end && bytes[q] === 0) q++;
  return q;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The synchronous core: `push` a chunk, then call `next` until it returns null (needs more input); after
 * the last chunk, `finish` and drain `next` again.
 */
export class CteScanner {
  private readonly check: EntryCheck;
  /**
   * The last entry found lies in the carry, which the next chunk overwrites; otherwise it is a view of
   * the chunk pushed, which lasts as long as the caller's chunk does.
   */
  lastEntryInCarry = false;
  private readonly maxEntryLength: number;
  private readonly skipped: SkippedRangeTracker;
  private entryCount = 0;
  private final = false;

  /** Bytes carried over from earlier chunks, then up to maxEntryLength bytes of the current one. */
  private carry: Uint8Array = new Uint8Array(INITIAL_CARRY_SIZE);
  private carryView: DataView = viewOf(this.carry);
  private carryLength = 0;
  /** How much of the carry came from earlier chunks: candidates past it are scanned in the chunk itself. */
  private carriedLength = 0;
  private readonly carryMap = new OffsetMap();
  /** The chunk to continue in once the carried candidates are settled; null when the carry holds it all. */
  private pendingChunk: LogicalChunk | null = null;
  /** How many of the pending chunk's first bytes are in the carry. */
  private pendingTaken = 0;

  /** The region being scanned: the carry or a chunk. */
  private bytes = NO_BYTES;
  /**
   * The region's buffer and offset in it, read once per region: an entry's view is built from them with
   * the constructor, which costs half of what `subarray` does per entry (and `.buffer` is no cheaper).
   */
  private regionBuffer: ArrayBufferLike = NO_BYTES.buffer;
  private regionOffset = 0;
  private view = NO_VIEW;
  private map = new OffsetMap();
  private readonly chunkMap = this.map;
  private end = 0;
  /** Candidates start before this index (the end, or the carried length while a chunk is pending). */
  private limit = 0;
  private pos = 0;
  /** Start of the bytes skipped since the last entry in this region, or -1. */
  private skipFrom = -1;
  private found: CteEntry | null = null;

  constructor(options: ScanOptions) {
    this.check = options.check;
    this.maxEntryLength = Math.min(options.maxEntryLength ?? MAX_ENTRY_LENGTH, MAX_ENTRY_LENGTH);
    const onSkip = options.onSkip ?? (() => undefined);
    this.skipped = new SkippedRangeTracker(onSkip);
  }

  /** Number of entries found so far. */
  get entries(): number {
    return this.entryCount;
  }

  push(chunk: LogicalChunk): void {
    if (this.carryLength === 0) {
      this.scanChunk(chunk, 0);
      return;
    }
    // Join the carried tail with as much of this chunk as the candidates that start in the tail need:
    // first what the tail's own CTELENP asks for, the rest (up to the longest entry) only if the scan of
    // the tail asks for more. Candidates after the tail are scanned in the chunk itself, so their entries
    // are views of the chunk (which the reader keeps intact longer than the carry).
    this.carriedLength = this.carryLength;
    this.pendingChunk = chunk;
    this.pendingTaken = 0;
    this.takeFromPending(this.carriedEntryNeeds());
    this.scanCarry(this.carriedLength);
  }

  /** No more input: what is left is judged as it is (a candidate running past it is damage). */
  finish(): void {
    this.final = true;
    this.scanCarry(this.carryLength);
  }

  /** The next entry, or null when the input pushed so far is used up. Its bytes are valid until the next call. */
  next(): CteEntry | null {
    for (;;) {
      const step = this.scan();
      if (step === Step.ENTRY) return this.takeFound();
      this.reportSkipped(this.pos);
      if (step === Step.NEED_MORE && this.takeRestOfPending()) continue;
      if (step === Step.LIMIT && this.pendingChunk !== null) {
        const chunk = this.pendingChunk;
        this.pendingChunk = null;
        this.scanChunk(chunk, this.pos - this.carriedLength);
        continue;
      }
      // A carried candidate that needs more than the chunk had: all of the chunk is in the carry already.
      this.pendingChunk = null;
      if (this.final) this.skipped.flush();
      else this.keepTail();
      return null;
    }
  }

  /** Bytes past the carried tail that the entry starting it would end at (at least a header's worth). */
  private carriedEntryNeeds(): number {
    const claimed = this.carryLength >= 2 ? this.carryView.getUint16(0) : 0;
    return Math.max(claimed, CTE_HEADER_LENGTH) - this.carryLength;
  }

  /** Appends up to `length` more bytes of the pending chunk to the carry (never past the longest entry). */
  private takeFromPending(length: number): void {
    const chunk = this.pendingChunk!;
    const to = Math.min(chunk.bytes.length, this.maxEntryLength, this.pendingTaken + Math.max(0, length));
    if (to <= this.pendingTaken) return;
    this.appendToCarry(chunk.bytes.subarray(this.pendingTaken, to), chunk.fileOffset + this.pendingTaken);
    this.pendingTaken = to;
  }

  /**
   * A carried candidate needs more bytes: takes the rest of what the pending chunk can give and scans on
   * from the same candidate. False when there is nothing more to take.
   */
  private takeRestOfPending(): boolean {
    if (this.pendingChunk === null || this.bytes !== this.carry) return false;
    const before = this.pendingTaken;
    this.takeFromPending(this.maxEntryLength);
    if (this.pendingTaken === before) return false;
    this.setRegion(this.carry, this.carryView, this.carryMap, this.carryLength, this.carriedLength, this.pos);
    return true;
  }

  private takeFound(): CteEntry | null {
    const entry = this.found;
    this.found = null;
    return entry;
  }

  /**
   * Walks candidates from `pos` until an entry is found, a candidate needs bytes beyond the region, or the
   * limit is reached. It runs once per skipped byte, so it stays flat and allocation-free.
   */
  private scan(): Step {
    const { bytes, end, limit, final } = this;
    let p = this.pos;
    let skipFrom = this.skipFrom;
    let step: Step = Step.LIMIT;
    while (p < limit) {
      if (p + 2 < end && bytes[p] === 0 && bytes[p + 1] === 0 && bytes[p + 2] === 0) {
        // Zero fill: stride to the last zero before the next non-zero byte (it may start a short entry).
        if (skipFrom < 0) skipFrom = p;
        p = zeroRunEnd(bytes, p + 3, end) - 1;
        continue;
      }
      const verdict = this.judge(p, end - p);
      if (verdict === Verdict.ENTRY || (verdict === Verdict.NEED_MORE && !final)) {
        step = verdict === Verdict.ENTRY ? Step.ENTRY : Step.NEED_MORE;
        break;
      }
      if (skipFrom < 0) skipFrom = p;
      p++;
    }
    this.skipFrom = skipFrom;
    this.pos = p;
    if (step === Step.ENTRY) {
      this.reportSkipped(p);
      this.skipped.flush();
      this.pos = p + (this.found?.bytes.length ?? 0);
    }
    return step;
  }

  /** The candidate at `p` with `left` bytes of region after it: cheapest tests first, fewest bytes needed first. */
  private judge(p: number, left: number): Verdict {
    if (left < LENGTHS_LENGTH) return Verdict.NEED_MORE;
    const view = this.view;
    const length = view.getUint16(p);
    const dataOffset = view.getUint16(p + 2);
    if (length < MIN_ENTRY_LENGTH || length > this.maxEntryLength) return Verdict.REJECT;
    if (dataOffset < CTE_HEADER_LENGTH || dataOffset > length - 2) return Verdict.REJECT;
    if (left < CTE_HEADER_LENGTH) return Verdict.NEED_MORE;
    if (!isPlausibleTod(view.getUint32(p + 8), view.getUint32(p + 12))) return Verdict.REJECT;
    if (left < length) return Verdict.NEED_MORE;
    if (view.getUint16(p + length - 2) !== length) return Verdict.REJECT;
    return this.accept(p, length, dataOffset) ? Verdict.ENTRY : Verdict.REJECT;
  }

  /** Builds the candidate and asks the component check; on success it is the entry `next` hands out. */
  private accept(p: number, length: number, dataOffset: number): boolean {
    const candidate: CteEntry = {
      entryNumber: this.entryCount + 1,
      fileOffset: this.map.fileOffsetAt(p),
      formatId: this.view.getUint32(p + 4),
      todHigh: this.view.getUint32(p + 8),
      todLow: this.view.getUint32(p + 12),
      bytes: new Uint8Array(this.regionBuffer, this.regionOffset + p, length),
      dataOffset,
      dataEnd: length - 2,
    };
    if (this.check(candidate) !== null) return false;
    this.entryCount++;
    this.found = candidate;
    this.lastEntryInCarry = this.bytes === this.carry;
    return true;
  }

  /** Hands the skipped bytes [skipFrom, to) to the tracker as zero / non-zero runs per file segment. */
  private reportSkipped(to: number): void {
    const from = this.skipFrom;
    this.skipFrom = -1;
    if (from < 0) return;
    for (let i = from; i < to; ) {
      const segmentEnd = Math.min(to, this.map.segmentEnd(i));
      const fileBase = this.map.fileOffsetAt(i) - i;
      while (i < segmentEnd) {
        const zero = this.bytes[i] === 0;
        let j = zero ? zeroRunEnd(this.bytes, i + 1, segmentEnd) : i + 1;
        if (!zero) while (j < segmentEnd && this.bytes[j] !== 0) j++;
        this.skipped.add(fileBase + i, j - i, zero);
        i = j;
      }
    }
  }

  private scanChunk(chunk: LogicalChunk, start: number): void {
    this.carryLength = 0;
    this.chunkMap.reset(chunk.fileOffset);
    this.setRegion(chunk.bytes, viewOf(chunk.bytes), this.chunkMap, chunk.bytes.length, chunk.bytes.length, start);
  }

  private scanCarry(limit: number): void {
    this.setRegion(this.carry, this.carryView, this.carryMap, this.carryLength, limit, 0);
  }

  private setRegion(bytes: Uint8Array, view: DataView, map: OffsetMap, end: number, limit: number, pos: number): void {
    this.bytes = bytes;
    this.regionBuffer = bytes.buffer;
    this.regionOffset = bytes.byteOffset;
    this.view = view;
    this.map = map;
    this.end = end;
    this.limit = limit;
    this.pos = pos;
    this.skipFrom = -1;
  }

  /** Moves the unsettled tail [pos, end) of the region to the start of the carry. */
  private keepTail(): void {
    const tail = this.end - this.pos;
    if (this.bytes === this.carry) {
      this.carry.copyWithin(0, this.pos, this.end);
      this.carryMap.dropBefore(this.pos);
    } else {
      this.ensureCarry(tail);
      this.carry.set(this.bytes.subarray(this.pos, this.end), 0);
      this.carryMap.reset(this.map.fileOffsetAt(this.pos));
    }
    this.carryLength = tail;
    // Nothing left to scan until more input arrives (limit 0: a repeated `next` keeps the tail as it is).
    this.scanCarry(0);
  }

  private appendToCarry(bytes: Uint8Array, fileOffset: number): void {
    this.ensureCarry(this.carryLength + bytes.length);
    this.carry.set(bytes, this.carryLength);
    this.carryMap.append(this.carryLength, fileOffset);
    this.carryLength += bytes.length;
  }

  private ensureCarry(size: number): void {
    if (size <= this.carry.length) return;
    let capacity = this.carry.length * 2;
    while (capacity < size) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.carry.subarray(0, this.carryLength));
    this.carry = grown;
    this.carryView = viewOf(grown);
  }
}

/**
 * The valid entries in `chunks`, numbered from 1 in file order. Each entry's `bytes` is a view into the
 * scanner's buffers, valid only until the next entry is pulled: copy it to keep it.
 */
export async function* scanEntries(chunks: AsyncIterable<LogicalChunk>, options: ScanOptions): AsyncGenerator<CteEntry> {
  const scanner = new CteScanner(options);
  for await (const chunk of chunks) {
    scanner.push(chunk);
    for (let entry = scanner.next(); entry !== null; entry = scanner.next()) yield entry;
  }
  scanner.finish();
  for (let entry = scanner.next(); entry !== null; entry = scanner.next()) yield entry;
}
