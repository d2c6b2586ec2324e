/**
 * Port scans (analysis.md §3, exception-catalog SCAN-01..09): one source making many connection attempts
 * that come to nothing, to many ports of one host (vertical) or to one port of many hosts (horizontal),
 * inside a sliding window. An attempt is the first segment of a connection when it is a probe: a SYN, or
 * a FIN, NULL, XMAS or lone ACK without a SYN before it. It is judged once its answer had time to come
 * (scanSettleSec): it failed when no data flowed either way (a connect scan completes the handshake, a
 * half-open scan answers the SYN-ACK with RST, a closed port answers RST, a filtered one nothing). A lone
 * ACK counts only when answered by a RST, so idle connections caught mid-stream are never a scan.
 *
 * State: attempts waiting for their answer, and per source the failures inside the window, both capped.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { PacketRow } from '../../report/report-model.js';
import type { Thresholds } from '../thresholds.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { type HostKey, destinationKey, destinationText, endpointText, sourceKey, sourceText } from '../address.js';
import { type SessionStep, packetRowOfStep, stepEvidence, stepOf } from '../connections/session-steps.js';

const { FIN, SYN, RST, PSH, ACK, URG } = TcpFlags;
/** Failures remembered per source inside the window; a scan is recognised long before. */
const MAX_WINDOW_FAILURES = 5000;

type ProbeKind = 'SYN' | 'FIN' | 'NULL' | 'XMAS' | 'ACK';

/** The probe a connection's first segment is, or null for ordinary traffic caught mid-stream. */
export function probeKind(flags: number, payload: number): ProbeKind | null {
  const f = flags & (FIN | SYN | RST | PSH | ACK | URG);
  if ((f & (SYN | ACK | RST)) === SYN) return 'SYN';
  if (payload > 0) return null;
  if (f === 0) return 'NULL';
  if ((f & (FIN | PSH | URG)) === (FIN | PSH | URG)) return 'XMAS';
  if ((f & (FIN | ACK)) === FIN) return 'FIN';
  if (f === ACK) return 'ACK';
  return null;
}

class Attempt {
  payload = false;
  rstReply = false;
  synAckReply = false;
  otherReply = false;
  originatorAcked = false;
  reportedVertical = false;
  reportedHorizontal = false;

  constructor(
    readonly source: HostKey,
    readonly sourceText: string,
    readonly connection: TcpConnection,
    readonly time: number,
    readonly target: HostKey,
    readonly targetText: string,
    readonly port: number,
    readonly kind: ProbeKind,
    readonly step: SessionStep,
  ) {}

  get failed(): boolean {
    if (this.payload) return false;
    return this.kind !== 'ACK' || (this.rstReply && !this.otherReply);
  }

  /** How the scanner would read the answer. */
  get outcome(): string {
    if (this.synAckReply) return this.originatorAcked ? 'open (handshake completed, no data)' : 'open (SYN-ACK)';
    if (this.rstReply) return 'RST';
    return 'no answer';
  }
}

/**
 * One source's failed attempts inside the window. The distinct-port and distinct-host counts are kept
 * only once the window holds enough failures to reach a threshold: most sources never do.
 */
class SourceWindow {
  readonly failures: Attempt[] = [];
  private head = 0;
  portsByTarget: Map<HostKey, Map<number, number>> | null = null;
  targetsByPort: Map<number, Map<HostKey, number>> | null = null;
  /** A scan from this source was found: its later failures are added to the finding. */
  scanning = false;

  push(a: Attempt, windowSec: number, countFrom: number): void {
    while (this.head < this.failures.length && (this.failures[this.head]!.time < a.time - windowSec || this.size >= MAX_WINDOW_FAILURES)) {
      this.forget(this.failures[this.head]!);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.failures.length) {
      this.failures.splice(0, this.head);
      this.head = 0;
    }
    this.failures.push(a);
    if (this.portsByTarget === null) {
      if (this.size >= countFrom) this.startCounting();
      return;
    }
    bump(this.portsByTarget, a.target, a.port, 1);
    bump(this.targetsByPort!, a.port, a.target, 1);
  }

  get size(): number {
    return this.failures.length - this.head;
  }

  distinctPorts(target: HostKey): number {
    return this.portsByTarget?.get(target)?.size ?? 0;
  }

