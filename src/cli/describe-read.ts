/** One-line warnings about a read, for stderr: what was skipped or could not be converted, and where. */
import type { ReadSummary } from '../ctrace/read-summary.js';

export function describeReadProblems(s: ReadSummary): string[] {
  const lines: string[] = [];
  if (s.damagedBytes > 0) {
    const first = s.damagedRanges[0];
    const where = first === undefined ? '' : `, first at offset ${first.fileOffset} (${first.length} bytes)`;
    const ranges = s.damagedRanges.length + s.damagedRangesNotListed;
    lines.push(`skipped ${s.damagedBytes} damaged bytes in ${ranges} range(s)${where}`);
  }
  for (const anomaly of s.framingAnomalies.slice(0, 5)) lines.push(`offset ${anomaly.fileOffset}: ${anomaly.message}`);
  const moreAnomalies = s.framingAnomalies.length - 5 + s.framingAnomaliesNotListed;
  if (moreAnomalies > 0) lines.push(`${moreAnomalies} more framing anomalies`);
  const notConverted = s.decoder['entriesNotConverted'] ?? 0;
  if (notConverted > 0) lines.push(`${notConverted} entries of formats not converted to packets (see zctrace info)`);
  const incomplete = s.decoder['incompleteSegmentedPackets'] ?? 0;
  if (incomplete > 0) lines.push(`${incomplete} segmented packet(s) with missing segments written short`);
  return lines;
}
