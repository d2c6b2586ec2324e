/**
 * Trace-record gaps (exception-catalog Z-10): the stack numbers the records it writes (PTHDR_T trace
 * count), so between two consecutive records of one trace the count should advance by the entries
 * written in between. When it advances further, records were numbered but never reached the data set:
 * the trace's own filter (IP=, PORTNUM=, ...) skipped them, or they were lost (writer or buffer overrun).
 * That is not network loss, and the report says both possibilities.
 *
 * One sequence per input and format ID: a data set holds one component of one stack (nothing in an entry
 * names the stack), and a packet trace and a data trace may be counted apart. The count's advance is
 * measured against the entries between the two records in the file (record numbers), so entries of
 * another format or the segments of a long packet in between never look like a gap, whether or not they
 * share the counter. A count that does not advance (a wrap or a restarted trace) starts a new run; zero
 * is what a header without the field holds and is skipped. IDS records are left out: the IDS policy picks
 * which packets it writes. One trace written to several data sets (TRCOUT01, TRCOUT02...) interleaves its
 * counts between them: inputs of one format whose count ranges overlap are not checked.
 *
 * A jump across a damaged range the reader skipped is that damage (the records were in the data set, but
 * unreadable), reported as such by the capture-damage finding: it is left out here, not blamed on a filter.
 * Jumps are kept (a bounded number per sequence) until the end, when the damaged ranges are known; the
 * reader lists at most its first hundred damaged ranges, so a jump across a later one still counts.
 */
import type { AnalyzedPacket, InputAnalyzer, InputFacts } from '../analyzed-packet.js';
import type { EvidenceRef, Finding } from '../finding.js';
import type { SkippedRange } from '../../ctrace/cte.js';
import { evidenceOf } from '../analyzed-packet.js';
import { compareTime, formatUtc } from '../../model/time.js';

/** Gaps listed by record number in a finding's details. */
const GAPS_LISTED = 10;
/** Gaps kept per sequence for the damage check at the end; later ones are counted unchecked. */
const GAPS_KEPT = 10_000;

/** One jump of the count: between the record before (at `afterOffset`) and the record at `beforeOffset`. */
interface CountGap {
  afterOffset: number;
  beforeOffset: number;
  missing: number;
  lastRecord: number;
  record: number;
  afterSec: number;
  afterNsec: number;
  sec: number;
  nsec: number;
  /** For the jumps that could be the largest (and the first few): the record after, as evidence. */
  evidence: EvidenceRef | null;
}

/** One input's records of one format: the last record seen, and the gaps found so far. */
class CountSequence {
  lastCount = 0;
  lastRecord = 0;
  lastOffset = 0;
  lastSec = 0;
  lastNsec = 0;
  minCount = Number.POSITIVE_INFINITY;
  maxCount = 0;
  records = 0;
  restarts = 0;
  readonly gaps: CountGap[] = [];
  /** The most records missing in one gap so far: a gap as large gets its evidence. */
  largestSeen = 0;
  /** Gaps past GAPS_KEPT: counted, not checked against the damage. */
  readonly unchecked = { gaps: 0, missing: 0, lastSec: 0, lastNsec: 0 };

  constructor(
    readonly input: number,
    readonly formatId: number,
  ) {}
}

/** The gaps of a sequence that no damaged range explains, summed up for the finding. */
interface GapSummary {
  gaps: number;
  missing: number;
  acrossDamage: number;
  largest: CountGap | null;
  evidence: EvidenceRef | null;
  listed: string[];
  first: [number, number];
  last: [number, number];
}

function crossesDamage(gap: CountGap, damaged: readonly SkippedRange[]): boolean {
  return damaged.some((range) => range.fileOffset > gap.afterOffset && range.fileOffset < gap.beforeOffset);
}

function summarize(s: CountSequence, damaged: readonly SkippedRange[]): GapSummary {
  const kept = s.gaps.filter((gap) => !crossesDamage(gap, damaged));
  let largest: CountGap | null = null;
  let evidence: CountGap | null = null;
  for (const gap of kept) {
    if (largest === null || gap.missing > largest.missing) largest = gap;
    if (gap.evidence !== null && (evidence === null || gap.missing > evidence.missing)) evidence = gap;
  }
  const unchecked = s.unchecked;
  // Unchecked gaps all come after the kept ones.
  const lastKept = kept[kept.length - 1];
  const last: [number, number] = unchecked.gaps > 0 || lastKept === undefined ? [unchecked.lastSec, unchecked.lastNsec] : [lastKept.sec, lastKept.nsec];
  const first = kept[0];
  return {
    gaps: kept.length + unchecked.gaps,
    missing: kept.reduce((sum, gap) => sum + gap.missing, 0) + unchecked.missing,
    acrossDamage: s.gaps.length - kept.length,
    largest,
    evidence: largest?.evidence ?? evidence?.evidence ?? null,
    listed: kept.slice(0, GAPS_LISTED).map((gap) => `${gap.missing} before record ${gap.record}`),
    first: first === undefined ? last : [first.afterSec, first.afterNsec],
    last,
  };
}

export class TraceCountGapAnalyzer implements InputAnalyzer {
  readonly name = 'trace-count-gaps';
  private readonly sequences = new Map<number, CountSequence>();
  /** The sequence of the previous record: a trace holds long runs of one input and format. */
  private last: CountSequence | null = null;

