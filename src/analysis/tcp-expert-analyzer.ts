/**
 * TCP expert findings: the TCP analysis flags of each packet (Wireshark's tcp.analysis.*) grouped per
 * connection and rule, with Wireshark's severities (analysis.md §1). A packet of the retransmission family
 * counts once, under its most specific name. Retransmissions become a warning when they are a large share
 * of a connection's data; zero windows an error when the stall lasts long. Also: resets (warning; a RST
 * that follows the FIN exchange is only a note). Connections opened by an illegal flag combination are left
 * to the illegal-flags finding. TCP checksums are tcp-checksum.ts's, when asked for.
 */
import type { AnalyzedPacket, PacketAnalyzer } from './analyzed-packet.js';
import type { Finding } from './finding.js';
import type { Thresholds } from './thresholds.js';
import type { TcpConnection } from './tcp/tcp-conversation.js';
import { Completeness } from './tcp/tcp-conversation.js';
import { TCP_ANALYSIS_FLAGS, TcpAnalysisFlag, retransmissionKind, type TcpAnalysisFlagInfo, type TcpAnalysisFlagName } from './tcp/tcp-flags.js';
import { TcpFlags } from '../net/tcp-header.js';
import { type FindingGroup, FindingGroups } from './finding-groups.js';
import { TCP_EXPERT_WORDING, RESET_WORDING, RESET_AFTER_CLOSE_WORDING } from './tcp-expert-rules.js';
import { connectionEndpoint, connectionText } from './address.js';
import { illegalCombination } from './hostile/illegal-flags.js';

const RETRANSMISSION_FAMILY = TcpAnalysisFlag.RETRANSMISSION | TcpAnalysisFlag.FAST_RETRANSMISSION | TcpAnalysisFlag.SPURIOUS_RETRANSMISSION | TcpAnalysisFlag.OUT_OF_ORDER;
/** Port reuse is the connection analyzer's finding ("connection.port_reuse"), not repeated here. */
const OTHER_FLAGS = TCP_ANALYSIS_FLAGS.filter((flag) => (flag.bit & (RETRANSMISSION_FAMILY | TcpAnalysisFlag.REUSED_PORTS)) === 0);
const FLAG_BY_NAME = new Map(TCP_ANALYSIS_FLAGS.map((flag) => [flag.name, flag]));

interface ConnectionCounts {
  dataSegments: number;
  /** Start of a zero-window stall advertised by A / by B, as seconds (NaN when open). */
  stallFromA: number;
  stallFromB: number;
  /** Time of the last zero-window probe sent by A / by B into the other side's stall (NaN when none). */
  probeFromA: number;
  probeFromB: number;
}

