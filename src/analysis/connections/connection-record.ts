/**
 * What the report says about one TCP connection, built packet by packet: Zeek's endpoint states, packets
 * and bytes each way, RTT, retransmitted bytes, duplicate ACKs, zero-window time, MSS and window scale,
 * and the session's split of elapsed time into server time and network time (exception-catalog B.4).
 *
 * Times inside a record are integer nanoseconds since the record's first packet (exact for any session
 * shorter than 100 days), so no BigInt and no float drift.
 *
 * Local and remote: the local side is the traced host, the sender of the packets the input marks
 * outbound; when the input does not say (a pcap), the originator is taken as local, as in a trace taken
 * at the client. RTT samples are the ACK trip of the local side's segments, as seen at the trace point.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { EvidenceRef } from '../finding.js';
import { evidenceOf } from '../analyzed-packet.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { seqLessOrEqual, seqGreater } from '../tcp/tcp-conversation.js';
import { TcpAnalysisFlag } from '../tcp/tcp-flags.js';
import { TcpFlags, TcpOptions, readTcpOptions, MAX_WINDOW_SCALE } from '../../net/tcp-header.js';
import { EndpointState, type EndpointStateValue, connState, nextState, peerStateAfterAck } from './conn-state.js';
import { type SessionStep, stepOf } from './session-steps.js';

const RETRANSMITTED = TcpAnalysisFlag.RETRANSMISSION | TcpAnalysisFlag.FAST_RETRANSMISSION | TcpAnalysisFlag.SPURIOUS_RETRANSMISSION;
/** Segments that are not an answer to anything: probes and keep-alives. */
const NOT_A_RESPONSE = RETRANSMITTED | TcpAnalysisFlag.ZERO_WINDOW_PROBE | TcpAnalysisFlag.KEEP_ALIVE | TcpAnalysisFlag.OUT_OF_ORDER;
/** Flags that make a session worth a ladder as soon as they appear. */
export const NOTABLE_FLAGS =
  RETRANSMITTED |
  TcpAnalysisFlag.OUT_OF_ORDER |
  TcpAnalysisFlag.LOST_SEGMENT |
  TcpAnalysisFlag.ACK_LOST_SEGMENT |
  TcpAnalysisFlag.DUPLICATE_ACK |
  TcpAnalysisFlag.ZERO_WINDOW |
  TcpAnalysisFlag.WINDOW_FULL;
/** Outstanding local segments remembered for RTT samples. */
const RTT_PENDING = 8;
/** First packets of every session kept for its ladder and late evidence. */
export const INLINE_STEPS = 4;

const HISTORY_LETTERS = { SYN: 'S', SYN_ACK: 'H', ACK: 'A', DATA: 'D', FIN: 'F', RST: 'R', RETRANSMISSION: 'T', ZERO_WINDOW: 'W' } as const;
type HistoryEvent = keyof typeof HISTORY_LETTERS;
const HISTORY_BITS: Record<HistoryEvent, number> = { SYN: 1, SYN_ACK: 2, ACK: 4, DATA: 8, FIN: 16, RST: 32, RETRANSMISSION: 64, ZERO_WINDOW: 128 };

const options = new TcpOptions();

/** The times (ns) above which a gap or an ACK trip is kept as evidence for a finding. */
export interface RecordLimits {
  transferGapNs: number;
  idleGapNs: number;
  highRttNs: number;
}

/**
 * The longest pause of one kind in a session (exception-catalog PERF-11): its length, the packets around
 * it, and the packet that ended it as evidence (kept only once the pause reaches the finding's threshold).
 */
export class LongestGap {
  ns = 0;
  beforeFrame = 0;
  afterFrame = 0;
  evidence: EvidenceRef | null = null;
}

