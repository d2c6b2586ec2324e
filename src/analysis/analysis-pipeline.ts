/**
 * One streaming pass over the packets of a run: each packet is numbered, decoded once (IP facts, TCP
 * segment, Wireshark's tcp.analysis flags from the TCP analyzer), handed to every analyzer and counted
 * into the report's views (time line, statistics, packets table). At the end the findings and views
 * become the Report. Nothing here keeps a packet: state grows with connections and hosts (each capped),
 * never with packets.
 */
import type { TracePacket } from '../model/trace-packet.js';
import type { Report, ReportInput } from '../report/report-model.js';
import { type AnalyzedPacket, type InputFacts, type PacketAnalyzer, readDatagram } from './analyzed-packet.js';
import type { Finding, Severity } from './finding.js';
import type { ThresholdName, Thresholds } from './thresholds.js';
import { REPORT_SCHEMA_VERSION } from '../report/report-model.js';
import { SEVERITIES, severityRank } from './finding.js';
import { THRESHOLD_DEFINITIONS } from './thresholds.js';
import { TcpAnalyzer } from './tcp/tcp-analyzer.js';
import { TCP_ANALYSIS_FLAGS, type TcpAnalysisFlagName, worstSeverity } from './tcp/tcp-flags.js';
import { TcpPacketView, readTcpOfLayers } from '../net/packet-view.js';
import { isWirePacket } from './wire-packets.js';
import { type AnalyzerSet, createAnalyzers, hasLateEvidence } from './analyzer-set.js';
import { captureDamageFindings } from './zos/capture-damage.js';
import { Timeline } from './views/timeline.js';
import { Statistics } from './views/statistics.js';
import { PacketTable } from './views/packet-table.js';
import { packetMessage, packetRow } from './views/packet-rows.js';
import { compareTime, formatUtc } from '../model/time.js';
import { PRODUCT_NAME_AND_VERSION } from '../version.js';

/** Findings named in the overview's headline. */
const HEADLINE_FINDINGS = 10;
const TCP_FLAG_RULES: ReadonlySet<string> = new Set(TCP_ANALYSIS_FLAGS.map((flag) => `tcp.${flag.name}`));

