/** The human-readable form of a CalibrationResult: a table of every field, then notes and the override. */
import type { CalibrationResult } from './calibrate-trace.js';
import type { FieldFinding, Verdict } from './offset-finder.js';

const VERDICT_WORDS: Record<Verdict, string> = {
  agrees: 'agrees',
  'agrees-weakly': 'agrees (weak)',
  moved: 'MOVED',
  ambiguous: 'AMBIGUOUS',
  'no-fit': 'NO FIT',
  'too-few': 'too few records',
  'not-shown': 'not in listing',
};

/** Verdicts worth a line of explanation under the table. */
const EXPLAINED: ReadonlySet<Verdict> = new Set(['agrees-weakly', 'moved', 'ambiguous', 'no-fit', 'too-few']);

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      '  ' +
      row
        .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

function suggestion(f: FieldFinding): string {
  if (f.verdict === 'moved') return String(f.suggestedOffset);
  if (f.verdict === 'ambiguous') return `? ${f.fittingOffsets.slice(0, 3).join('|')}${f.fittingOffsetCount > 3 ? '|…' : ''}`;
  return '-';
}

function fieldRow(f: FieldFinding): string[] {
  return [
    `${f.header}.${f.field}`,
    f.ibmName ?? '-',
    f.confidence,
    String(f.profileOffset),
    String(f.size),
    f.shown === 0 ? '-' : `${f.agreeing}/${f.shown}`,
    VERDICT_WORDS[f.verdict],
    suggestion(f),
  ];
}

function noteLines(f: FieldFinding): string[] {
  if (!EXPLAINED.has(f.verdict)) return [];
  const lines = [`  ${f.header}.${f.field}: ${f.note}`];
  if (f.example !== null && f.verdict !== 'agrees-weakly' && f.verdict !== 'too-few') {
    lines.push(`      e.g. record ${f.example.recordNumber}: listing ${f.listingLabel} ${f.example.listing}, offset ${f.profileOffset} holds ${f.example.atProfileOffset}`);
  }
  return lines;
}

export function renderCalibration(r: CalibrationResult): string {
  const m = r.matching;
  const offset = m.clockOffsetSeconds === 0 ? 'the same as the TOD clock' : `TOD clock ${m.clockOffsetSeconds > 0 ? '+' : ''}${m.clockOffsetSeconds} s`;
  const lines = [
    `trace     ${r.trace.path}: framing ${r.trace.framing} (${r.trace.framingReason}), ${r.trace.entries} entries`,
    `listing   ${r.listing.path}: ${r.listing.records} records in ${r.listing.lines} lines` +
      (r.listing.duplicateRecords > 0 ? ` (${r.listing.duplicateRecords} repeated record numbers ignored)` : ''),
    `profile   ${r.layoutProfile}`,
    `matched   ${m.byRecordNumber + m.byTime} records (${m.byRecordNumber} by record number, ${m.byTime} by time); listing clock ${offset} (${m.clockBasis})`,
  ];
  if (m.unmatchedRecords > 0) {
    lines.push(`          ${m.unmatchedRecords} listing records without an entry, e.g. ${m.unmatchedExamples.join(', ')}`);
  }
  if (r.unusableHeaders > 0) lines.push(`          ${r.unusableHeaders} matched entries have an unusable PTH_Len and were not compared`);
  lines.push('', `fields (a verdict needs at least ${r.minRecords} records showing the field; offsets from the start of the PTHDR)`);
  lines.push(
    ...table(
      [['field', 'IBM name', 'conf.', 'offset', 'size', 'agree/shown', 'verdict', 'suggested'], ...r.fields.map(fieldRow)],
      new Set([3, 4, 5]),
    ),
  );
  const notes = r.fields.flatMap(noteLines);
  if (notes.length > 0) lines.push('', 'notes', ...notes);
  lines.push('');
  const corrections = r.override.corrections.map((c) => `${c.header}.${c.field} ${c.from} -> ${c.to}`).join(', ');
  for (const refused of r.override.refused) lines.push(`not corrected: ${refused.header}.${refused.field}: ${refused.reason}`);
  if (r.override.path !== null) {
    lines.push(`override written to ${r.override.path}: ${corrections === '' ? 'no offset needed correcting' : corrections}`);
    if (corrections !== '') lines.push(`  use it with: zctrace convert ${r.trace.path} -o trace.pcapng --layout ${r.override.path}`);
  } else {
    lines.push(corrections === '' ? 'no offset needs correcting' : `corrections found: ${corrections} (write them with -o FILE)`);
  }
  return lines.join('\n') + '\n';
}
