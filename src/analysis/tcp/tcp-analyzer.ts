/**
 * Feeds captured packets, in capture order, through the TCP analysis and answers, for each, the set of
 * Wireshark tcp.analysis.* flags (a TcpAnalysisFlag mask; tshark 4.0 gives the same answers on the same
 * packets). Around the per-segment checks it keeps Wireshark's connection bookkeeping: which connection
 * a segment belongs to, a new connection when a SYN reuses a known 4-tuple, initial sequence numbers,
 * the handshake round trip and the window-scale negotiation.
 *
 * Deliberate differences from Wireshark (documented, rare):
 *  - connections idle longer than `idleTimeoutSec` (closed ones: `closedTimeoutSec`), or beyond
 *    `maxConnections`, are forgotten (Wireshark keeps every one): a forgotten connection that resumes
 *    starts afresh, and a SYN on its ports is a new connection without "reused ports";
 *  - IP fragments are skipped (Wireshark reassembles and analyses the whole segment in the last
 *    fragment's frame);
 *  - TCP headers quoted inside ICMP errors, and segments whose IP length cannot hold their TCP header,
 *    are skipped (Wireshark still files them under a conversation, though it analyses neither);
 *  - MPTCP's tolerance of duplicate ACKs is not modelled.
 */
import type { TracePacket } from '../../model/trace-packet.js';
import { TcpPacketView, readTcpSegment } from '../../net/packet-view.js';
import { MAX_WINDOW_SCALE, TCP_MIN_HEADER, TcpFlags, TcpOptions, readTcpOptions } from '../../net/tcp-header.js';
import { TcpAnalysisFlag } from './tcp-flags.js';
import { Completeness, type FlowState, TcpConnection, WindowScaleState } from './tcp-conversation.js';
import { type ConnectionLimits, ConnectionTable, sentByA } from '../connection-table.js';
import { SegmentFacts, analyzeSequence } from './tcp-sequence-analysis.js';

export interface TcpAnalyzerOptions extends Partial<ConnectionLimits> {
  /** Hears of each connection the analyzer forgets (idle, over the cap, or replaced by a new one on its ports). */
  onForget?: (c: TcpConnection) => void;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  // Longer than the usual 2-hour TCP keep-alive idle time, so a keep-alive still finds its connection.
  idleTimeoutSec: 3 * 3600,
  // After a FIN or RST: long enough for late retransmissions and the last ACKs, and to tell a port reused
  // soon after from a new connection (the report's threshold closedConnectionSec).
  closedTimeoutSec: 30,
  // About 1 KB each (2.5 KB with the connection analyzer's record; threshold maxTrackedConnections).
  maxConnections: 50_000,
};

/** A connection is closed once a FIN or a RST was seen: it waits for closedTimeoutSec only. */
function isClosed(c: TcpConnection): boolean {
  return (c.completeness & (Completeness.FIN | Completeness.RST)) !== 0;
}

const SYN_ACK = TcpFlags.SYN | TcpFlags.ACK;

export class TcpAnalyzer {
  private readonly connections: ConnectionTable<TcpConnection>;
  /** The view analyzeFrame reads into; `view` is the segment being analysed (this one, or the caller's). */
  private readonly ownView = new TcpPacketView();
  private view = this.ownView;
  private readonly options = new TcpOptions();
  private readonly segment = new SegmentFacts();
  private connection: TcpConnection | null = null;
  private fromA = false;
  /** Facts of the current segment's connection lookup. */
  private newConnection = false;
  private reusedPorts = false;

  constructor(options: TcpAnalyzerOptions = {}) {
    const limits: ConnectionLimits = {
      idleTimeoutSec: options.idleTimeoutSec ?? DEFAULT_CONNECTION_LIMITS.idleTimeoutSec,
      closedTimeoutSec: options.closedTimeoutSec ?? DEFAULT_CONNECTION_LIMITS.closedTimeoutSec,
      maxConnections: options.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections,
    };
    this.connections = new ConnectionTable(limits, () => new TcpConnection(), isClosed, options.onForget ?? null);
  }

  /** The flags of one packet; 0 when it holds no analysable TCP segment. */
  analyze(packet: TracePacket): number {
    return this.analyzeFrame(packet.data, packet.interface.linkType, packet.originalLength, packet.timeSec, packet.timeNsec);
  }

