/**
 * The per-segment checks behind Wireshark's tcp.analysis.* flags (Wireshark 4.0,
 * tcp_analyze_sequence_number in packet-tcp.c), in Wireshark's order, because the order decides:
 *
 *   1. zero-window probe (ends the window/ACK checks), zero window, previous segment lost, keep-alive,
 *      window update, window full, keep-alive ACK / zero-window-probe ACK (each ends them), duplicate ACK;
 *   2. ACK of a segment never seen;
 *   3. for data, SYN or FIN: keep-alive excludes the rest; spurious retransmission, then fast
 *      retransmission, then out-of-order, else retransmission when the segment does not advance;
 *   4. the flow remembers the segment: next expected seq, window, ACK and this segment's flags.
 *
 * Windows are compared raw (unscaled) except in the window-full check. Sequence numbers are unsigned
 * 32-bit values; time differences are exact integer nanoseconds.
 */
import { TcpFlags } from '../../net/tcp-header.js';
import { TcpAnalysisFlag as Flag } from './tcp-flags.js';
import { type FlowState, MAX_UNACKED_SEGMENTS, WindowScaleState, seqGreater, seqLess, seqLessOrEqual } from './tcp-conversation.js';

const SYN_OR_FIN = TcpFlags.SYN | TcpFlags.FIN;
const SYN_FIN_OR_RST = TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST;
/** A retransmission this soon after the peer's last duplicate ACK is a fast retransmission (Wireshark). */
const FAST_RETRANSMISSION_WINDOW_NS = 20_000_000;
/** Out-of-order window when the handshake round trip is unknown (Wireshark). */
const DEFAULT_OUT_OF_ORDER_WINDOW_NS = 3_000_000;

/** The facts of one segment the checks read. Reused from packet to packet. */
export class SegmentFacts {
  seq = 0;
  ack = 0;
  /** Payload length (from the IP lengths). */
  length = 0;
  /** TcpFlags bits. */
  tcpFlags = 0;
  /** Raw window field. */
  window = 0;
  timeSec = 0;
  timeNsec = 0;
  /** The connection's handshake round trip in ns; 0 when unknown. */
  initialRttNs = 0;
}

/** ns from then to the segment; negative when the capture's clock went backwards. */
function elapsedNs(s: SegmentFacts, thenSec: number, thenNsec: number): number {
  return (s.timeSec - thenSec) * 1e9 + (s.timeNsec - thenNsec);
}

/** Wireshark compares unsigned 64-bit differences: a negative one never counts as "soon". */
function within(s: SegmentFacts, thenSec: number, thenNsec: number, limitNs: number): boolean {
  const elapsed = elapsedNs(s, thenSec, thenNsec);
  return elapsed >= 0 && elapsed < limitNs;
}

function outOfOrderWindowNs(initialRttNs: number): number {
  if (initialRttNs === 0) return DEFAULT_OUT_OF_ORDER_WINDOW_NS;
  return initialRttNs < 0 ? Number.POSITIVE_INFINITY : initialRttNs; // negative wraps to huge, unsigned
}

function plain(s: SegmentFacts): boolean {
  return (s.tcpFlags & SYN_FIN_OR_RST) === 0;
}

/** 1 byte at the next expected seq while the peer advertises a zero window. */
function isZeroWindowProbe(s: SegmentFacts, fwd: FlowState, rev: FlowState): boolean {
  return s.length === 1 && s.seq === fwd.nextSeq && rev.window === 0;
}

/** Data reaching exactly the right edge of the window the peer last advertised (scaled once known). */
function fillsWindow(s: SegmentFacts, rev: FlowState): boolean {
  if (s.length === 0 || rev.windowScale === WindowScaleState.UNKNOWN) return false;
  const shift = rev.beforeFirstAck || rev.windowScale === WindowScaleState.NOT_USED ? 0 : rev.windowScale;
  const rightEdge = (rev.lastAck + ((rev.window << shift) >>> 0)) >>> 0;
  return ((s.seq + s.length) >>> 0) === rightEdge;
}

/** Step 1: window and ACK observations, with Wireshark's early exits. */
function windowAndAckChecks(s: SegmentFacts, fwd: FlowState, rev: FlowState, flags: number): number {
  if (isZeroWindowProbe(s, fwd, rev)) return flags | Flag.ZERO_WINDOW_PROBE;
  if (s.window === 0 && plain(s)) flags |= Flag.ZERO_WINDOW;
  if (fwd.nextSeq !== 0 && seqGreater(s.seq, fwd.nextSeq) && (s.tcpFlags & TcpFlags.RST) === 0) flags |= Flag.LOST_SEGMENT;
  if (s.length <= 1 && s.seq === ((fwd.nextSeq - 1) >>> 0) && plain(s)) flags |= Flag.KEEP_ALIVE;
  const repeatsLast = s.length === 0 && s.seq === fwd.nextSeq && s.ack === fwd.lastAck && plain(s);
  if (repeatsLast && s.window !== 0 && s.window !== fwd.window) flags |= Flag.WINDOW_UPDATE;
  if (fillsWindow(s, rev) && plain(s)) flags |= Flag.WINDOW_FULL;
  if (!repeatsLast || s.window !== fwd.window) return flags;
  if (s.window !== 0 && (rev.lastSegmentFlags & Flag.KEEP_ALIVE) !== 0) return flags | Flag.KEEP_ALIVE_ACK;
  if (s.window === 0 && (rev.lastSegmentFlags & Flag.ZERO_WINDOW_PROBE) !== 0) return flags | Flag.ZERO_WINDOW_PROBE_ACK;
  if (s.window === 0) return flags;
  fwd.duplicateAcks = fwd.duplicateAcks === -1 ? 1 : fwd.duplicateAcks + 1;
  return flags | Flag.DUPLICATE_ACK;
}

