/** The human-readable form of a ReadSummary, for `zctrace info`. */
import type { ReadSummary } from '../ctrace/read-summary.js';

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => '  ' + row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

function section(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : ['', title, ...lines];
}

export function renderReadSummary(s: ReadSummary): string {
  const lines = [
    `file            ${s.file} (${s.fileSize} bytes)`,
    `framing         ${s.framing} (${s.framingReason})`,
    `component       ${s.component} (${s.componentReason})`,
    `layout profile  ${s.layoutProfile}; code page ${s.codePage}; leap seconds ${s.leapSeconds}`,
    `entries         ${s.entries}`,
    `packets         ${s.packets}` + (s.truncatedPackets > 0 ? ` (${s.truncatedPackets} truncated)` : ''),
    `time range      ${s.firstPacketTime ?? '-'} .. ${s.lastPacketTime ?? '-'} (UTC)`,
  ];
  lines.push(...section('records by format ID', table(s.entriesByFormat.map((f) => [f.label, String(f.entries)]))));
  lines.push(
    ...section(
      'interfaces',
      table([
        ['name', 'device', 'packets', 'in', 'out', 'bytes'],
        ...s.interfaces.map((i) => [i.name, i.deviceName ?? '-', String(i.packets), String(i.inbound), String(i.outbound), String(i.bytes)]),
      ]),
    ),
  );
  if (s.discards.length > 0) {
    lines.push(
      ...section(
        'discarded packets',
        table([['code', 'name', 'layer', 'packets'], ...s.discards.map((d) => [String(d.code), d.name ?? '-', d.layer, String(d.packets)])]),
      ),
    );
  }
  const decoderRows = Object.entries(s.decoder).filter(([, n]) => n > 0);
  lines.push(...section('decoding', table(decoderRows.map(([k, n]) => [k, String(n)]))));
  const damage = [`zero fill (normal buffer padding): ${s.zeroFillBytes} bytes`, `damaged, skipped: ${s.damagedBytes} bytes`];
  for (const r of s.damagedRanges.slice(0, 20)) damage.push(`  offset ${r.fileOffset}: ${r.length} bytes`);
  const moreRanges = s.damagedRanges.length - 20 + s.damagedRangesNotListed;
  if (moreRanges > 0) damage.push(`  … ${moreRanges} more ranges`);
  for (const a of s.framingAnomalies.slice(0, 20)) damage.push(`framing: offset ${a.fileOffset}: ${a.message}`);
  lines.push(...section('skipped bytes', damage));
  return lines.join('\n') + '\n';
}