  /** analyze() for a frame given by its parts (link type, wire length, capture time). */
  analyzeFrame(data: Uint8Array, linkType: number, originalLength: number, timeSec: number, timeNsec: number): number {
    this.connection = null;
    if (!readTcpSegment(data, linkType, originalLength, this.ownView)) return 0;
    return this.analyzeView(this.ownView, data, timeSec, timeNsec);
  }

  /** analyze() for a segment the caller has already read (readTcpSegment) from the frame's bytes `data`. */
  analyzeView(view: TcpPacketView, data: Uint8Array, timeSec: number, timeNsec: number): number {
    this.view = view;
    this.fillSegment(timeSec, timeNsec);
    const flags = this.analyzeSegment(data);
    if (this.connection !== null) this.connections.touch(this.connection, timeSec);
    return flags;
  }

  /** The connection of the last analysed segment (null after a packet without one). */
  get lastConnection(): TcpConnection | null {
    return this.connection;
  }

  /** True when the last analysed segment went from endpoint A (its connection's first sender) to B. */
  get lastSentByA(): boolean {
    return this.fromA;
  }

  /** Connections tracked now, and forgotten so far (idle or over the cap). */
  get trackedConnections(): number {
    return this.connections.size;
  }

  get evictedConnections(): number {
    return this.connections.evicted;
  }

  private fillSegment(timeSec: number, timeNsec: number): void {
    const s = this.segment;
    const tcp = this.view.tcp;
    s.seq = tcp.seq;
    s.ack = tcp.ack;
    s.length = this.view.payloadLength;
    s.tcpFlags = tcp.flags;
    s.window = tcp.window;
    s.timeSec = timeSec;
    s.timeNsec = timeNsec;
  }

  private analyzeSegment(data: Uint8Array): number {
    const s = this.segment;
    const c = this.connectionFor();
    this.connection = c;
    this.fromA = sentByA(c, this.view);
    const fwd = this.fromA ? c.flowA : c.flowB;
    const rev = this.fromA ? c.flowB : c.flowA;
    const initialFlags = (this.reusedPorts ? TcpAnalysisFlag.REUSED_PORTS : 0) | this.synAckReuse(fwd);
    this.learnBaseSeqs(fwd, rev);
    s.initialRttNs = c.initialRttNs;
    const flags = analyzeSequence(s, fwd, rev, initialFlags);
    // Wireshark stops dissecting a header shorter than 20 bytes right after the analysis.
    if (this.view.tcp.headerLength < TCP_MIN_HEADER) return flags;
    this.noteCompleteness(c, this.newConnection);
    this.noteHandshake(c, fwd);
    this.noteOptions(data, fwd, rev);
    return flags;
  }

  /**
   * The connection of this segment: the tracked one, or a new one for a first packet, or for a SYN with
   * a new ISN (or after a RST or FIN) on a known 4-tuple: port reuse, as Wireshark decides it.
   */
  private connectionFor(): TcpConnection {
    const s = this.segment;
    const known = this.connections.find(this.view, s.timeSec);
    this.newConnection = known === null;
    this.reusedPorts = false;
    if (known === null) return this.connections.open(this.view, s.timeSec);
    const fwd = sentByA(known, this.view) ? known.flowA : known.flowB;
    if ((s.tcpFlags & SYN_ACK) !== TcpFlags.SYN || !fwd.baseSeqKnown) return known;
    if (s.seq === fwd.baseSeq && (known.completeness & (Completeness.RST | Completeness.FIN)) === 0) {
      fwd.nextSeq = fwd.maxSeqToBeAcked; // the same SYN again: resume where the handshake was
      return known;
    }
    const c = this.connections.open(this.view, s.timeSec);
    c.completeness = Completeness.SYN_SENT;
    this.reusedPorts = true;
    return c;
  }

  /** A SYN-ACK with a new ISN on a known connection: Wireshark takes the new base and flags the reuse. */
  private synAckReuse(fwd: FlowState): number {
    const s = this.segment;
    if ((s.tcpFlags & SYN_ACK) !== SYN_ACK || !fwd.baseSeqKnown || s.seq === fwd.baseSeq) return 0;
    fwd.baseSeq = s.seq;
    return TcpAnalysisFlag.REUSED_PORTS;
  }