export class ConnectionRecord {
  readonly originatorIsA: boolean;
  /** True when A is the traced (local) host; null until a packet's direction tells. */
  localIsA: boolean | null = null;
  readonly startSec: number;
  readonly startNsec: number;
  lastNs = 0;
  packetsA = 0;
  packetsB = 0;
  bytesA = 0;
  bytesB = 0;
  payloadA = 0;
  payloadB = 0;
  stateA: EndpointStateValue = EndpointState.INACTIVE;
  stateB: EndpointStateValue = EndpointState.INACTIVE;
  synsA = 0;
  synsB = 0;
  synAckFromA = false;
  synAckFromB = false;
  history = '';
  private historySeenA = 0;
  private historySeenB = 0;
  rttMinNs = Number.POSITIVE_INFINITY;
  rttMaxNs = 0;
  rttSumNs = 0;
  rttSamples = 0;
  /** Sum of the changes between successive ACK trip times (jitter = sum / (samples − 1)). */
  rttJitterSumNs = 0;
  private lastRttNs = 0;
  /** The ACK that ended the longest trip, once that trip is above the high-RTT threshold. */
  slowestAck: EvidenceRef | null = null;
  /** The ACK that completed the handshake, once the handshake took longer than the high-RTT threshold. */
  slowHandshake: EvidenceRef | null = null;
  /** Longest pauses while something waited to be acknowledged (a transfer) and while nothing did (idle). */
  readonly transferGap = new LongestGap();
  readonly idleGap = new LongestGap();
  /** Whether something waited after the previous packet: sent data unacknowledged, or a zero window. */
  private waiting = false;
  private previousFrame = 0;
  /** Outstanding local segments as [end seq, time] pairs: the first `pendingLength` entries (the array never shrinks). */
  private readonly pending: number[] = [];
  private pendingLength = 0;
  retransmittedBytes = 0;
  duplicateAcks = 0;
  zeroWindowNs = 0;
  private stallFromA = Number.NaN;
  private stallFromB = Number.NaN;
  mssA = -1;
  mssB = -1;
  /** Window scale shift offered in each side's SYN; -1 none offered, -2 no SYN seen. */
  windowScaleA = -2;
  windowScaleB = -2;
  serverNs = 0;
  networkNs = 0;
  private previousFromLocal = false;
  private previousNs = 0;
  private maxAckA = 0;
  private maxAckB = 0;
  private ackSeenA = false;
  private ackSeenB = false;
  flagsSeen = 0;
  reusedPorts = false;
  /** The first packets (null once the session has shown it is a normal one), and the ladder when promoted. */
  steps: SessionStep[] | null = [];
  ladder: SessionStep[] | null = null;
  ladderOmitted = 0;
  /** Response time: when the originator's current request began (NaN when none is waiting). */
  private requestStartNs = Number.NaN;

  constructor(
    readonly connection: TcpConnection,
    first: AnalyzedPacket,
    private readonly limits: RecordLimits = { transferGapNs: Number.POSITIVE_INFINITY, idleGapNs: Number.POSITIVE_INFINITY, highRttNs: Number.POSITIVE_INFINITY },
  ) {
    this.startSec = first.packet.timeSec;
    this.startNsec = first.packet.timeNsec;
    const flags = first.tcp!.tcp.flags;
    // A first packet that is a SYN-ACK was sent by the responder: its SYN went by before the trace began.
    const synAck = (flags & (TcpFlags.SYN | TcpFlags.ACK)) === (TcpFlags.SYN | TcpFlags.ACK);
    this.originatorIsA = synAck ? first.tcpFromA !== true : first.tcpFromA === true;
  }

  /** Nanoseconds since the first packet. */
  private relative(p: AnalyzedPacket): number {
    return (p.packet.timeSec - this.startSec) * 1e9 + (p.packet.timeNsec - this.startNsec);
  }

  get elapsedSec(): number {
    return this.lastNs / 1e9;
  }

  /** Both sides sent data: the session has shown itself to work. */
  get exchangedData(): boolean {
    return this.payloadA > 0 && this.payloadB > 0;
  }

  /** Updates everything with one segment; returns the response time it completed (ns), or -1. */
  observe(p: AnalyzedPacket, datagramLength: number): number {
    const tcp = p.tcp!;
    const fromA = p.tcpFromA === true;
    const now = Math.max(this.relative(p), this.lastNs);
    const flags = tcp.tcp.flags;
    this.flagsSeen |= p.tcpFlags;
    if ((p.tcpFlags & TcpAnalysisFlag.REUSED_PORTS) !== 0) this.reusedPorts = true;
    if (this.localIsA === null && p.packet.direction !== 'unknown') this.localIsA = (p.packet.direction === 'outbound') === fromA;
    this.count(fromA, datagramLength, tcp.payloadLength, p.tcpFlags);
    this.updateStates(fromA, flags);
    this.noteHistory(fromA, flags, tcp.payloadLength, p.tcpFlags, tcp.tcp.window);
    if ((flags & TcpFlags.SYN) !== 0) this.noteSynOptions(p, fromA);
    this.noteZeroWindow(fromA, flags, tcp.tcp.window, now);
    this.splitElapsed(p, fromA, now);
    this.sampleRtt(p, fromA, now);
    this.waiting = this.somethingWaits();
    if (this.slowHandshake === null && this.connection.initialRttNs > this.limits.highRttNs) {
      this.slowHandshake = evidenceOf(p, `completes a handshake that took ${(this.connection.initialRttNs / 1e9).toFixed(3)} s`);
    }
    this.previousFrame = p.frame;
    this.lastNs = now;
    return this.responseTime(p, fromA, now);
  }