  observe(p: AnalyzedPacket): void {
    const meta = p.packet.ctrace;
    if (meta === null || meta.traceCount === null || meta.traceCount === 0 || meta.component === 'SYSTCPIS') return;
    const count = meta.traceCount;
    const sequence = this.sequenceOf(p.input, meta.formatId);
    sequence.records++;
    if (count < sequence.minCount) sequence.minCount = count;
    if (count > sequence.maxCount) sequence.maxCount = count;
    if (sequence.records > 1) {
      const advance = count - sequence.lastCount;
      // Entries written between the two records (a segmented packet's later entries, other formats).
      const entries = meta.recordNumber - sequence.lastRecord;
      if (advance <= 0) sequence.restarts++;
      else if (entries > 0 && advance > entries) this.noteGap(sequence, p, advance - entries);
    }
    sequence.lastCount = count;
    sequence.lastRecord = meta.recordNumber;
    sequence.lastOffset = meta.fileOffset;
    sequence.lastSec = p.packet.timeSec;
    sequence.lastNsec = p.packet.timeNsec;
  }

  private sequenceOf(input: number, formatId: number): CountSequence {
    const last = this.last;
    if (last !== null && last.input === input && last.formatId === formatId) return last;
    // A format ID is below 2^32: one number keys input and format.
    const key = input * 0x1_0000_0000 + formatId;
    let sequence = this.sequences.get(key);
    if (sequence === undefined) {
      sequence = new CountSequence(input, formatId);
      this.sequences.set(key, sequence);
    }
    this.last = sequence;
    return sequence;
  }

  private noteGap(sequence: CountSequence, p: AnalyzedPacket, missing: number): void {
    const meta = p.packet.ctrace!;
    const { timeSec, timeNsec } = p.packet;
    if (sequence.gaps.length >= GAPS_KEPT) {
      const unchecked = sequence.unchecked;
      unchecked.gaps++;
      unchecked.missing += missing;
      if (unchecked.gaps === 1 || compareTime(timeSec, timeNsec, unchecked.lastSec, unchecked.lastNsec) > 0) {
        unchecked.lastSec = timeSec;
        unchecked.lastNsec = timeNsec;
      }
      return;
    }
    // Evidence for each gap that may turn out the largest once the damage is known, and for the first few.
    const wanted = missing >= sequence.largestSeen || sequence.gaps.length < GAPS_LISTED;
    sequence.largestSeen = Math.max(sequence.largestSeen, missing);
    sequence.gaps.push({
      afterOffset: sequence.lastOffset,
      beforeOffset: meta.fileOffset,
      missing,
      lastRecord: sequence.lastRecord,
      record: meta.recordNumber,
      afterSec: sequence.lastSec,
      afterNsec: sequence.lastNsec,
      sec: timeSec,
      nsec: timeNsec,
      evidence: wanted ? evidenceOf(p, `trace count ${meta.traceCount}: ${missing} records missing after record ${sequence.lastRecord}`) : null,
    });
  }

  /** The findings need the inputs' names and damage: the pipeline asks with them (see findingsFor). */
  finish(): Finding[] {
    return [];
  }

  /** One note per input and format with gaps no damage explains, named by the input's path. */
  findingsFor(inputs: readonly InputFacts[]): Finding[] {
    const all = [...this.sequences.values()];
    const findings: Finding[] = [];
    for (const s of all) {
      if (s.gaps.length + s.unchecked.gaps === 0) continue;
      if (all.some((o) => o !== s && o.formatId === s.formatId && o.records > 0 && o.minCount <= s.maxCount && s.minCount <= o.maxCount)) continue;
      const input = inputs[s.input];
      const summary = summarize(s, input?.summary?.damagedRanges ?? []);
      if (summary.gaps === 0) continue;
      const path = input?.path ?? `input ${s.input + 1}`;
      const damageNote =
        summary.acrossDamage === 0
          ? ''
          : ` ${summary.acrossDamage} further jump(s) lie across damaged ranges of the data set: those records were there but unreadable, and are reported with the damage.`;
      findings.push({
        rule: 'capture.trace_count_gaps',
        category: 'capture',
        severity: 'note',
        title: `Trace records filtered or lost in ${path}`,
        explanation:
          `The trace count the stack writes in each record jumps ${summary.gaps} times in ${path}: ${summary.missing} records numbered by the stack are not in the data set. ` +
          'Either the trace was started with a filter (IP=, PORTNUM=, PROT=, LINKNAME=...), which skips counts legitimately, or records were lost before they reached the data set (the external writer or the trace buffers overran). ' +
          'It is not network loss: the packets may have crossed the network normally. If the trace had no filter, the analysis misses traffic around these records.' +
          damageNote,
        subject: { input: path },
        firstTime: formatUtc(summary.first[0], summary.first[1]),
        lastTime: formatUtc(summary.last[0], summary.last[1]),
        count: summary.gaps,
        evidence: summary.evidence === null ? [] : [summary.evidence],
        details: {
          formatId: s.formatId,
          gaps: summary.gaps,
          recordsMissing: summary.missing,
          largestGap: summary.largest?.missing ?? 0,
          largestGapBetweenRecords: summary.largest === null ? '' : `${summary.largest.lastRecord} and ${summary.largest.record}`,
          gapsByRecord: summary.listed,
          countRestarts: s.restarts,
          ...(summary.acrossDamage === 0 ? {} : { gapsAcrossDamage: summary.acrossDamage }),
        },
      });
    }
    return findings;
  }
}
