/**
 * Joins the entries of a segmented packet record (contract §3.1): entries that share PTH_Time and
 * PTH_Tlen, numbered from 0 (which holds the IP and transport headers) upward, wrapping from 255 to 1,
 * each carrying its data offset within the packet. Bytes collect in a reused buffer; a missing piece ends
 * the set, and the caller emits what was collected before the gap.
 */

/**
 * Largest packet the assembler rebuilds: IPv4 total length tops out at 65535, IPv6 at a 65535-byte
 * payload plus its 40-byte fixed header. Jumbograms (RFC 2675) do not cross the links the stack traces.
 */
export const MAX_REASSEMBLED_PACKET = 65535 + 40;

/** PTH_SeqNum runs 0, 1, ..., 255, 1, 2, ... (0 only ever marks a first segment). */
const LAST_SEGMENT_NUMBER = 255;

export type AppendOutcome = 'more' | 'complete' | 'gap';

export interface FinishedSet<Context> {
  context: Context;
  /** The collected bytes: a view into the assembler's buffer, valid until the set after next starts. */
  data: Uint8Array;
  /** Entries that contributed bytes. */
  received: number;
}

export class SegmentAssembler<Context> {
  /**
   * Two buffers used in turn, so a set cut short by the first segment of the next one stays readable
   * while the next one collects.
   */
  private readonly buffers: (Uint8Array | null)[] = [null, null];
  private which = 1;
  private buffer: Uint8Array = new Uint8Array(0);
  private context: Context | null = null;
  private collecting = false;
  private length = 0;
  private expected = 0;
  private received = 0;
  private nextSegment = 1;
  private todHigh = 0;
  private todLow = 0;
  private tracedLength = 0;

  /** True while a set is collecting. */
  get active(): boolean {
    return this.collecting;
  }

  /** Bytes collected so far in the current set. */
  get collected(): number {
    return this.length;
  }

  /**
   * Starts a set with its first segment's bytes [from, to). `expectedLength` is the packet length to
   * collect (at most MAX_REASSEMBLED_PACKET); `context` rides along to the finished set.
   */
  start(context: Context, key: { todHigh: number; todLow: number; tracedLength: number }, expectedLength: number, bytes: Uint8Array, from: number, to: number): void {
    this.which ^= 1;
    this.buffer = this.buffers[this.which] ??= new Uint8Array(MAX_REASSEMBLED_PACKET);
    this.context = context;
    this.collecting = true;
    this.todHigh = key.todHigh;
    this.todLow = key.todLow;
    this.tracedLength = key.tracedLength;
    this.expected = Math.min(expectedLength, MAX_REASSEMBLED_PACKET);
    this.length = 0;
    this.received = 0;
    this.nextSegment = 1;
    this.copy(bytes, from, to);
  }

  /** Whether an entry with this capture time and traced length belongs to the set in progress. */
  continues(todHigh: number, todLow: number, tracedLength: number): boolean {
    return this.active && todHigh === this.todHigh && todLow === this.todLow && tracedLength === this.tracedLength;
  }

  /**
   * Adds a later segment. A segment number or offset other than the next expected means a piece is
   * missing: nothing is added and the caller should end the set.
   */
  append(segmentNumber: number, offset: number, bytes: Uint8Array, from: number, to: number): AppendOutcome {
    if (!this.active || segmentNumber !== this.nextSegment || offset !== this.length) return 'gap';
    this.copy(bytes, from, to);
    this.nextSegment = segmentNumber === LAST_SEGMENT_NUMBER ? 1 : segmentNumber + 1;
    return this.length >= this.expected ? 'complete' : 'more';
  }

  /** Ends the set in progress (null when none). */
  finish(): FinishedSet<Context> | null {
    if (!this.collecting) return null;
    const context = this.context as Context;
    this.collecting = false;
    this.context = null;
    return { context, data: this.buffer.subarray(0, this.length), received: this.received };
  }

  /** Copies bytes [from, to) at the end of the set, never past the buffer (bounded by construction). */
  private copy(bytes: Uint8Array, from: number, to: number): void {
    const end = Math.min(to, bytes.length, from + (this.buffer.length - this.length));
    if (end > from) {
      this.buffer.set(bytes.subarray(from, end), this.length);
      this.length += end - from;
    }
    this.received++;
  }
}
