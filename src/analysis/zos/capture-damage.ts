/**
 * What the trace data sets lost before analysis began (analysis.md §4 "Capture damage"), from each CTRACE
 * input's read summary: damaged bytes skipped while resynchronising, framing anomalies, segmented packets
 * with pieces missing, entries not turned into packets. Each becomes a 'capture' finding naming the file,
 * and any of them (or truncated packets) makes the report say its evidence is incomplete.
 */
import type { Finding } from '../finding.js';
import type { ReadSummary } from '../../ctrace/read-summary.js';
import { ENTRIES_NOT_CONVERTED, INCOMPLETE_SEGMENT_SETS } from '../../ctrace/decoder-stat-names.js';

export interface InputDamageFacts {
  path: string;
  summary: ReadSummary | null;
}

function decoderCount(summary: ReadSummary, name: string): number {
  const value = summary.decoder[name];
  return typeof value === 'number' && value > 0 ? value : 0;
}

function finding(summary: ReadSummary, rule: string, severity: Finding['severity'], title: string, explanation: string, count: number, details: Finding['details']): Finding {
  const first = summary.firstPacketTime ?? summary.lastPacketTime ?? '';
  return {
    rule,
    category: 'capture',
    severity,
    title,
    explanation,
    subject: { input: summary.file },
    firstTime: first,
    lastTime: summary.lastPacketTime ?? first,
    count,
    evidence: [],
    details,
  };
}

/** The capture findings of the inputs, and whether any input's evidence is incomplete. */
export function captureDamageFindings(inputs: readonly InputDamageFacts[]): { findings: Finding[]; incomplete: boolean } {
  const findings: Finding[] = [];
  let incomplete = false;
  for (const { path, summary } of inputs) {
    if (summary === null) continue;
    if (summary.damagedBytes > 0) {
      const ranges = summary.damagedRanges.length + summary.damagedRangesNotListed;
      findings.push(
        finding(summary, 'capture.damaged_records', 'warning', `Damaged trace data skipped in ${path}`,
          `${summary.damagedBytes} bytes of ${path} held no valid trace entry and were skipped (${ranges} damaged ranges): entries there are lost, so packets are missing from the analysis. Causes: a transfer cut short, a writer that wrapped, or a download in text mode.`,
          ranges,
          { damagedBytes: summary.damagedBytes, firstOffsets: summary.damagedRanges.slice(0, 10).map((r) => r.fileOffset) }),
      );
    }
    const anomalies = summary.framingAnomalies.length + summary.framingAnomaliesNotListed;
    if (anomalies > 0) {
      findings.push(
        finding(summary, 'capture.framing_anomalies', 'note', `Record descriptor anomalies in ${path}`,
          `The record or block descriptors of ${path} were inconsistent in ${anomalies} places (framing ${summary.framing}); the reader recovered, but entries near them may be lost.`,
          anomalies,
          { framing: summary.framing, firstOffsets: summary.framingAnomalies.slice(0, 10).map((a) => a.fileOffset) }),
      );
    }
    const segments = decoderCount(summary, INCOMPLETE_SEGMENT_SETS);
    const notConverted = decoderCount(summary, ENTRIES_NOT_CONVERTED);
    if (notConverted > 0) {
      findings.push(
        finding(summary, 'capture.entries_not_converted', 'note', `Trace entries not analysed in ${path}`,
          `${notConverted} entries of ${path} are of formats this version does not turn into packets (see zctrace info for the format IDs): what they hold is not in this report.`,
          notConverted,
          { formats: summary.entriesByFormat.map((f) => `${f.formatId} ${f.label}: ${f.entries}`) }),
      );
    }
    if (summary.damagedBytes > 0 || anomalies > 0 || segments > 0 || notConverted > 0 || summary.truncatedPackets > 0) incomplete = true;
  }
  return { findings, incomplete };
}
