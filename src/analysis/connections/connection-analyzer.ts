/**
 * Connections (analysis.md §2): one ConnectionRecord per TCP connection of the TCP analyzer, closed when
 * the TCP analyzer forgets the connection (idle, closed a while ago, pushed out by its cap; see
 * connection-table.ts) or at the end of input; and UDP flows, closed alike. A closed connection becomes a row
 * of the sessions table and, when it failed, part of a finding: attempts never answered (S0), attempts
 * refused (REJ), SYN retries, port reuse. Sessions with findings get a sequence-of-execution ladder,
 * started as soon as trouble shows (from the first packets kept) or when they close.
 *
 * Memory follows the connections the TCP analyzer tracks (capped), never packets: the sessions table, the
 * ladders and the finding groups all have caps of their own.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Capped, ConnectionSummary, PacketRow, SessionLadder } from '../../report/report-model.js';
import type { Thresholds } from '../thresholds.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpAnalysisFlag, tcpFlagNames } from '../tcp/tcp-flags.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { connectionEndpoints } from '../address.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { formatUtc } from '../../model/time.js';
import { ConnectionRecord, NOTABLE_FLAGS, type LongestGap, type RecordLimits } from './connection-record.js';
import { CONN_STATE_MEANING } from './conn-state.js';
import { type SessionStep, ladderSteps, packetRowOfStep, stepEvidence } from './session-steps.js';
import { UdpFlows } from './udp-flows.js';
import { ResponseTimes } from '../views/response-times.js';
import { TcpFlags } from '../../net/tcp-header.js';

/** conn_states that are failures worth a finding, with their wording. */
const FAILED_STATES: Readonly<Record<string, { rule: string; severity: Finding['severity']; title: string; explanation: string }>> = {
  S0: {
    rule: 'connection.no_answer',
    severity: 'warning',
    title: 'Connection attempts not answered',
    explanation: 'SYNs got neither a SYN-ACK nor a RST: the server is down or unreachable, or a firewall drops the attempts silently. The client retries with growing intervals before it gives up.',
  },
  REJ: {
    rule: 'connection.rejected',
    severity: 'note',
    title: 'Connection attempts refused',
    explanation: 'The server answered the SYN with a RST: nothing listens on that port (or the server refuses the client). Many refusals from one client to many ports are a scan.',
  },
};

/** States of a connection aborted by a RST after it opened (the TCP expert's "tcp.reset"). */
const RESET_STATES: ReadonlySet<string> = new Set(['RSTO', 'RSTR', 'RSTOS0', 'RSTOH', 'RSTRH']);

const SYN_RETRIES = {
  rule: 'connection.syn_retries',
  title: 'SYN retries',
  explanation: 'The client had to send its SYN again: the first attempts were lost or not answered in time. Each retry costs seconds (3, 6, 12 s back-off), which users see as a slow or failed connect.',
};

const PORT_REUSE = {
  rule: 'connection.port_reuse',
  title: 'Port reused for a new connection',
  explanation: 'A new connection opened on the same addresses and ports as an earlier one in the trace, with a new initial sequence number: normal for busy clients cycling ports, suspicious when the earlier connection was never closed.',
};

const HIGH_RTT = {
  rule: 'connection.high_rtt',
  title: 'High round-trip time',
  explanation: 'Segments took long to be acknowledged (or the handshake took long): the path is slow or congested, or the peer acknowledges late. Every request-response exchange of the session pays this time, which users see as slowness. Unsteady round trips (jitter) point at congestion or a busy peer rather than distance.',
};

const LONG_GAP = {
  rule: 'connection.long_gap',
  title: 'Long pause inside a session',
  explanation: 'Between these two packets of the session nothing was sent for a long time: this is where the session’s time went. During a transfer (data waiting for its acknowledgement, or held back by a zero window) the sender waited on retransmission timers or on a receiver that stopped reading; with nothing outstanding, the application on one side was thinking or idle. The session ladder shows the gap next to the packets around it.',
};

