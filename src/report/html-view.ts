/**
 * The report model shaped for the HTML templates: every value already formatted as the analyst reads it,
 * anchors for the links between views (headline → exception → packet, session → ladder), and the
 * "N more not shown" notes of capped tables. The templates only place these strings; Handlebars escapes
 * each one, so nothing from a trace can become markup.
 */
import { SEVERITIES, type EvidenceRef, type Finding, type Severity } from '../analysis/finding.js';
import { TCP_ANALYSIS_FLAGS } from '../analysis/tcp/tcp-flags.js';
import type {
  Capped,
  ConnectionSummary,
  LadderStep,
  PacketRow,
  Report,
  ReportInput,
  SessionLadder,
  StatisticsTable,
} from './report-model.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMilliseconds,
  formatNumber,
  formatOptionalDuration,
  formatTime,
  plural,
  secondsBetween,
} from './display-format.js';
import { timelineChart, type TimelineChart } from './timeline-chart.js';
import { CONN_STATE_MEANING } from '../analysis/connections/conn-state.js';
import { captureWarnings, inputFacts, type InputFact } from './input-facts.js';

export interface NameValue {
  name: string;
  value: string;
}

export interface CappedView<T> {
  rows: T[];
  /** "1,234 more not shown (10,000 in all)", or null when nothing was left out. */
  omittedNote: string | null;
}

export interface EvidenceView {
  frame: number;
  record: number | null;
  /** The input's path, when the report has several inputs. */
  input: string | null;
  time: string;
  note: string;
  /** Anchor of the packet's row in the Packets view, when that row is shown. */
  packetAnchor: string | null;
}

export interface FindingView {
  anchor: string;
  severity: Severity;
  rule: string;
  category: string;
  title: string;
  explanation: string;
  subject: NameValue[];
  firstTime: string;
  lastTime: string;
  span: string;
  count: string;
  evidence: EvidenceView[];
  evidenceNote: string | null;
  /** Evidence tables start open for the worst findings only, so a long list stays scannable. */
  evidenceOpen: boolean;
  details: NameValue[];
}

export interface ConnectionView {
  anchor: string;
  ladderAnchor: string | null;
  id: string;
  protocol: string;
  state: string;
  stateMeaning: string;
  history: string;
  start: string;
  end: string;
  elapsed: string;
  serverTime: string;
  networkTime: string;
  packetsOut: string;
  packetsIn: string;
  bytesOut: string;
  bytesIn: string;
  rtt: string;
  throughput: string;
  retransmittedBytes: string;
  duplicateAcks: string;
  zeroWindow: string;
  mss: string;
  windowScale: string;
  findings: string;
}

export interface LadderStepView {
  frame: number;
  record: number | null;
  time: string;
  delta: string;
  right: boolean;
  summary: string;
  largestGap: boolean;
  packetAnchor: string | null;
}

export interface LadderView {
  anchor: string;
  connection: string;
  originator: string;
  responder: string;
  steps: CappedView<LadderStepView>;
}

export interface PacketView {
  anchor: string;
  frame: number;
  /** The input's path, when the report has several inputs. */
  input: string | null;
  record: number | null;
  time: string;
  size: string;
  direction: string;
  source: string;
  destination: string;
  protocol: string;
  message: string;
  seq: string;
  ack: string;
  window: string;
  ctrace: NameValue[];
}

export interface StatisticsView {
  title: string;
  columns: string[];
  rows: CappedView<string[]>;
}

export interface InputView {
  number: number;
  path: string;
  kind: string;
  packets: string;
  facts: InputFact[];
  warnings: string[];
}