  distinctTargets(port: number): number {
    return this.targetsByPort?.get(port)?.size ?? 0;
  }

  /** The failures still inside the window, oldest first. */
  *current(): Iterable<Attempt> {
    for (let i = this.head; i < this.failures.length; i++) yield this.failures[i]!;
  }

  private startCounting(): void {
    this.portsByTarget = new Map();
    this.targetsByPort = new Map();
    for (const a of this.current()) {
      bump(this.portsByTarget, a.target, a.port, 1);
      bump(this.targetsByPort, a.port, a.target, 1);
    }
  }

  private forget(a: Attempt): void {
    if (this.portsByTarget === null) return;
    bump(this.portsByTarget, a.target, a.port, -1);
    bump(this.targetsByPort!, a.port, a.target, -1);
  }
}

function bump<K, V>(outer: Map<K, Map<V, number>>, key: K, inner: V, by: number): void {
  let counts = outer.get(key);
  if (counts === undefined) {
    if (by < 0) return;
    counts = new Map();
    outer.set(key, counts);
  }
  const next = (counts.get(inner) ?? 0) + by;
  if (next > 0) counts.set(inner, next);
  else counts.delete(inner);
  if (counts.size === 0) outer.delete(key);
}

export class PortScanAnalyzer implements PacketAnalyzer {
  readonly name = 'port-scan';
  private readonly groups: FindingGroups;
  private readonly pending: Attempt[] = [];
  private pendingHead = 0;
  private readonly byConnection = new Map<TcpConnection, Attempt>();
  private readonly sources = new Map<HostKey, SourceWindow>();
  private readonly lateRows: LateEvidenceRows;

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
    this.lateRows = new LateEvidenceRows(thresholds.packetsListedEvidence);
  }

  observe(p: AnalyzedPacket): void {
    const now = p.packet.timeSec + p.packet.timeNsec / 1e9;
    this.settle(now);
    const c = p.tcpConnection ?? null;
    if (p.tcp === null || c === null) return;
    if (p.tcpFirstPacket === true) this.noteAttempt(p, c, now);
    else this.noteFollowUp(p, c);
  }

  private noteAttempt(p: AnalyzedPacket, c: TcpConnection, now: number): void {
    const kind = probeKind(p.tcp!.tcp.flags, p.tcp!.payloadLength);
    const d = datagramOf(p);
    if (kind === null || d === null) return;
    const attempt = new Attempt(sourceKey(d), sourceText(d), c, now, destinationKey(d), destinationText(d), d.destinationPort, kind, stepOf(p, d.totalLength));
    this.pending.push(attempt);
    this.byConnection.set(c, attempt);
    if (this.pending.length - this.pendingHead > this.thresholds.maxTrackedConnections) this.settleOne();
  }

  private noteFollowUp(p: AnalyzedPacket, c: TcpConnection): void {
    const attempt = this.byConnection.get(c);
    if (attempt === undefined) return;
    const tcp = p.tcp!;
    if (tcp.payloadLength > 0) attempt.payload = true;
    const flags = tcp.tcp.flags;
    if (p.tcpFromA === true) {
      if (attempt.synAckReply && (flags & (SYN | ACK | RST)) === ACK) attempt.originatorAcked = true;
      return;
    }
    if ((flags & RST) !== 0) attempt.rstReply = true;
    else if ((flags & (SYN | ACK)) === (SYN | ACK)) attempt.synAckReply = true;
    else attempt.otherReply = true;
  }

  /** Judges the attempts whose answer had time to come. */
  private settle(now: number): void {
    while (this.pendingHead < this.pending.length && this.pending[this.pendingHead]!.time + this.thresholds.scanSettleSec <= now) this.settleOne();
  }

  private settleOne(): void {
    const attempt = this.pending[this.pendingHead]!;
    this.pending[this.pendingHead++] = undefined as unknown as Attempt;
    if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    if (this.byConnection.get(attempt.connection) === attempt) this.byConnection.delete(attempt.connection);
    if (attempt.failed) this.noteFailure(attempt);
  }

  private windowOf(source: HostKey): SourceWindow {
    let window = this.sources.get(source);
    if (window !== undefined) {
      this.sources.delete(source); // re-inserted: the map's order is the order of last use
    } else {
      window = new SourceWindow();
      if (this.sources.size >= this.thresholds.maxTrackedHosts) this.sources.delete(this.sources.keys().next().value as HostKey);
    }
    this.sources.set(source, window);
    return window;
  }

  private noteFailure(a: Attempt): void {
    const window = this.windowOf(a.source);
    window.push(a, this.thresholds.scanWindowSec, Math.min(this.thresholds.scanDistinctPorts, this.thresholds.scanDistinctHosts));
    if (!window.scanning && window.portsByTarget === null) return; // too few failures to be a scan
    const vertical = this.groups.peek(verticalKey(a)) ?? null;
    if (vertical !== null) this.report(vertical, a, 'vertical');
    else if (window.distinctPorts(a.target) >= this.thresholds.scanDistinctPorts) {
      const group = this.verticalGroup(a);
      for (const earlier of window.current()) if (earlier.target === a.target) this.report(group, earlier, 'vertical');
    }
    const horizontal = this.groups.peek(horizontalKey(a)) ?? null;
    if (horizontal !== null) this.report(horizontal, a, 'horizontal');
    else if (window.distinctTargets(a.port) >= this.thresholds.scanDistinctHosts) {
      const group = this.horizontalGroup(a);
      for (const earlier of window.current()) if (earlier.port === a.port) this.report(group, earlier, 'horizontal');
    }
  }

  private verticalGroup(a: Attempt): FindingGroup {
    return this.groups.get(verticalKey(a), () => ({
      rule: 'hostile.port_scan',
      category: 'hostile',
      severity: 'error',
      title: `Port scan of ${a.targetText} from ${a.sourceText}`,
      explanation: `${a.sourceText} probed many ports of ${a.targetText} within ${this.thresholds.scanWindowSec} s and none of the connections carried data: a port scan looking for services to attack. The probe kinds (SYN, FIN, NULL, XMAS, ACK) name the scanning technique; ports that answered with SYN-ACK are open.`,
      subject: { host: a.sourceText, service: a.targetText },
    }));
  }

  private horizontalGroup(a: Attempt): FindingGroup {
    return this.groups.get(horizontalKey(a), () => ({
      rule: 'hostile.horizontal_scan',
      category: 'hostile',
      severity: 'error',
      title: `Scan of port ${a.port} across many hosts from ${a.sourceText}`,
      explanation: `${a.sourceText} probed port ${a.port} on many hosts within ${this.thresholds.scanWindowSec} s without any connection carrying data: a sweep looking for hosts that run this service.`,
      subject: { host: a.sourceText, service: `port ${a.port}` },
    }));
  }

  private report(group: FindingGroup, a: Attempt, how: 'vertical' | 'horizontal'): void {
    if (how === 'vertical' ? a.reportedVertical : a.reportedHorizontal) return;
    this.sources.get(a.source)!.scanning = true;
    if (how === 'vertical') a.reportedVertical = true;
    else a.reportedHorizontal = true;
    const seconds = Math.floor(a.time);
    group.addEvent(seconds, Math.round((a.time - seconds) * 1e9));
    group.listDetail('probeKinds', `${a.kind} scan`);
    group.listDetail(how === 'vertical' ? 'ports' : 'hosts', how === 'vertical' ? a.port : a.targetText);
    if (a.synAckReply) group.listDetail('openPorts', endpointText(a.targetText, a.port));
    group.sumDetail(a.rstReply ? 'answeredWithRst' : a.synAckReply ? 'answeredWithSynAck' : 'unanswered', 1);
    if (group.hasRoomForEvidence) {
      const target = endpointText(a.targetText, a.port);
      group.addEvidence([stepEvidence(a.step, `${a.kind} probe to ${target}: ${a.outcome}`)]);
      this.lateRows.add([packetRowOfStep(a.step, endpointText(a.sourceText, a.connection.portA), target)]);
    }
  }

  finish(): Finding[] {
    while (this.pendingHead < this.pending.length) this.settleOne();
    return this.groups.findings();
  }

  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }
}

function verticalKey(a: Attempt): string {
  return `v|${a.source}|${a.target}`;
}

function horizontalKey(a: Attempt): string {
  return `h|${a.source}|${a.port}`;
}