export class TcpExpertAnalyzer implements PacketAnalyzer {
  readonly name = 'tcp-expert';
  private readonly groups: FindingGroups;
  private readonly perConnection = new WeakMap<TcpConnection, ConnectionCounts>();
  private readonly retransmissionGroups = new Map<FindingGroup, TcpConnection>();
  /** Connections with a zero-window stall still open, so one lasting to the end of the trace is measured. */
  private readonly openStalls = new Map<TcpConnection, ConnectionCounts>();
  private readonly zeroWindowGroups = new Set<FindingGroup>();
  /** Connections opened by an illegal flag combination (a scan or fingerprinting probe). */
  private readonly probed = new WeakSet<TcpConnection>();
  private lastTime = 0;

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const c = p.tcpConnection ?? null;
    if (p.tcp === null || c === null) return;
    this.lastTime = p.packet.timeSec + p.packet.timeNsec / 1e9;
    // Per-connection counts only for connections that carry data or close their window.
    const closesWindow = p.tcp.tcp.window === 0 && (p.tcp.tcp.flags & (TcpFlags.RST | TcpFlags.SYN)) === 0;
    const counts = p.tcp.payloadLength > 0 || closesWindow ? this.countsOf(c) : this.perConnection.get(c);
    if (counts !== undefined && p.tcp.payloadLength > 0) counts.dataSegments++;
    // A connection a crafted segment opened is the illegal-flags finding's, answers included: its resets
    // and sequence oddities (SYN+FIN counts one number, the RST-ACK acknowledges two) are the probe's.
    if (p.tcpFirstPacket === true && illegalCombination(p.tcp.tcp.flags) !== null) this.probed.add(c);
    if (this.probed.has(c)) return;
    if (p.tcpFlags !== 0) this.noteFlags(p, c);
    if (counts !== undefined) this.noteZeroWindowStall(p, c, counts);
    if ((p.tcp.tcp.flags & TcpFlags.RST) !== 0) this.noteReset(p, c);
  }

  private countsOf(c: TcpConnection): ConnectionCounts {
    let counts = this.perConnection.get(c);
    if (counts === undefined) {
      counts = { dataSegments: 0, stallFromA: Number.NaN, stallFromB: Number.NaN, probeFromA: Number.NaN, probeFromB: Number.NaN };
      this.perConnection.set(c, counts);
    }
    return counts;
  }

  private group(rule: string, c: TcpConnection, wording: { title: string; explanation: string }, severity: Finding['severity']): FindingGroup {
    return this.groups.get(`${rule}|${c.streamIndex}`, () => {
      const connection = connectionText(c);
      return { rule, category: 'tcp', severity, title: `${wording.title}: ${connection}`, explanation: wording.explanation, subject: { connection } };
    });
  }

  private flagGroup(flag: TcpAnalysisFlagInfo, c: TcpConnection): FindingGroup {
    return this.group(`tcp.${flag.name}`, c, TCP_EXPERT_WORDING[flag.name], flag.severity);
  }

  private noteFlags(p: AnalyzedPacket, c: TcpConnection): void {
    const kind = retransmissionKind(p.tcpFlags);
    if (kind !== null) {
      const group = this.flagGroup(FLAG_BY_NAME.get(kind)!, c);
      if (group.hasRoomForEvidence) group.add(p, `${kind.replace(/_/g, ' ')}, seq ${p.tcp!.tcp.seq}, ${p.tcp!.payloadLength} bytes`);
      else group.countPacket(p);
      group.sumDetail('bytes', p.tcp!.payloadLength);
      if (kind !== 'out_of_order') this.retransmissionGroups.set(group, c);
    }
    for (const flag of OTHER_FLAGS) {
      if ((p.tcpFlags & flag.bit) === 0) continue;
      const probe = this.zeroWindowProbeName(flag, p, c);
      const group = this.flagGroup(probe === null ? flag : FLAG_BY_NAME.get(probe)!, c);
      if ((probe ?? flag.name) === 'zero_window_probe') this.noteProbeInterval(group, p, c);
      const sender = this.senderText(p, c);
      if (group.hasRoomForEvidence) group.add(p, `${flag.description}, sent by ${sender}`);
      else group.countPacket(p);
      group.listDetail('sentBy', sender);
    }
  }

  /**
   * Wireshark calls a zero-length segment at next-seq − 1 a keep-alive, whatever the window; sent into
   * the peer's zero window it is the sender's zero-window probe, and the peer's answer the probe's ACK.
   * The flag stays (it matches tshark); only the finding is named for what the analyst sees.
   */
  private zeroWindowProbeName(flag: TcpAnalysisFlagInfo, p: AnalyzedPacket, c: TcpConnection): TcpAnalysisFlagName | null {
    if (flag.name !== 'keep_alive' && flag.name !== 'keep_alive_ack') return null;
    const counts = this.perConnection.get(c);
    if (counts === undefined) return null;
    const fromA = p.tcpFromA === true;
    if (flag.name === 'keep_alive') return Number.isNaN(fromA ? counts.stallFromB : counts.stallFromA) ? null : 'zero_window_probe';
    return Number.isNaN(fromA ? counts.stallFromA : counts.stallFromB) ? null : 'zero_window_probe_ack';
  }

  /** The probe's interval from the previous probe (the first: from the start of the stall); back-off doubles it. */
  private noteProbeInterval(group: FindingGroup, p: AnalyzedPacket, c: TcpConnection): void {
    const counts = this.perConnection.get(c);
    if (counts === undefined) return;
    const fromA = p.tcpFromA === true;
    const previous = fromA ? counts.probeFromA : counts.probeFromB;
    const since = Number.isNaN(previous) ? (fromA ? counts.stallFromB : counts.stallFromA) : previous;
    if (Number.isNaN(since)) return;
    group.listDetail('intervalsSec', Math.round((this.lastTime - since) * 100) / 100);
    if (fromA) counts.probeFromA = this.lastTime;
    else counts.probeFromB = this.lastTime;
  }

  private senderText(p: AnalyzedPacket, c: TcpConnection): string {
    return connectionEndpoint(c, p.tcpFromA === true);
  }

  /** A stall runs from a side's first zero window to its next non-zero one (RST and SYN segments excluded). */
  private noteZeroWindowStall(p: AnalyzedPacket, c: TcpConnection, counts: ConnectionCounts): void {
    const flags = p.tcp!.tcp.flags;
    if ((flags & (TcpFlags.RST | TcpFlags.SYN)) !== 0) return;
    const fromA = p.tcpFromA === true;
    const started = fromA ? counts.stallFromA : counts.stallFromB;
    if (p.tcp!.tcp.window === 0) {
      if (!Number.isNaN(started)) return;
      if (fromA) counts.stallFromA = this.lastTime;
      else counts.stallFromB = this.lastTime;
      if (this.openStalls.size < this.thresholds.maxTrackedHosts) this.openStalls.set(c, counts);
      return;
    }
    if (Number.isNaN(started)) return;
    this.closeStall(c, this.lastTime - started);
    if (fromA) counts.stallFromA = counts.probeFromB = Number.NaN;
    else counts.stallFromB = counts.probeFromA = Number.NaN;
    if (Number.isNaN(counts.stallFromA) && Number.isNaN(counts.stallFromB)) this.openStalls.delete(c);
  }

  private closeStall(c: TcpConnection, seconds: number): void {
    const group = this.flagGroup(FLAG_BY_NAME.get('zero_window')!, c);
    group.maxDetail('longestStallSec', round3(seconds));
    this.zeroWindowGroups.add(group);
  }

  private noteReset(p: AnalyzedPacket, c: TcpConnection): void {
    const done = c.completeness;
    const fromA = p.tcpFromA === true;
    // A RST answering a SYN is a refused connection (the connection analyzer's "rejected"); a RST as the
    // first packet seen of a connection is for the backscatter detector.
    if (!fromA && (done & Completeness.SYN_SENT) !== 0 && (done & Completeness.SYN_ACK) === 0) return;
    if ((done & ~Completeness.RST) === 0) return;
    const afterClose = (done & Completeness.FIN) !== 0;
    const group = afterClose
      ? this.group('tcp.reset_after_close', c, RESET_AFTER_CLOSE_WORDING, 'note')
      : this.group('tcp.reset', c, RESET_WORDING, 'warning');
    const sender = this.senderText(p, c);
    group.add(p, `RST from ${sender}`);
    group.listDetail('resetBy', sender);
  }

  finish(): Finding[] {
    this.escalateRetransmissions();
    this.escalateStalls();
    return this.groups.findings();
  }

  /** Retransmissions above the configured share of a connection's data segments are a warning. */
  private escalateRetransmissions(): void {
    for (const [group, c] of this.retransmissionGroups) {
      if (group.spec.subject.connection === undefined) continue; // a merged "other" group spans many connections
      const data = this.perConnection.get(c)?.dataSegments ?? 0;
      if (data === 0) continue;
      const percent = (100 * group.count) / data;
      group.details['percentOfDataSegments'] = round3(percent);
      if (percent >= this.thresholds.retransmissionWarnPercent && group.spec.severity === 'note') group.spec = { ...group.spec, severity: 'warning' };
    }
  }

  /** Zero-window stalls: an error when one lasted at least the error threshold (one still open at the end too). */
  private escalateStalls(): void {
    for (const [c, counts] of this.openStalls) {
      for (const started of [counts.stallFromA, counts.stallFromB]) if (!Number.isNaN(started)) this.closeStall(c, this.lastTime - started);
    }
    for (const group of this.zeroWindowGroups) {
      const longest = Number(group.details['longestStallSec'] ?? 0);
      if (longest >= this.thresholds.zeroWindowStallErrorSec) group.spec = { ...group.spec, severity: 'error' };
    }
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
