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
  /** ISO time of the bucket's start (every bucket is overview.timelineBucketSec long). */
  start: string;
  packets: number;
  bytes: number;
  /**
   * Exception packets in this bucket by severity: every packet the TCP analysis flagged (at its flag's
   * severity), plus the evidence packets of the other findings (at the finding's severity).
   */
  exceptions: Record<Severity, number>;
}

export interface ConnectionSummary {
  /** "10.0.52.164:2550 ↔ 61.8.0.17:80" (originator first). */
  id: string;
  protocol: 'tcp' | 'udp';
  /** The side that opened the connection (sent the SYN; for UDP the first sender). */
  originator: string;
  responder: string;
  /** Zeek conn_state: S0, REJ, S1, SF, S2, S3, RSTO, RSTR, RSTOS0, RSTOH, RSTRH, SH, SHR, OTH (UDP: "-"). */
  state: string;
  /**
   * Zeek-style history, each letter once, upper case for the originator: S SYN, H SYN-ACK, A pure ACK,
   * D data, F FIN, R RST, T retransmission, W zero window ('' for UDP).
   */
  history: string;
  start: string;
  end: string;
  elapsedSec: number;
  /** Out: originator → responder; In: responder → originator. Bytes are IP datagram lengths. */
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
  /**
   * Elapsed time split as in exception-catalog B.4: network time is the gaps from a packet of the traced
   * (local) host to the remote's answer; server time is every other gap, the local host's turnaround and
   * waits ended by retransmissions or probes (null when unknown: UDP).
   */
  serverTimeSec: number | null;
  networkTimeSec: number | null;
  /** ACK trip of the local host's segments as seen at the trace point (null: no sample). */
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
  throughputBytesPerSec: number;
  retransmittedBytes: number;
  duplicateAcks: number;
  zeroWindowSec: number;
  /** "originator / responder" MSS from the SYNs, "-" when not offered or not seen. */
  mss: string;
  /** "originator / responder" shift counts, "not used" when one SYN lacked the option, "-" when unknown. */
  windowScale: string;
  /** Findings about this connection, by rule (its own and the TCP analysis flags it showed). */
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
  /** Index into the report's inputs. */
  input: number;
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
  /** "tcp/21 (ftp)": the responder's port. */
  service: string;
  /** Client data after the server last spoke → the server's first data after it. */
  requests: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  /** 95th percentile (within 12 %), null with fewer than 20 requests. */
  p95Ms: number | null;
  /** Responses slower than the responseTimeThresholdMs threshold. */
  overThreshold: number;
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
  /** The packet filter of the run in words (`ip 10.1.0.0/16 and port 21`); null or absent when every packet was analysed. */
  filter?: string | null;
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
    /** Width of one timeline bucket. */
    timelineBucketSec: number;
  };
  /** Worst first (severity, then count). */
  findings: Finding[];
  /** Packets flagged per Wireshark tcp.analysis.* name, for cross-checking with tshark. */
  tcpAnalysis: Record<TcpAnalysisFlagName, number>;
  connections: Capped<ConnectionSummary>;
  /** Connections (all of them, listed or not) by Zeek conn_state. */
  connectionStates: Record<string, number>;
  ladders: SessionLadder[];
  packets: Capped<PacketRow>;
  responseTimes: ServiceResponseTime[];
  statistics: StatisticsTable[];
  /** True when the evidence is incomplete (damaged or unconverted records, truncation): the report says so. */
  evidenceIncomplete: boolean;
}