  /** Initial sequence numbers: from the SYN, else the first seq − 1; the peer's from the first ACK. */
  private learnBaseSeqs(fwd: FlowState, rev: FlowState): void {
    const s = this.segment;
    if (!fwd.baseSeqKnown) {
      fwd.baseSeq = (s.tcpFlags & TcpFlags.SYN) !== 0 ? s.seq : (s.seq - 1) >>> 0;
      fwd.baseSeqKnown = true;
    }
    if (!rev.baseSeqKnown && (s.tcpFlags & TcpFlags.ACK) !== 0) {
      rev.baseSeq = (s.ack - 1) >>> 0;
      rev.baseSeqKnown = true;
    }
  }

  /** Completeness bits; the first packet of a connection counts only as a SYN. */
  private noteCompleteness(c: TcpConnection, isNew: boolean): void {
    const flags = this.segment.tcpFlags;
    const hasData = this.segment.length > 0;
    if (isNew) {
      const opened = (flags & SYN_ACK) === TcpFlags.SYN;
      c.completeness = opened ? Completeness.SYN_SENT | (hasData ? Completeness.DATA : 0) : 0;
      return;
    }
    if ((flags & SYN_ACK) === SYN_ACK) c.completeness |= Completeness.SYN_ACK;
    if ((flags & SYN_ACK) === TcpFlags.ACK) c.completeness |= hasData ? Completeness.DATA : Completeness.ACK;
    if ((flags & (TcpFlags.FIN | TcpFlags.ACK)) === (TcpFlags.FIN | TcpFlags.ACK)) c.completeness |= Completeness.FIN;
    if ((flags & TcpFlags.RST) !== 0) c.completeness |= Completeness.RST;
  }

  /** SYN time, the handshake round trip (SYN → first pure ACK) and the "window not scaled yet" span. */
  private noteHandshake(c: TcpConnection, fwd: FlowState): void {
    const s = this.segment;
    if ((s.tcpFlags & TcpFlags.SYN) !== 0) {
      if ((s.tcpFlags & TcpFlags.ACK) === 0) {
        c.synTimeSec = s.timeSec;
        c.synTimeNsec = s.timeNsec;
      }
      fwd.beforeFirstAck = true;
    }
    if ((s.tcpFlags & SYN_ACK) !== TcpFlags.ACK) return;
    const sawSyn = c.synTimeSec !== 0 || c.synTimeNsec !== 0;
    if (sawSyn && c.initialRttNs === 0) c.initialRttNs = (s.timeSec - c.synTimeSec) * 1e9 + (s.timeNsec - c.synTimeNsec);
    fwd.beforeFirstAck = false;
  }

  /**
   * A window-scale option (on any segment, as Wireshark takes it) sets this side's shift; a SYN settles
   * whether scaling is in use. A capture cut inside the options ends here, as Wireshark's dissection does.
   */
  private noteOptions(data: Uint8Array, fwd: FlowState, rev: FlowState): void {
    const view = this.view;
    if (view.tcp.headerLength > TCP_MIN_HEADER) {
      readTcpOptions(data, view.tcpOffset, view.tcp.headerLength, data.length, this.options);
      if (this.options.windowScale >= 0) fwd.windowScale = Math.min(this.options.windowScale, MAX_WINDOW_SCALE);
      if (this.options.truncated) return;
    }
    if ((this.segment.tcpFlags & TcpFlags.SYN) !== 0) settleWindowScaling(fwd, rev, (this.segment.tcpFlags & TcpFlags.ACK) !== 0);
  }
}

/**
 * After a SYN: no window-scale option on it means neither side scales; a SYN-ACK with the option
 * answering a SYN without one scales nothing either (RFC 7323 §2.2).
 */
function settleWindowScaling(fwd: FlowState, rev: FlowState, isSynAck: boolean): void {
  if (fwd.windowScale === WindowScaleState.UNKNOWN) {
    fwd.windowScale = WindowScaleState.NOT_USED;
    rev.windowScale = WindowScaleState.NOT_USED;
  } else if (isSynAck && rev.windowScale === WindowScaleState.NOT_USED) {
    fwd.windowScale = WindowScaleState.NOT_USED;
  }
}
