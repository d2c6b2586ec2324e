/** One-line warnings about a read, for stderr: what was skipped or could not be converted, and where. */
import type { ReadSummary } from '../ctrace/read-summary.js';
import { ENTRIES_NOT_CONVERTED, INCOMPLETE_SEGMENT_SETS } from '../ctrace/decoder-stat-names.js';
import type { InputReport } from '../input/input-set.js';
import { REORDER_WINDOW_NS, REORDER_WINDOW_PACKETS } from '../input/time-order-window.js';
import { NS_PER_SECOND } from '../model/time.js';

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
  const notConverted = s.decoder[ENTRIES_NOT_CONVERTED] ?? 0;
  if (notConverted > 0) lines.push(`${notConverted} entries of formats not converted to packets (see zctrace info)`);
  const incomplete = s.decoder[INCOMPLETE_SEGMENT_SETS] ?? 0;
  if (incomplete > 0) lines.push(`${incomplete} segmented packet(s) with missing segments written short`);
  return lines;
}

/** What one input of a run is and gave: `A.bin: SYSTCPDA, framing raw (…); 120 packets, 30 matched`. */
export function describeInput(input: InputReport, filtered: boolean): string {
  const s = input.summary;
  const what = s === null ? `${input.kind} capture` : `${s.component}, framing ${s.framing} (${s.framingReason})`;
  const matched = filtered ? `, ${input.counts.kept} matched the filter` : '';
  return `${input.path}: ${what}; ${input.counts.read} packets${matched}`;
}

/** An input's read problems (CTRACE) and packets it held out of time order, each line prefixed by its file. */
export function describeInputProblems(input: InputReport): string[] {
  const lines = input.summary === null ? [] : describeReadProblems(input.summary);
  const late = input.counts.late;
  if (late > 0) {
    lines.push(
      `${late} packet(s) more than ${REORDER_WINDOW_NS / NS_PER_SECOND} s or ${REORDER_WINDOW_PACKETS} packets out of time order, written where they came`,
    );
  }
  return lines.map((line) => `${input.path}: ${line}`);
}

/** The stderr summary of a run's inputs: each input's line, then its problems. */
export function describeInputs(inputs: readonly InputReport[], filtered: boolean): string[] {
  return inputs.flatMap((input) => [describeInput(input, filtered), ...describeInputProblems(input)]);
}
