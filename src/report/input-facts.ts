/**
 * What the report says about each input: its plain facts (framing, component, entries, time range) and
 * the capture damage that makes the evidence incomplete. The input's `trace` is the read summary that
 * `zctrace info --json` prints; it is read field by field with type checks, so a summary from an older or
 * newer reader still renders.
 */
import type { ReportInput } from './report-model.js';
import type { ReadSummary } from '../ctrace/read-summary.js';
import { ENTRIES_NOT_CONVERTED, INCOMPLETE_SEGMENT_SETS } from '../ctrace/decoder-stat-names.js';
import { formatBytes, formatCount, plural } from './display-format.js';

export interface InputFact {
  name: string;
  value: string;
}

/** A field of the read summary (ReadSummary names it, so a renamed field fails to build). */
type SummaryField = keyof ReadSummary;

function numberField(trace: Record<string, unknown>, name: SummaryField): number {
  const value = trace[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function arrayField(trace: Record<string, unknown>, name: SummaryField): unknown[] {
  const value = trace[name];
  return Array.isArray(value) ? value : [];
}

function offsetOf(entry: unknown): number | null {
  if (entry === null || typeof entry !== 'object') return null;
  const offset = (entry as Record<string, unknown>)['fileOffset'];
  return typeof offset === 'number' ? offset : null;
}

function decoderCount(trace: Record<string, unknown>, name: string): number {
  const decoder = trace['decoder'];
  if (decoder === null || typeof decoder !== 'object') return 0;
  const value = (decoder as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : 0;
}

/**
 * Sentences on what is missing or partial in this input, worst first: skipped damaged bytes, framing
 * anomalies, segmented packets with missing pieces, entries not converted, truncated (ABBREV) packets.
 */
export function captureWarnings(input: ReportInput): string[] {
  const trace = input.trace;
  if (trace === null) return [];
  const warnings: string[] = [];
  const damagedBytes = numberField(trace, 'damagedBytes');
  if (damagedBytes > 0) {
    const ranges = arrayField(trace, 'damagedRanges');
    const rangeCount = ranges.length + numberField(trace, 'damagedRangesNotListed');
    const first = offsetOf(ranges[0]);
    const where = first === null ? '' : `, the first at file offset ${formatCount(first)}`;
    warnings.push(
      `${plural(damagedBytes, 'damaged byte')} skipped in ${plural(rangeCount, 'range')}${where}: ` +
        'trace entries there were lost (transfer cut short, wrapped writer or a text-mode download)',
    );
  }
  const anomalies = arrayField(trace, 'framingAnomalies').length + numberField(trace, 'framingAnomaliesNotListed');
  if (anomalies > 0) warnings.push(`${plural(anomalies, 'framing anomaly', 'framing anomalies')} in the record descriptors`);
  const incomplete = decoderCount(trace, INCOMPLETE_SEGMENT_SETS);
  if (incomplete > 0) {
    warnings.push(`${plural(incomplete, 'packet')} written in several trace entries with pieces missing: shorter than on the wire`);
  }
  const notConverted = decoderCount(trace, ENTRIES_NOT_CONVERTED);
  if (notConverted > 0) {
    warnings.push(`${plural(notConverted, 'trace entry', 'trace entries')} of formats not yet analysed (see zctrace info)`);
  }
  const truncated = numberField(trace, 'truncatedPackets');
  if (truncated > 0) {
    warnings.push(`${plural(truncated, 'packet')} traced abbreviated (ABBREV or the OSA limit): payload decodes are partial`);
  }
  return warnings;
}

/** Top-level facts of the read summary worth a line each, in a fixed order, when present. */
const FACTS: { field: SummaryField; name: string; show: (v: number | string) => string }[] = [
  { field: 'component', name: 'component', show: String },
  { field: 'framing', name: 'framing', show: String },
  { field: 'framingReason', name: 'why that framing', show: String },
  { field: 'fileSize', name: 'file size', show: (v) => (typeof v === 'number' ? formatBytes(v) : v) },
  { field: 'entries', name: 'trace entries', show: (v) => (typeof v === 'number' ? formatCount(v) : v) },
  { field: 'firstPacketTime', name: 'first packet (UTC)', show: String },
  { field: 'lastPacketTime', name: 'last packet (UTC)', show: String },
  { field: 'codePage', name: 'code page', show: String },
  { field: 'layoutProfile', name: 'layout profile', show: String },
  { field: 'leapSeconds', name: 'leap seconds', show: String },
];

export function inputFacts(input: ReportInput): InputFact[] {
  const trace = input.trace;
  if (trace === null) return [];
  const facts: InputFact[] = [];
  for (const fact of FACTS) {
    const value = trace[fact.field];
    if (typeof value === 'number' || typeof value === 'string') facts.push({ name: fact.name, value: fact.show(value) });
  }
  return facts;
}