export interface ConnectionViews {
  connections: Capped<ConnectionSummary>;
  /** Connections closed in each conn_state (all of them, listed or not). */
  states: Record<string, number>;
  ladders: SessionLadder[];
  responseTimes: ReturnType<ResponseTimes['summary']>;
}

export class ConnectionAnalyzer implements PacketAnalyzer {
  readonly name = 'connections';
  private readonly records = new Map<TcpConnection, ConnectionRecord>();
  private readonly groups: FindingGroups;
  private readonly udp: UdpFlows;
  private readonly responseTimes: ResponseTimes;
  private readonly withFindings: ConnectionSummary[] = [];
  private readonly others: ConnectionSummary[] = [];
  private closedCount = 0;
  private readonly states: Record<string, number> = {};
  private readonly ladders: SessionLadder[] = [];
  private laddersStarted = 0;
  /** Rows of evidence packets that had gone by when their connection closed. */
  private readonly lateRows: LateEvidenceRows;
  private readonly recordLimits: RecordLimits;

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
    this.udp = new UdpFlows(thresholds.udpFlowIdleSec, thresholds.maxTrackedConnections, (summary) => {
      this.closedCount++;
      if (this.wantsRow(false)) this.list(summary(), false);
    });
    this.responseTimes = new ResponseTimes(thresholds.statisticsRows, thresholds.responseTimeThresholdMs);
    this.lateRows = new LateEvidenceRows(thresholds.packetsListedEvidence);
    this.recordLimits = { transferGapNs: thresholds.transferGapSec * 1e9, idleGapNs: thresholds.idleGapSec * 1e9, highRttNs: thresholds.highRttSec * 1e9 };
  }

  /** Connections and flows open now (for tests of the memory bounds). */
  get openConnections(): number {
    return this.records.size + this.udp.size;
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null) return;
    if (p.tcp !== null && p.tcpConnection) this.observeTcp(p, p.tcpConnection, d.totalLength);
    else if (d.protocol === IpProtocol.UDP && d.sourcePort >= 0) this.udp.observe(p, d);
  }

  private observeTcp(p: AnalyzedPacket, c: TcpConnection, datagramLength: number): void {
    let record = this.records.get(c);
    if (record === undefined) {
      record = new ConnectionRecord(c, p, this.recordLimits);
      this.records.set(c, record);
    }
    const took = record.observe(p, datagramLength);
    if (took >= 0) this.responseTimes.add(record.originatorIsA ? c.portB : c.portA, took);
    const notable = (p.tcpFlags & NOTABLE_FLAGS) !== 0 || (p.tcp!.tcp.flags & TcpFlags.RST) !== 0;
    if (notable && record.ladder === null && this.laddersStarted < this.thresholds.laddersListed) {
      record.promote();
      this.laddersStarted++;
    }
    record.keepStep(p, datagramLength, this.thresholds.ladderSteps);
    if ((p.tcpFlags & TcpAnalysisFlag.REUSED_PORTS) !== 0) this.notePortReuse(p, c);
  }

  /** The TCP analyzer no longer tracks `c`: its session is over, and is summarised now. */
  forget(c: TcpConnection): void {
    const record = this.records.get(c);
    if (record !== undefined) this.close(record);
  }

  private notePortReuse(p: AnalyzedPacket, c: TcpConnection): void {
    const { a, b } = connectionEndpoints(c);
    const connection = `${a} → ${b}`;
    this.groups
      .get(`${PORT_REUSE.rule}|${connection}`, () => ({ ...PORT_REUSE, category: 'connection', severity: 'note', title: `${PORT_REUSE.title}: ${connection}`, subject: { connection } }))
      .add(p, 'new connection on ports already used');
  }

  private close(r: ConnectionRecord): void {
    this.records.delete(r.connection);
    const state = r.state;
    this.states[state] = (this.states[state] ?? 0) + 1;
    const rules = this.findingsOf(r, state);
    if (rules.length > 0 && r.ladder === null && this.laddersStarted < this.thresholds.laddersListed) {
      r.promote();
      this.laddersStarted++;
    }
    if (r.ladder !== null && rules.length > 0) this.ladders.push(this.ladderOf(r));
    this.closedCount++;
    if (this.wantsRow(rules.length > 0)) this.list(summaryOf(r, state, rules), rules.length > 0);
  }

  /** The finding rules of a closed connection: its own (failures) and the TCP analysis flags it showed. */
  private findingsOf(r: ConnectionRecord, state: string): string[] {
    const rules: string[] = [];
    const failed = FAILED_STATES[state];
    if (failed !== undefined) {
      this.addFailure(r, failed, state);
      rules.push(failed.rule);
    }
    const retries = r.originatorSyns - 1;
    if (retries >= this.thresholds.synRetriesFailed) {
      this.addSynRetries(r, retries);
      rules.push(SYN_RETRIES.rule);
    }
    if (r.reusedPorts) rules.push(PORT_REUSE.rule);
    if (this.addHighRtt(r)) rules.push(HIGH_RTT.rule);
    if (this.addLongGap(r)) rules.push(LONG_GAP.rule);
    if (RESET_STATES.has(state)) rules.push('tcp.reset');
    for (const name of tcpFlagNames(r.flagsSeen & ~TcpAnalysisFlag.REUSED_PORTS)) rules.push(`tcp.${name}`);
    return rules;
  }

  private responderText(r: ConnectionRecord): { originator: string; responder: string } {
    const { a, b } = connectionEndpoints(r.connection);
    return r.originatorIsA ? { originator: a, responder: b } : { originator: b, responder: a };
  }

  private addFailure(r: ConnectionRecord, failed: (typeof FAILED_STATES)[string], state: string): void {
    const { originator, responder } = this.responderText(r);
    const group = this.groups.get(`${failed.rule}|${responder}`, () => ({
      rule: failed.rule,
      category: 'connection',
      severity: failed.severity,
      title: `${failed.title}: ${responder}`,
      explanation: failed.explanation,
      subject: { service: responder },
    }));
    group.addEvent(r.startSec, r.startNsec);
    group.listDetail('clients', originator.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'));
    group.details['state'] = `${state}: ${CONN_STATE_MEANING[state]}`;
    this.lateEvidence(r, group.hasRoomForEvidence ? 3 : 0, (step) => (step.fromA === r.originatorIsA ? 'connection attempt' : 'reply'), group);
  }

  private addSynRetries(r: ConnectionRecord, retries: number): void {
    const { originator, responder } = this.responderText(r);
    const group = this.groups.get(`${SYN_RETRIES.rule}|${responder}`, () => ({
      rule: SYN_RETRIES.rule,
      category: 'connection',
      severity: 'warning',
      title: `${SYN_RETRIES.title}: ${responder}`,
      explanation: SYN_RETRIES.explanation,
      subject: { service: responder },
    }));
    group.addEvent(r.startSec, r.startNsec);
    group.sumDetail('retries', retries);
    group.maxDetail('mostRetriesInOneConnection', retries);
    group.listDetail('clients', originator);
    this.lateEvidence(r, group.hasRoomForEvidence ? 3 : 0, () => 'SYN', group);
  }

  /**
   * High RTT or jitter (exception-catalog PERF-10), judged once per connection when it closes: handshake
   * round trip or average ACK trip above highRttSec, or the average change between successive trips above
   * rttJitterSec.
   */
  private addHighRtt(r: ConnectionRecord): boolean {
    const handshakeSec = r.connection.initialRttNs / 1e9;
    const averageSec = r.rttSamples === 0 ? 0 : r.rttSumNs / r.rttSamples / 1e9;
    const jitterSec = r.rttSamples < 2 ? 0 : r.rttJitterSumNs / (r.rttSamples - 1) / 1e9;
    const limit = this.thresholds.highRttSec;
    const slowHandshake = handshakeSec > limit;
    if (!slowHandshake && averageSec <= limit && jitterSec <= this.thresholds.rttJitterSec) return false;
    const { originator, responder } = this.responderText(r);
    const group = this.groups.get(`${HIGH_RTT.rule}|${responder}`, () => ({
      rule: HIGH_RTT.rule,
      category: 'connection',
      severity: 'warning',
      title: `${HIGH_RTT.title}: ${responder}`,
      explanation: HIGH_RTT.explanation,
      subject: { service: responder },
    }));
    group.addEvent(r.startSec, r.startNsec);
    group.listDetail('clients', originator);
    if (handshakeSec > 0) group.maxDetail('handshakeRttSec', round6(handshakeSec));
    if (r.rttSamples > 0) {
      group.maxDetail('averageAckRttSec', round6(averageSec));
      group.maxDetail('maxAckRttSec', round6(r.rttMaxNs / 1e9));
    }
    if (r.rttSamples > 1) group.maxDetail('averageJitterSec', round6(jitterSec));
    if (slowHandshake) this.lateEvidence(r, group.hasRoomForEvidence ? 3 : 0, (step) => (step.fromA === r.originatorIsA ? 'handshake, from the client' : 'handshake, from the server'), group);
    // The ACK completing the handshake and the slowest ACK, unless the handshake's packets already hold them.
    for (const ref of [r.slowHandshake, r.slowestAck]) {
      if (ref !== null && !group.refs.some((kept) => kept.frame === ref.frame && kept.input === ref.input)) group.addEvidence([ref]);
    }
    return true;
  }

  /**
   * The longest pause inside the session (exception-catalog PERF-11), judged when it closes: transferGapSec
   * while sent data waited for its acknowledgement or a zero window held it back, idleGapSec otherwise.
   */
  private addLongGap(r: ConnectionRecord): boolean {
    // A session carries data: stray SYN-ACKs or RSTs (backscatter) and unanswered SYNs are not one.
    if (r.payloadA + r.payloadB === 0) return false;
    const transfer = r.transferGap.ns >= this.thresholds.transferGapSec * 1e9;
    const idle = r.idleGap.ns >= this.thresholds.idleGapSec * 1e9;
    if (!transfer && !idle) return false;
    const { originator, responder } = this.responderText(r);
    const group = this.groups.get(`${LONG_GAP.rule}|${responder}`, () => ({
      rule: LONG_GAP.rule,
      category: 'connection',
      severity: 'warning',
      title: `${LONG_GAP.title}: ${responder}`,
      explanation: LONG_GAP.explanation,
      subject: { service: responder },
    }));
    group.addEvent(r.startSec, r.startNsec);
    group.listDetail('clients', originator);
    const note = (kind: string, gap: LongestGap): void => {
      group.maxDetail(`longest${kind}GapSec`, round6(gap.ns / 1e9));
      group.listDetail(`longest${kind}GapFrames`, `${gap.beforeFrame} → ${gap.afterFrame}`);
      if (gap.evidence !== null) group.addEvidence([gap.evidence]);
    };
    if (transfer) note('Transfer', r.transferGap);
    if (idle) note('Idle', r.idleGap);
    return true;
  }

  /** The first packets of a closed connection as evidence, with their rows added to the packets table. */
  private lateEvidence(r: ConnectionRecord, wanted: number, note: (step: SessionStep) => string, group: FindingGroup): void {
    const steps = r.ladder ?? r.steps;
    if (steps === null || wanted === 0) return;
    const { a, b } = connectionEndpoints(r.connection);
    const chosen = steps.slice(0, wanted);
    group.addEvidence(chosen.map((step) => stepEvidence(step, note(step))));
    this.lateRows.add(chosen.map((step) => packetRowOfStep(step, a, b)));
  }

  private ladderOf(r: ConnectionRecord): SessionLadder {
    const steps = r.ladder ?? [];
    const { originator, responder } = this.responderText(r);
    const rows = ladderSteps(steps, r.originatorIsA);
    const total = steps.length + r.ladderOmitted;
    return { connection: `${originator} ↔ ${responder}`, steps: { rows, total, omitted: total - rows.length } };
  }

  /** Sessions table: those with findings first, then the others, each list up to the cap. */
  private wantsRow(hasFindings: boolean): boolean {
    return (hasFindings ? this.withFindings : this.others).length < this.thresholds.connectionsListed;
  }

  private list(row: ConnectionSummary, hasFindings: boolean): void {
    if (this.wantsRow(hasFindings)) (hasFindings ? this.withFindings : this.others).push(row);
  }

  finish(): Finding[] {
    const open = [...this.records.values()].sort((x, y) => x.startSec - y.startSec || x.startNsec - y.startNsec);
    for (const r of open) this.close(r);
    this.udp.closeAll();
    return this.groups.findings();
  }

  /** The sessions table, ladders and response times; call after finish(). */
  views(): ConnectionViews {
    const rows = [...this.withFindings, ...this.others].slice(0, this.thresholds.connectionsListed);
    return {
      connections: { rows, total: this.closedCount, omitted: this.closedCount - rows.length },
      states: { ...this.states },
      ladders: this.ladders,
      responseTimes: this.responseTimes.summary(),
    };
  }

  /** Evidence rows of packets that were gone when their connection closed (for the packets table). */
  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }
}

