/**
 * The report as data: what `zctrace report --json` writes and what the HTML templates render. This is a
 * user-facing contract (documented in docs/report-schema.md): add fields freely, never rename or remove
 * one without raising REPORT_SCHEMA_VERSION. Every table that could grow with the trace is capped, and
 * says how many rows it left out.
 */
import type { Finding, Severity } from '../analysis/finding.js';
import type { TcpAnalysisFlagName } from '../analysis/tcp/tcp-flags.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportInput {
  path: string;
  kind: 'ctrace' | 'pcap' | 'pcapng';
  /** For CTRACE inputs: component, framing, entries, damaged bytes... (the `zctrace info --json` summary). */
  trace: Record<string, unknown> | null;
  packets: number;
}

/** A capped table: the rows shown and how many were left out. */
export interface Capped<T> {
  rows: T[];
  total: number;
  omitted: number;
}

export interface TimelineBucket {
  /** ISO time of the bucket's start. */
  start: string;
  packets: number;
  bytes: number;
  /** Findings' evidence packets in this bucket, by severity. */
  exceptions: Record<Severity, number>;
}

export interface ConnectionSummary {
  /** "10.0.52.164:2550 ↔ 61.8.0.17:80" (originator first). */
  id: string;
  protocol: 'tcp' | 'udp';
  originator: string;
  responder: string;
  /** Zeek conn_state: S0, REJ, S1, SF, S2, S3, RSTO, RSTR, RSTOS0, SH, SHR, OTH (UDP: "-"). */
  state: string;
  start: string;
  end: string;
  elapsedSec: number;
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
  /** Time the server took to answer vs round-trip time on the wire (null when unknown). */
  serverTimeSec: number | null;
  networkTimeSec: number | null;
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
  throughputBytesPerSec: number;
  retransmittedBytes: number;
  duplicateAcks: number;
  zeroWindowSec: number;
  mss: string;
  windowScale: string;
  /** Findings about this connection, by rule. */
  findings: string[];
}

export interface LadderStep {
  frame: number;
  record: number | null;
  time: string;
  /** Seconds since the previous step of this session. */
  deltaSec: number;
  /** 'right' = originator → responder. */
  arrow: 'right' | 'left';
  summary: string;
  /** True for the session's largest gaps. */
  largestGap: boolean;
}

export interface SessionLadder {
  connection: string;
  steps: Capped<LadderStep>;
}

export interface PacketRow {
  frame: number;
  record: number | null;
  time: string;
  size: number;
  direction: string;
  source: string;
  destination: string;
  protocol: string;
  /** "ACK PSH : ftp reply code 230" */
  message: string;
  seq: number | null;
  ack: number | null;
  window: number | null;
  /** CTRACE header facts: link, device, discard, probe, correlator, job, ASID (absent for pcap inputs). */
  ctrace: Record<string, string | number> | null;
}

export interface ServiceResponseTime {
  service: string;
  requests: number;
  avgMs: number;
  maxMs: number;
  p95Ms: number | null;
}

export interface StatisticsTable {
  title: string;
  columns: string[];
  rows: Capped<(string | number)[]>;
}

export interface Report {
  schemaVersion: number;
  tool: string;
  generatedAt: string;
  inputs: ReportInput[];
  /** Threshold names and the values this run used (defaults, config file, options). */
  thresholds: Record<string, number>;
  overview: {
    packets: number;
    bytes: number;
    firstTime: string | null;
    lastTime: string | null;
    findingsBySeverity: Record<Severity, number>;
    /** The worst findings first: rule titles with counts. */
    headline: { rule: string; severity: Severity; title: string; count: number }[];
    timeline: TimelineBucket[];
  };
  /** Worst first (severity, then count). */
  findings: Finding[];
  /** Packets flagged per Wireshark tcp.analysis.* name, for cross-checking with tshark. */
  tcpAnalysis: Record<TcpAnalysisFlagName, number>;
  connections: Capped<ConnectionSummary>;
  ladders: SessionLadder[];
  packets: Capped<PacketRow>;
  responseTimes: ServiceResponseTime[];
  statistics: StatisticsTable[];
  /** True when the evidence is incomplete (damaged or unconverted records, truncation): the report says so. */
  evidenceIncomplete: boolean;
}