  private count(fromA: boolean, bytes: number, payload: number, analysis: number): void {
    if (fromA) {
      this.packetsA++;
      this.bytesA += bytes;
      this.payloadA += payload;
    } else {
      this.packetsB++;
      this.bytesB += bytes;
      this.payloadB += payload;
    }
    if ((analysis & RETRANSMITTED) !== 0) this.retransmittedBytes += payload;
    if ((analysis & TcpAnalysisFlag.DUPLICATE_ACK) !== 0) this.duplicateAcks++;
  }

  private updateStates(fromA: boolean, flags: number): void {
    const synOnly = (flags & (TcpFlags.SYN | TcpFlags.ACK)) === TcpFlags.SYN;
    const synAck = (flags & (TcpFlags.SYN | TcpFlags.ACK)) === (TcpFlags.SYN | TcpFlags.ACK);
    if (fromA) {
      if (synOnly) this.synsA++;
      if (synAck) this.synAckFromA = true;
      this.stateA = nextState(this.stateA, this.stateB, flags);
      this.stateB = peerStateAfterAck(this.stateB, this.stateA, flags);
    } else {
      if (synOnly) this.synsB++;
      if (synAck) this.synAckFromB = true;
      this.stateB = nextState(this.stateB, this.stateA, flags);
      this.stateA = peerStateAfterAck(this.stateA, this.stateB, flags);
    }
  }

  private noteHistory(fromA: boolean, flags: number, payload: number, analysis: number, window: number): void {
    const synAck = TcpFlags.SYN | TcpFlags.ACK;
    if ((flags & synAck) === TcpFlags.SYN) this.historyEvent(fromA, 'SYN');
    if ((flags & synAck) === synAck) this.historyEvent(fromA, 'SYN_ACK');
    if ((flags & (synAck | TcpFlags.FIN | TcpFlags.RST)) === TcpFlags.ACK && payload === 0) this.historyEvent(fromA, 'ACK');
    if (payload > 0) this.historyEvent(fromA, 'DATA');
    if ((flags & TcpFlags.FIN) !== 0) this.historyEvent(fromA, 'FIN');
    if ((flags & TcpFlags.RST) !== 0) this.historyEvent(fromA, 'RST');
    if ((analysis & RETRANSMITTED) !== 0) this.historyEvent(fromA, 'RETRANSMISSION');
    if (window === 0 && (flags & (TcpFlags.SYN | TcpFlags.RST)) === 0) this.historyEvent(fromA, 'ZERO_WINDOW');
  }

  /** Each letter once per side: upper case when the originator sent it. */
  private historyEvent(fromA: boolean, event: HistoryEvent): void {
    const bit = HISTORY_BITS[event];
    const seen = fromA ? this.historySeenA : this.historySeenB;
    if ((seen & bit) !== 0) return;
    if (fromA) this.historySeenA |= bit;
    else this.historySeenB |= bit;
    const letter = HISTORY_LETTERS[event];
    this.history += fromA === this.originatorIsA ? letter : letter.toLowerCase();
  }

  private noteSynOptions(p: AnalyzedPacket, fromA: boolean): void {
    const tcp = p.tcp!;
    readTcpOptions(p.packet.data, tcp.tcpOffset, tcp.tcp.headerLength, p.packet.data.length, options);
    const scale = options.windowScale >= 0 ? Math.min(options.windowScale, MAX_WINDOW_SCALE) : -1;
    if (fromA) {
      if (options.mss >= 0) this.mssA = options.mss;
      this.windowScaleA = scale;
    } else {
      if (options.mss >= 0) this.mssB = options.mss;
      this.windowScaleB = scale;
    }
  }