function summaryOf(r: ConnectionRecord, state: string, rules: string[]): ConnectionSummary {
  const { a, b } = connectionEndpoints(r.connection);
  const [originator, responder] = r.originatorIsA ? [a, b] : [b, a];
  const o = r.originatorIsA;
  const elapsed = r.elapsedSec;
  const bytes = r.bytesA + r.bytesB;
  const endSec = r.startSec + Math.floor((r.startNsec + r.lastNs) / 1e9);
  const endNsec = (r.startNsec + r.lastNs) % 1e9;
  return {
    id: `${originator} ↔ ${responder}`,
    protocol: 'tcp',
    originator,
    responder,
    state,
    history: r.history,
    start: formatUtc(r.startSec, r.startNsec),
    end: formatUtc(endSec, endNsec),
    elapsedSec: round6(elapsed),
    packetsOut: o ? r.packetsA : r.packetsB,
    packetsIn: o ? r.packetsB : r.packetsA,
    bytesOut: o ? r.bytesA : r.bytesB,
    bytesIn: o ? r.bytesB : r.bytesA,
    serverTimeSec: round6(r.serverNs / 1e9),
    networkTimeSec: round6(r.networkNs / 1e9),
    rttMinMs: r.rttSamples === 0 ? null : round3(r.rttMinNs / 1e6),
    rttAvgMs: r.rttSamples === 0 ? null : round3(r.rttSumNs / r.rttSamples / 1e6),
    rttMaxMs: r.rttSamples === 0 ? null : round3(r.rttMaxNs / 1e6),
    throughputBytesPerSec: elapsed > 0 ? Math.round(bytes / elapsed) : 0,
    retransmittedBytes: r.retransmittedBytes,
    duplicateAcks: r.duplicateAcks,
    zeroWindowSec: round6(r.zeroWindowTotalNs / 1e9),
    mss: `${mssText(o ? r.mssA : r.mssB)} / ${mssText(o ? r.mssB : r.mssA)}`,
    windowScale: windowScaleText(o ? r.windowScaleA : r.windowScaleB, o ? r.windowScaleB : r.windowScaleA),
    findings: rules,
  };
}

function mssText(mss: number): string {
  return mss < 0 ? '-' : String(mss);
}

/** "2 / 0" when both SYNs offered a shift; "not used" when one did not (RFC 7323: both must); "-" unknown. */
function windowScaleText(originator: number, responder: number): string {
  if (originator === -2 || responder === -2) return '-';
  if (originator < 0 || responder < 0) return 'not used';
  return `${originator} / ${responder}`;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