export interface HtmlView {
  title: string;
  tool: string;
  generatedAt: string;
  schemaVersion: number;
  evidenceIncomplete: boolean;
  incompleteReasons: string[];
  /** The run's packet filter in words, null when every packet was analysed. */
  filter: string | null;
  overview: {
    packets: string;
    bytes: string;
    firstTime: string;
    lastTime: string;
    span: string;
    severities: { severity: Severity; count: string; none: boolean }[];
    headline: { severity: Severity; rule: string; title: string; count: string; anchor: string | null }[];
    chart: TimelineChart;
  };
  /** Several inputs: evidence and packets say which input each packet came from. */
  multipleInputs: boolean;
  findings: FindingView[];
  findingCount: string;
  tcpAnalysis: { field: string; severity: string; description: string; count: string; flagged: boolean }[];
  connections: CappedView<ConnectionView>;
  connectionStates: { state: string; meaning: string; count: string }[];
  ladders: LadderView[];
  packets: CappedView<PacketView>;
  responseTimes: { service: string; requests: string; min: string; avg: string; max: string; p95: string; overThreshold: string }[];
  /** The response-time threshold in words, for the "slow" column's heading. */
  slowResponse: string;
  statistics: StatisticsView[];
  inputs: InputView[];
  thresholds: NameValue[];
}

/** How many of the worst findings show their evidence packets without a click. */
const EVIDENCE_OPEN_FINDINGS = 10;

function omittedNote(table: Capped<unknown>): string | null {
  return table.omitted > 0 ? `${formatCount(table.omitted)} more not shown (${formatCount(table.total)} in all)` : null;
}

function cappedView<T, V>(table: Capped<T>, view: (row: T, i: number) => V): CappedView<V> {
  return { rows: table.rows.map(view), omittedNote: omittedNote(table) };
}

function frameAnchor(frame: number): string {
  return `frame-${frame}`;
}

function detailValue(value: Finding['details'][string]): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? formatNumber(v) : v)).join(', ');
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/** Links between views need to know which frames the Packets view actually shows. */
interface Links {
  shownFrames: Set<number>;
  inputPaths: string[] | null;
}

function packetAnchorOf(frame: number, links: Links): string | null {
  return links.shownFrames.has(frame) ? frameAnchor(frame) : null;
}

function evidenceView(ref: EvidenceRef, links: Links): EvidenceView {
  return {
    frame: ref.frame,
    record: ref.record,
    input: links.inputPaths === null ? null : (links.inputPaths[ref.input] ?? `input ${ref.input + 1}`),
    time: formatTime(ref.time),
    note: ref.note,
    packetAnchor: packetAnchorOf(ref.frame, links),
  };
}

function findingView(finding: Finding, i: number, links: Links): FindingView {
  const shown = finding.evidence.length;
  const span = secondsBetween(finding.firstTime, finding.lastTime);
  return {
    anchor: `finding-${i + 1}`,
    severity: finding.severity,
    rule: finding.rule,
    category: finding.category,
    title: finding.title,
    explanation: finding.explanation,
    subject: Object.entries(finding.subject)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([name, value]) => ({ name, value })),
    firstTime: formatTime(finding.firstTime),
    lastTime: formatTime(finding.lastTime),
    span: span === null ? '–' : formatDuration(span),
    count: formatCount(finding.count),
    evidence: finding.evidence.map((ref) => evidenceView(ref, links)),
    evidenceNote: finding.count > shown ? `the first ${formatCount(shown)} of ${formatCount(finding.count)} are listed` : null,
    evidenceOpen: i < EVIDENCE_OPEN_FINDINGS,
    details: Object.entries(finding.details).map(([name, value]) => ({ name, value: detailValue(value) })),
  };
}

function rttText(c: ConnectionSummary): string {
  if (c.rttMinMs === null && c.rttAvgMs === null && c.rttMaxMs === null) return '–';
  return [c.rttMinMs, c.rttAvgMs, c.rttMaxMs].map((ms) => (ms === null ? '–' : ms.toFixed(3))).join(' / ');
}

