/**
 * A finding: one thing the report says went wrong (or is worth knowing), with the packets that prove it.
 * Every analyzer speaks this shape; the report only sorts, groups and renders findings.
 */

/** Wireshark's Expert Info severities, worst first. */
export const SEVERITIES = ['error', 'warning', 'note', 'chat'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a finding belongs in the report (analysis.md §1–§5). */
export const FINDING_CATEGORIES = ['tcp', 'connection', 'hostile', 'zos', 'application', 'capture'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** A packet an analyst can jump to: in Wireshark (frame number) and in IPCS (CTRACE record number). */
export interface EvidenceRef {
  /** 1-based position in the analysed packet stream: the frame number of `zctrace convert` of the same inputs. */
  frame: number;
  /** Index into the report's inputs. */
  input: number;
  /** CTRACE record number in that input, or null for a pcap/pcapng input. */
  record: number | null;
  /** ISO 8601 UTC with nanoseconds. */
  time: string;
  /** One line on why this packet is evidence ("window 0", "SYN to port 23, no reply"). */
  note: string;
}

export interface Finding {
  /** Stable rule id, e.g. "tcp.zero_window", "connection.rejected", "zos.discard", "ftp.login_failed". */
  rule: string;
  category: FindingCategory;
  severity: Severity;
  /** One line naming what and where: "Zero window advertised by 10.0.52.164:2550". */
  title: string;
  /** What it means and the likely cause, in the analyst's words (scenarios.md "facts analysts use"). */
  explanation: string;
  /** What it is about; each present field is a display string. */
  subject: {
    connection?: string;
    host?: string;
    service?: string;
    interface?: string;
    /** An input file, for findings about the capture itself (damage, gaps) rather than the traffic. */
    input?: string;
  };
  /** ISO 8601 UTC times of the first and last packet involved. */
  firstTime: string;
  lastTime: string;
  /** How many packets or events the finding covers. */
  count: number;
  /** The packets that prove it: the first few, capped (the count says how many there were). */
  evidence: EvidenceRef[];
  /** Rule-specific facts shown as a small table (ports probed, user names tried, rcode...). */
  details: Record<string, string | number | boolean | string[] | number[]>;
}

/** Evidence packets kept per finding: enough to jump to, bounded whatever the trace size. */
export const MAX_EVIDENCE_PER_FINDING = 20;

/** Lower is worse: error 0 … chat 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function worseSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}
