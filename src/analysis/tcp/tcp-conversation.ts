/**
 * What the TCP analysis remembers about a connection, as plain data: one FlowState per direction and a
 * TcpConnection around the pair. Sequence numbers are unsigned 32-bit values compared in sequence space
 * (seqLess & co.); 0 stands for "not seen yet", as in Wireshark, so a flow whose numbers really pass 0
 * behaves as Wireshark's does.
 */
import { TrackedConnection } from '../connection-table.js';

/** Wireshark's tcp.completeness bits: which parts of a connection the capture holds. */
export const Completeness = { SYN_SENT: 1, SYN_ACK: 2, ACK: 4, DATA: 8, FIN: 16, RST: 32 } as const;

/** FlowState.windowScale before a shift count is known, and when the handshake said "no scaling". */
export const WindowScaleState = { UNKNOWN: -1, NOT_USED: -2 } as const;

/**
 * Wireshark stops remembering a flow's unacknowledged segments at this many (packet-tcp.h
 * TCP_MAX_UNACKED_SEGMENTS); past it a SYN or FIN no longer counts as one sequence number.
 */
export const MAX_UNACKED_SEGMENTS = 10_000;
const INITIAL_UNACKED_CAPACITY = 8;

/** a < b in sequence space (RFC 9293 §3.4). */
export function seqLess(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a > b in sequence space. */
export function seqGreater(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** a <= b in sequence space. */
export function seqLessOrEqual(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/**
 * The segments of one direction that the other side has not acknowledged yet, as [seq, nextSeq] pairs
 * in a typed array that grows only while data is in flight (never past MAX_UNACKED_SEGMENTS). Only the
 * count matters to the flags; the pairs are kept so an ACK removes exactly what Wireshark's list would.
 */
export class UnackedSegments {
  count = 0;
  private pairs: Uint32Array | null = null;

  /** Remembers a segment unless the cap is reached; false when it was not remembered. */
  add(seq: number, nextSeq: number): boolean {
    if (this.count >= MAX_UNACKED_SEGMENTS) return false;
    const pairs = this.room();
    pairs[2 * this.count] = seq;
    pairs[2 * this.count + 1] = nextSeq;
    this.count++;
    return true;
  }

  /** Drops every segment `ack` covers; one it covers in part now starts at `ack`. */
  acknowledge(ack: number): void {
    const pairs = this.pairs;
    if (pairs === null) return;
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      let seq = pairs[2 * i] ?? 0;
      const nextSeq = pairs[2 * i + 1] ?? 0;
      if (ack !== nextSeq && seqGreater(ack, seq) && seqLessOrEqual(ack, nextSeq)) seq = ack;
      if (ack === nextSeq || !seqGreater(nextSeq, ack)) continue;
      pairs[2 * kept] = seq;
      pairs[2 * kept + 1] = nextSeq;
      kept++;
    }
    this.count = kept;
    // Everything acknowledged: a table grown by a burst is let go (a quiet or closed flow keeps none).
    if (kept === 0 && pairs.length > 2 * INITIAL_UNACKED_CAPACITY) this.pairs = null;
  }

  clear(): void {
    this.count = 0;
  }

  private room(): Uint32Array {
    const pairs = this.pairs;
    if (pairs !== null && pairs.length >= 2 * (this.count + 1)) return pairs;
    const capacity = Math.min(MAX_UNACKED_SEGMENTS, Math.max(INITIAL_UNACKED_CAPACITY, 2 * this.count));
    const grown = new Uint32Array(2 * capacity);
    if (pairs !== null) grown.set(pairs.subarray(0, 2 * this.count));
    this.pairs = grown;
    return grown;
  }
}

/** The state of one direction of a connection (the sender's view of its own stream). */
export class FlowState {
  /** Initial sequence number (or the first seq − 1 when the SYN was not captured). */
  baseSeqKnown = false;
  baseSeq = 0;
  /** Highest seq + length (+1 for SYN/FIN) sent so far; 0 = nothing seen. */
  nextSeq = 0;
  nextSeqTimeSec = 0;
  nextSeqTimeNsec = 0;
  /** End of the data sent without a hole: an ACK beyond it acknowledges something not captured. */
  maxSeqToBeAcked = 0;
  /** The ACK number, raw window and time of this direction's last segment. */
  lastAck = 0;
  lastAckTimeSec = 0;
  lastAckTimeNsec = 0;
  /** Raw window field of the last segment; 0xffffffff before any (never equal to a real window). */
  window = 0xffffffff;
  /** Payload length of the segment that last moved nextSeq forward (0 = a pure ACK did). */
  lastAdvanceLength = 0;
  /** Duplicate ACKs sent in a row; -1 after an ACK of unseen data (so it is reported once). */
  duplicateAcks = 0;
  /** Shift count from the SYN, or a WindowScaleState value. */
  windowScale: number = WindowScaleState.UNKNOWN;
  /** True from this side's SYN until its first pure ACK: the window is not scaled yet. */
  beforeFirstAck = false;
  /** Analysis flags of this direction's last segment. */
  lastSegmentFlags = 0;
  readonly unacked = new UnackedSegments();
}

/**
 * One TCP connection between endpoint A (the sender of the first packet seen) and endpoint B: the
 * endpoints and table links of a TrackedConnection (its streamIndex is Wireshark's tcp.stream), and the
 * state of each direction.
 */
export class TcpConnection extends TrackedConnection {
  readonly flowA = new FlowState();
  readonly flowB = new FlowState();
  /** Completeness bits seen so far. */
  completeness = 0;
  /** Time of the most recent SYN (without ACK); 0/0 when none was seen (Wireshark's "zero time"). */
  synTimeSec = 0;
  synTimeNsec = 0;
  /** Handshake round trip in ns (SYN → first pure ACK), 0 while unknown. */
  initialRttNs = 0;
}