/**
 * Step 2: an ACK beyond everything the peer was seen to send. Reported once per gap: the mark moves up,
 * or (when it cannot) the peer's duplicate-ACK count is parked at -1.
 */
function ackOfUnseenSegment(s: SegmentFacts, rev: FlowState): number {
  if (rev.maxSeqToBeAcked === 0 || !seqGreater(s.ack, rev.maxSeqToBeAcked) || (s.tcpFlags & TcpFlags.ACK) === 0) return 0;
  if (seqLess(rev.maxSeqToBeAcked, rev.nextSeq)) {
    rev.maxSeqToBeAcked = rev.nextSeq;
    return Flag.ACK_LOST_SEGMENT;
  }
  const first = rev.duplicateAcks === 0;
  rev.duplicateAcks = -1;
  return first ? Flag.ACK_LOST_SEGMENT : 0;
}

/** A segment below the next expected seq that fills a hole rather than repeating data. */
function fillsHole(s: SegmentFacts, fwd: FlowState): boolean {
  const end = (s.seq + s.length + ((s.tcpFlags & SYN_OR_FIN) !== 0 ? 1 : 0)) >>> 0;
  return fwd.nextSeq !== end || fwd.lastAdvanceLength === 0;
}

/** Step 3, for segments carrying data, SYN or FIN. */
function retransmissionKind(s: SegmentFacts, fwd: FlowState, rev: FlowState, flags: number): number {
  if ((flags & Flag.KEEP_ALIVE) !== 0) return 0;
  // The first segment after a zero-window probe starts at nextSeq − 1 and still brings new data.
  const resumesAfterProbe = s.length > 1 && ((fwd.nextSeq - 1) >>> 0) === s.seq;
  const notAdvanced = fwd.nextSeq !== 0 && seqLess(s.seq, fwd.nextSeq) && !resumesAfterProbe;
  if (s.length > 0 && rev.lastAck !== 0 && seqLessOrEqual((s.seq + s.length) >>> 0, rev.lastAck)) {
    return Flag.SPURIOUS_RETRANSMISSION | Flag.RETRANSMISSION;
  }
  if (!notAdvanced) return 0;
  if (rev.duplicateAcks >= 2 && rev.lastAck === s.seq && within(s, rev.lastAckTimeSec, rev.lastAckTimeNsec, FAST_RETRANSMISSION_WINDOW_NS)) {
    return Flag.FAST_RETRANSMISSION | Flag.RETRANSMISSION;
  }
  if (within(s, fwd.nextSeqTimeSec, fwd.nextSeqTimeNsec, outOfOrderWindowNs(s.initialRttNs)) && fillsHole(s, fwd)) {
    return Flag.OUT_OF_ORDER;
  }
  return Flag.RETRANSMISSION;
}

/** Step 4: what the flow remembers of this segment. */
function recordSegment(s: SegmentFacts, fwd: FlowState, flags: number): void {
  const synOrFin = (s.tcpFlags & SYN_OR_FIN) !== 0;
  let nextSeq = (s.seq + s.length) >>> 0;
  // Wireshark counts SYN/FIN as a sequence number only while it can still list the segment.
  if ((s.length > 0 || synOrFin) && fwd.unacked.count < MAX_UNACKED_SEGMENTS) {
    if (synOrFin) nextSeq = (nextSeq + 1) >>> 0;
    fwd.unacked.add(s.seq, nextSeq);
  }
  if (fwd.nextSeq === 0 || seqGreater(nextSeq, (fwd.nextSeq + (synOrFin ? 1 : 0)) >>> 0)) fwd.lastAdvanceLength = s.length;
  const probe = (flags & Flag.ZERO_WINDOW_PROBE) !== 0; // a probe's byte does not move the stream on
  if ((fwd.nextSeq === 0 || seqGreater(nextSeq, fwd.nextSeq)) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTimeSec = s.timeSec;
    fwd.nextSeqTimeNsec = s.timeNsec;
  }
  if ((fwd.maxSeqToBeAcked === 0 || s.seq === fwd.maxSeqToBeAcked) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;
  fwd.window = s.window;
  fwd.lastAck = s.ack;
  fwd.lastAckTimeSec = s.timeSec;
  fwd.lastAckTimeNsec = s.timeNsec;
  fwd.lastSegmentFlags = flags;
}

/**
 * Runs the checks for one segment sent by `fwd` to `rev`, updates both flows and returns the analysis
 * flags (TcpAnalysisFlag bits). `initialFlags` are flags already found for the segment (reused ports).
 */
export function analyzeSequence(s: SegmentFacts, fwd: FlowState, rev: FlowState, initialFlags: number): number {
  let flags = windowAndAckChecks(s, fwd, rev, initialFlags);
  if (s.ack !== fwd.lastAck) fwd.duplicateAcks = 0;
  flags |= ackOfUnseenSegment(s, rev);
  if (s.length > 0 || (s.tcpFlags & SYN_OR_FIN) !== 0) flags |= retransmissionKind(s, fwd, rev, flags);
  recordSegment(s, fwd, flags);
  rev.unacked.acknowledge(s.ack);
  return flags;
}