function connectionView(c: ConnectionSummary, i: number, ladderAnchors: Map<string, string>): ConnectionView {
  return {
    anchor: `connection-${i + 1}`,
    ladderAnchor: ladderAnchors.get(c.id) ?? null,
    id: c.id,
    protocol: c.protocol,
    state: c.state,
    stateMeaning: CONN_STATE_MEANING[c.state] ?? '',
    history: c.history,
    start: formatTime(c.start),
    end: formatTime(c.end),
    elapsed: formatDuration(c.elapsedSec),
    serverTime: formatOptionalDuration(c.serverTimeSec),
    networkTime: formatOptionalDuration(c.networkTimeSec),
    packetsOut: formatCount(c.packetsOut),
    packetsIn: formatCount(c.packetsIn),
    bytesOut: formatBytes(c.bytesOut),
    bytesIn: formatBytes(c.bytesIn),
    rtt: rttText(c),
    throughput: `${formatBytes(c.throughputBytesPerSec)}/s`,
    retransmittedBytes: formatBytes(c.retransmittedBytes),
    duplicateAcks: formatCount(c.duplicateAcks),
    zeroWindow: c.zeroWindowSec > 0 ? formatDuration(c.zeroWindowSec) : '–',
    mss: c.mss,
    windowScale: c.windowScale,
    findings: c.findings.join(', '),
  };
}

function ladderStepView(step: LadderStep, links: Links): LadderStepView {
  return {
    frame: step.frame,
    record: step.record,
    time: formatTime(step.time),
    delta: formatDuration(step.deltaSec),
    right: step.arrow === 'right',
    summary: step.summary,
    largestGap: step.largestGap,
    packetAnchor: packetAnchorOf(step.frame, links),
  };
}

function ladderView(ladder: SessionLadder, i: number, connections: ConnectionSummary[], links: Links): LadderView {
  const connection = connections.find((c) => c.id === ladder.connection);
  return {
    anchor: `session-${i + 1}`,
    connection: ladder.connection,
    originator: connection?.originator ?? 'originator',
    responder: connection?.responder ?? 'responder',
    steps: cappedView(ladder.steps, (step) => ladderStepView(step, links)),
  };
}

function optionalNumber(n: number | null): string {
  return n === null ? '' : String(n);
}

function packetView(row: PacketRow, links: Links): PacketView {
  return {
    anchor: frameAnchor(row.frame),
    frame: row.frame,
    input: links.inputPaths === null ? null : (links.inputPaths[row.input] ?? `input ${row.input + 1}`),
    record: row.record,
    time: formatTime(row.time),
    size: formatCount(row.size),
    direction: row.direction,
    source: row.source,
    destination: row.destination,
    protocol: row.protocol,
    message: row.message,
    seq: optionalNumber(row.seq),
    ack: optionalNumber(row.ack),
    window: optionalNumber(row.window),
    ctrace: Object.entries(row.ctrace ?? {}).map(([name, value]) => ({ name, value: String(value) })),
  };
}

function statisticsView(table: StatisticsTable): StatisticsView {
  return {
    title: table.title,
    columns: table.columns,
    rows: cappedView(table.rows, (row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : formatTime(cell)))),
  };
}

function inputView(input: ReportInput, i: number): InputView {
  return {
    number: i + 1,
    path: input.path,
    kind: input.kind,
    packets: formatCount(input.packets),
    facts: inputFacts(input),
    warnings: captureWarnings(input),
  };
}

function incompleteReasons(report: Report): string[] {
  const several = report.inputs.length > 1;
  const reasons = report.inputs.flatMap((input) => captureWarnings(input).map((w) => (several ? `${input.path}: ${w}` : w)));
  if (reasons.length === 0 && report.evidenceIncomplete) {
    reasons.push('some trace records could not be used; the Inputs view says which input');
  }
  return reasons;
}