  /** Zero-window time: from a side's window 0 until that side opens it again. */
  private noteZeroWindow(fromA: boolean, flags: number, window: number, now: number): void {
    if ((flags & (TcpFlags.SYN | TcpFlags.RST)) !== 0) return;
    const started = fromA ? this.stallFromA : this.stallFromB;
    if (window === 0) {
      if (!Number.isNaN(started)) return;
      if (fromA) this.stallFromA = now;
      else this.stallFromB = now;
    } else if (!Number.isNaN(started)) {
      this.zeroWindowNs += now - started;
      if (fromA) this.stallFromA = Number.NaN;
      else this.stallFromB = Number.NaN;
    }
  }

  private isLocal(fromA: boolean): boolean {
    return fromA === (this.localIsA ?? this.originatorIsA);
  }

  /**
   * Elapsed = server time + network time: a gap from a local packet to a remote packet that answers it
   * (acknowledges something new, carries new data, or is the SYN-ACK) is network time; every other gap
   * (the local host's turnaround, waits ended by retransmissions, probes or keep-alives) is server time.
   */
  private splitElapsed(p: AnalyzedPacket, fromA: boolean, now: number): void {
    const local = this.isLocal(fromA);
    const answers = !local && this.previousFromLocal && this.answers(p, fromA);
    if (this.packetsA + this.packetsB > 1) {
      const gap = now - this.previousNs;
      if (answers) this.networkNs += gap;
      else this.serverNs += gap;
      const longest = this.waiting ? this.transferGap : this.idleGap;
      if (gap > longest.ns) this.noteGap(p, longest, gap, this.waiting ? this.limits.transferGapNs : this.limits.idleGapNs);
    }
    this.noteAck(p, fromA);
    this.previousFromLocal = local;
    this.previousNs = now;
  }

  private noteGap(p: AnalyzedPacket, longest: LongestGap, gap: number, thresholdNs: number): void {
    longest.ns = gap;
    longest.beforeFrame = this.previousFrame;
    longest.afterFrame = p.frame;
    if (gap >= thresholdNs) longest.evidence = evidenceOf(p, `${(gap / 1e9).toFixed(3)} s after frame ${this.previousFrame}, the previous packet of the session`);
  }

  /** Sent data not yet acknowledged (a transfer under way), or a zero window holding it back. */
  private somethingWaits(): boolean {
    if (!Number.isNaN(this.stallFromA) || !Number.isNaN(this.stallFromB)) return true;
    const c = this.connection;
    if (this.payloadA > 0 && (!this.ackSeenB || seqGreater(c.flowA.nextSeq, this.maxAckB))) return true;
    return this.payloadB > 0 && (!this.ackSeenA || seqGreater(c.flowB.nextSeq, this.maxAckA));
  }