/** Worst first: severity, then count, then rule and title for a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  return severityRank(a.severity) - severityRank(b.severity) || b.count - a.count || a.rule.localeCompare(b.rule) || a.title.localeCompare(b.title);
}

export class AnalysisPipeline {
  private readonly tcp: TcpAnalyzer;
  /** The packet's layers, read once: its IP facts for every analyzer and, for TCP, the segment. */
  private readonly view = new TcpPacketView();
  private readonly analyzers: AnalyzerSet;
  private readonly current: AnalyzedPacket = { frame: 0, input: 0, packet: null as unknown as TracePacket, tcp: null, tcpFlags: 0 };
  private readonly timeline: Timeline;
  private readonly statistics: Statistics;
  private readonly packetTable: PacketTable;
  private readonly flagCounts = new Array<number>(TCP_ANALYSIS_FLAGS.length).fill(0);
  private readonly packetsPerInput: number[] = [];
  private newestStream = -1;
  private packets = 0;
  private bytes = 0;
  /** Times of the earliest and latest packet (valid once `packets` > 0). */
  private firstSec = 0;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;

  constructor(
    private readonly thresholds: Thresholds,
    /** Analyzers added to the standard set (tests, plug-ins). */
    extra: readonly PacketAnalyzer[] = [],
  ) {
    this.analyzers = createAnalyzers(thresholds);
    const connections = this.analyzers.connections;
    this.tcp = new TcpAnalyzer({
      idleTimeoutSec: thresholds.connectionIdleSec,
      closedTimeoutSec: thresholds.closedConnectionSec,
      maxConnections: thresholds.maxTrackedConnections,
      onForget: (c) => connections.forget(c),
    });
    this.analyzers.all.push(...extra);
    this.analyzers.wire.push(...extra);
    for (const analyzer of extra) if (analyzer.describe !== undefined) this.analyzers.labellers.push((p) => analyzer.describe!(p));
    this.timeline = new Timeline(thresholds.timelineBuckets);
    this.statistics = new Statistics(thresholds.statisticsRows);
    this.packetTable = new PacketTable(thresholds.packetsListedFirst, thresholds.packetsListedEvidence);
  }

  /** Connections still open in the connection analyzer (for tests of the memory bounds). */
  get openConnections(): number {
    return this.analyzers.connections.openConnections;
  }

  /** Analyses one packet of input `input` (the packet's bytes are not kept). */
  observe(packet: TracePacket, input: number): void {
    const wire = isWirePacket(packet);
    const p = this.decode(packet, input, wire);
    this.count(p);
    if (wire) for (const analyzer of this.analyzers.wire) analyzer.observe(p);
    for (const analyzer of this.analyzers.records) analyzer.observe(p);
    this.keepRow(p);
  }

  /** Decodes the packet once for all analyzers; only wire packets go through the TCP analysis. */
  private decode(packet: TracePacket, input: number, wire: boolean): AnalyzedPacket {
    const p = this.current;
    p.frame = ++this.packets;
    p.input = input;
    p.packet = packet;
    const view = this.view;
    const isIp = readDatagram(packet, view);
    const isTcp = wire && isIp && readTcpOfLayers(packet.data, view);
    p.tcpFlags = isTcp ? this.tcp.analyzeView(view, packet.data, packet.timeSec, packet.timeNsec) : 0;
    const connection = isTcp ? this.tcp.lastConnection : null;
    p.tcp = isTcp ? this.view : null;
    p.tcpConnection = connection;
    p.tcpFromA = connection !== null && this.tcp.lastSentByA;
    // Connections are numbered as they are created: a number not seen before is a new connection.
    p.tcpFirstPacket = connection !== null && connection.streamIndex > this.newestStream;
    if (p.tcpFirstPacket) this.newestStream = connection!.streamIndex;
    p.ip = isIp ? view : null;
    p.isEvidence = false;
    return p;
  }

  private count(p: AnalyzedPacket): void {
    const { timeSec, timeNsec, originalLength } = p.packet;
    this.bytes += originalLength;
    this.packetsPerInput[p.input] = (this.packetsPerInput[p.input] ?? 0) + 1;
    const firstPacket = p.frame === 1;
    if (firstPacket || compareTime(timeSec, timeNsec, this.firstSec, this.firstNsec) < 0) {
      this.firstSec = timeSec;
      this.firstNsec = timeNsec;
    }
    if (firstPacket || compareTime(timeSec, timeNsec, this.lastSec, this.lastNsec) > 0) {
      this.lastSec = timeSec;
      this.lastNsec = timeNsec;
    }
    this.timeline.addPacket(timeSec, timeNsec, originalLength);
    if (p.tcpFlags !== 0) {
      TCP_ANALYSIS_FLAGS.forEach((flag, i) => {
        if ((p.tcpFlags & flag.bit) !== 0) this.flagCounts[i]!++;
      });
      const severity = worstSeverity(p.tcpFlags);
      if (severity !== null) this.timeline.addException(timeSec, timeNsec, severity);
    }
    this.statistics.observe(p);
  }

  /** The packets table keeps the first packets and the ones an analyzer took as evidence. */
  private keepRow(p: AnalyzedPacket): void {
    if (this.packetTable.countPacket()) this.packetTable.addFirst(packetRow(p, packetMessage(p, this.analyzers.labellers)));
    else if (p.isEvidence === true && this.packetTable.wantsEvidence(p.frame)) this.packetTable.addEvidence(packetRow(p, packetMessage(p, this.analyzers.labellers)));
  }

  /**
   * Ends the pass: every analyzer's findings, the capture damage of the inputs, and the views, as a Report.
   * `filter` describes the packet filter the run applied (null: every packet was analysed).
   */
  finish(inputs: readonly InputFacts[], filter: string | null = null): Report {
    const findings = this.analyzers.all.flatMap((analyzer) => analyzer.finish());
    const damage = captureDamageFindings(inputs);
    const fallbackTime = this.packets === 0 ? formatUtc(Math.floor(Date.now() / 1000), 0) : formatUtc(this.firstSec, this.firstNsec);
    for (const finding of damage.findings) {
      if (finding.firstTime === '') finding.firstTime = fallbackTime;
      if (finding.lastTime === '') finding.lastTime = finding.firstTime;
    }
    findings.push(...damage.findings, ...this.analyzers.inputs.flatMap((analyzer) => analyzer.findingsFor(inputs)));
    findings.sort(compareFindings);
    for (const analyzer of this.analyzers.all) if (hasLateEvidence(analyzer)) for (const row of analyzer.lateEvidenceRows()) this.packetTable.addEvidence(row);
    this.markEvidenceOnTimeline(findings);
    const views = this.analyzers.connections.views();
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: PRODUCT_NAME_AND_VERSION,
      generatedAt: new Date().toISOString(),
      inputs: inputs.map((input, i) => this.reportInput(input, i)),
      filter,
      thresholds: Object.fromEntries(THRESHOLD_DEFINITIONS.map((d) => [d.name, this.thresholds[d.name as ThresholdName] ?? d.value])),
      overview: {
        packets: this.packets,
        bytes: this.bytes,
        firstTime: this.packets === 0 ? null : formatUtc(this.firstSec, this.firstNsec),
        lastTime: this.packets === 0 ? null : formatUtc(this.lastSec, this.lastNsec),
        findingsBySeverity: countBySeverity(findings),
        headline: findings.slice(0, HEADLINE_FINDINGS).map((f) => ({ rule: f.rule, severity: f.severity, title: f.title, count: f.count })),
        timeline: this.timeline.result(),
        timelineBucketSec: this.timeline.bucketSec,
      },
      findings,
      tcpAnalysis: Object.fromEntries(TCP_ANALYSIS_FLAGS.map((flag, i) => [flag.name, this.flagCounts[i]!])) as Record<TcpAnalysisFlagName, number>,
      connections: views.connections,
      connectionStates: views.states,
      ladders: views.ladders,
      packets: this.packetTable.result(new Set(findings.flatMap((f) => f.evidence.map((ref) => ref.frame)))),
      responseTimes: views.responseTimes,
      statistics: this.statistics.tables(inputs.map((input) => input.summary)),
      evidenceIncomplete: damage.incomplete || this.analyzers.truncation.truncatedPackets > 0,
    };
  }

  /** The time line already holds every TCP-flagged packet; the other findings add their evidence packets. */
  private markEvidenceOnTimeline(findings: readonly Finding[]): void {
    for (const finding of findings) {
      if (TCP_FLAG_RULES.has(finding.rule)) continue;
      for (const ref of finding.evidence) this.timeline.addExceptionAt(ref.time, finding.severity);
    }
  }

  private reportInput(input: InputFacts, index: number): ReportInput {
    return {
      path: input.path,
      kind: input.kind,
      trace: input.summary === null ? null : (input.summary as unknown as Record<string, unknown>),
      packets: this.packetsPerInput[index] ?? 0,
    };
  }
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}