function overviewView(report: Report, findings: FindingView[]): HtmlView['overview'] {
  const o = report.overview;
  // A headline line names one finding (rule and title); a line summing up a rule links to its first finding.
  const anchorOf = new Map<string, string>();
  report.findings.forEach((f, i) => {
    const anchor = findings[i]?.anchor ?? '';
    if (!anchorOf.has(`${f.rule}\n${f.title}`)) anchorOf.set(`${f.rule}\n${f.title}`, anchor);
    if (!anchorOf.has(f.rule)) anchorOf.set(f.rule, anchor);
  });
  const span = secondsBetween(o.firstTime, o.lastTime);
  return {
    packets: formatCount(o.packets),
    bytes: formatBytes(o.bytes),
    firstTime: formatTime(o.firstTime),
    lastTime: formatTime(o.lastTime),
    span: span === null ? '–' : formatDuration(span),
    severities: SEVERITIES.map((severity) => {
      const n = o.findingsBySeverity[severity] ?? 0;
      return { severity, count: formatCount(n), none: n === 0 };
    }),
    headline: o.headline.map((h) => ({
      severity: h.severity,
      rule: h.rule,
      title: h.title,
      count: formatCount(h.count),
      anchor: anchorOf.get(`${h.rule}\n${h.title}`) ?? anchorOf.get(h.rule) ?? null,
    })),
    chart: timelineChart(o.timeline, o.timelineBucketSec, o.lastTime),
  };
}

function slowResponseHeading(thresholds: Record<string, number>): string {
  const limit = thresholds['responseTimeThresholdMs'];
  return limit === undefined ? 'slow' : `over ${formatNumber(limit)} ms`;
}

function titleOf(report: Report): string {
  const first = report.inputs[0]?.path ?? 'no input';
  const more = report.inputs.length > 1 ? ` and ${plural(report.inputs.length - 1, 'more input')}` : '';
  return `zctrace report: ${first}${more}`;
}

export function buildHtmlView(report: Report): HtmlView {
  const links: Links = {
    shownFrames: new Set(report.packets.rows.map((row) => row.frame)),
    inputPaths: report.inputs.length > 1 ? report.inputs.map((input) => input.path) : null,
  };
  const findings = report.findings.map((f, i) => findingView(f, i, links));
  const ladders = report.ladders.map((ladder, i) => ladderView(ladder, i, report.connections.rows, links));
  const ladderAnchors = new Map(ladders.map((ladder) => [ladder.connection, ladder.anchor]));
  return {
    title: titleOf(report),
    tool: report.tool,
    generatedAt: formatTime(report.generatedAt),
    schemaVersion: report.schemaVersion,
    evidenceIncomplete: report.evidenceIncomplete,
    incompleteReasons: incompleteReasons(report),
    filter: report.filter ?? null,
    multipleInputs: links.inputPaths !== null,
    overview: overviewView(report, findings),
    findings,
    findingCount: formatCount(findings.length),
    tcpAnalysis: TCP_ANALYSIS_FLAGS.map((flag) => {
      const n = report.tcpAnalysis[flag.name] ?? 0;
      return { field: flag.field, severity: flag.severity, description: flag.description, count: formatCount(n), flagged: n > 0 };
    }),
    connections: cappedView(report.connections, (c, i) => connectionView(c, i, ladderAnchors)),
    connectionStates: Object.entries(report.connectionStates)
      .sort(([, a], [, b]) => b - a)
      .map(([state, n]) => ({ state, meaning: CONN_STATE_MEANING[state] ?? '', count: formatCount(n) })),
    ladders,
    packets: cappedView(report.packets, (row) => packetView(row, links)),
    responseTimes: report.responseTimes.map((r) => ({
      service: r.service,
      requests: formatCount(r.requests),
      min: formatMilliseconds(r.minMs),
      avg: formatMilliseconds(r.avgMs),
      max: formatMilliseconds(r.maxMs),
      p95: formatMilliseconds(r.p95Ms),
      overThreshold: formatCount(r.overThreshold),
    })),
    slowResponse: slowResponseHeading(report.thresholds),
    statistics: report.statistics.map(statisticsView),
    inputs: report.inputs.map(inputView),
    thresholds: Object.entries(report.thresholds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value: formatNumber(value) })),
  };
}