  private answers(p: AnalyzedPacket, fromA: boolean): boolean {
    const tcp = p.tcp!;
    const flags = tcp.tcp.flags;
    if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) === (TcpFlags.SYN | TcpFlags.ACK)) return true;
    if ((p.tcpFlags & NOT_A_RESPONSE) !== 0) return false;
    if (tcp.payloadLength > 0 || (flags & (TcpFlags.FIN | TcpFlags.RST)) !== 0) return true;
    const seen = fromA ? this.ackSeenA : this.ackSeenB;
    const max = fromA ? this.maxAckA : this.maxAckB;
    return (flags & TcpFlags.ACK) !== 0 && (!seen || seqGreater(tcp.tcp.ack, max));
  }

  private noteAck(p: AnalyzedPacket, fromA: boolean): void {
    const tcp = p.tcp!;
    if ((tcp.tcp.flags & TcpFlags.ACK) === 0) return;
    if (fromA) {
      if (!this.ackSeenA || seqGreater(tcp.tcp.ack, this.maxAckA)) this.maxAckA = tcp.tcp.ack;
      this.ackSeenA = true;
    } else {
      if (!this.ackSeenB || seqGreater(tcp.tcp.ack, this.maxAckB)) this.maxAckB = tcp.tcp.ack;
      this.ackSeenB = true;
    }
  }

  /** ACK trip of the local side's segments (Karn: nothing is measured across a retransmission). */
  private sampleRtt(p: AnalyzedPacket, fromA: boolean, now: number): void {
    const tcp = p.tcp!;
    const flags = tcp.tcp.flags;
    if (this.isLocal(fromA)) {
      if ((p.tcpFlags & RETRANSMITTED) !== 0) {
        this.pendingLength = 0;
        return;
      }
      const consumed = tcp.payloadLength + ((flags & TcpFlags.SYN) !== 0 ? 1 : 0) + ((flags & TcpFlags.FIN) !== 0 ? 1 : 0);
      if (consumed > 0 && this.pendingLength < 2 * RTT_PENDING) {
        this.pending[this.pendingLength++] = (tcp.tcp.seq + consumed) >>> 0;
        this.pending[this.pendingLength++] = now;
      }
      return;
    }
    if ((flags & TcpFlags.ACK) === 0 || this.pendingLength === 0) return;
    let newest = -1;
    let kept = 0;
    for (let i = 0; i < this.pendingLength; i += 2) {
      if (seqLessOrEqual(this.pending[i]!, tcp.tcp.ack)) newest = this.pending[i + 1]!;
      else {
        this.pending[kept++] = this.pending[i]!;
        this.pending[kept++] = this.pending[i + 1]!;
      }
    }
    this.pendingLength = kept;
    if (newest < 0) return;
    const sample = now - newest;
    if (this.rttSamples > 0) this.rttJitterSumNs += Math.abs(sample - this.lastRttNs);
    this.lastRttNs = sample;
    if (sample > this.rttMaxNs && sample > this.limits.highRttNs) this.slowestAck = evidenceOf(p, `acknowledges a segment sent ${(sample / 1e9).toFixed(3)} s before`);
    this.rttMinNs = Math.min(this.rttMinNs, sample);
    this.rttMaxNs = Math.max(this.rttMaxNs, sample);
    this.rttSumNs += sample;
    this.rttSamples++;
  }

  /** Request (originator data after a response) → first responder data: the response time, else -1. */
  private responseTime(p: AnalyzedPacket, fromA: boolean, now: number): number {
    const tcp = p.tcp!;
    if (tcp.payloadLength === 0 || (p.tcpFlags & NOT_A_RESPONSE) !== 0) return -1;
    if (fromA === this.originatorIsA) {
      if (Number.isNaN(this.requestStartNs)) this.requestStartNs = now;
      return -1;
    }
    if (Number.isNaN(this.requestStartNs)) return -1;
    const took = now - this.requestStartNs;
    this.requestStartNs = Number.NaN;
    return took;
  }

  /** Keeps the packet as a step: among the first few, or in the ladder once the session was promoted. */
  keepStep(p: AnalyzedPacket, datagramLength: number, ladderSteps: number): void {
    if (this.ladder !== null) {
      if (this.ladder.length < ladderSteps) this.ladder.push(stepOf(p, datagramLength));
      else this.ladderOmitted++;
      return;
    }
    if (this.steps === null) return;
    if (this.steps.length < INLINE_STEPS) this.steps.push(stepOf(p, datagramLength));
    else if (this.exchangedData) this.steps = null; // a working session: its first packets are not needed
  }

  /** Starts the full ladder from the packets kept so far. */
  promote(): void {
    if (this.ladder !== null) return;
    this.ladder = this.steps === null ? [] : [...this.steps];
  }

  get originatorState(): EndpointStateValue {
    return this.originatorIsA ? this.stateA : this.stateB;
  }

  get responderState(): EndpointStateValue {
    return this.originatorIsA ? this.stateB : this.stateA;
  }

  /** SYNs the originator sent. */
  get originatorSyns(): number {
    return this.originatorIsA ? this.synsA : this.synsB;
  }

  get state(): string {
    const o = this.originatorIsA;
    return connState({
      originatorState: this.originatorState,
      responderState: this.responderState,
      originatorPayloadBytes: o ? this.payloadA : this.payloadB,
      responderPayloadBytes: o ? this.payloadB : this.payloadA,
      originatorSentSyn: (o ? this.synsA : this.synsB) > 0,
      responderSentSynAck: o ? this.synAckFromB : this.synAckFromA,
    });
  }

  /** Zero-window time including a stall still open at the last packet. */
  get zeroWindowTotalNs(): number {
    let total = this.zeroWindowNs;
    if (!Number.isNaN(this.stallFromA)) total += this.lastNs - this.stallFromA;
    if (!Number.isNaN(this.stallFromB)) total += this.lastNs - this.stallFromB;
    return total;
  }
}
