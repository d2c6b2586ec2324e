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
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { EvidenceRef, Finding } from '../finding.js';
import { evidenceOf } from '../analyzed-packet.js';
import { formatUtc } from '../../model/time.js';

/** Gaps listed by record number in a finding's details. */
const GAPS_LISTED = 10;

/** One input's records of one format: the last record seen, and the gaps found so far. */
class CountSequence {
  lastCount = 0;
  lastRecord = 0;
  lastSec = 0;
  lastNsec = 0;
  minCount = Number.POSITIVE_INFINITY;
  maxCount = 0;
  records = 0;
  restarts = 0;
  gaps = 0;
  missing = 0;
  largestGap = 0;
  /** Record numbers before and after the largest gap, and its evidence. */
  largestBefore = 0;
  largestAfter = 0;
  largestEvidence: EvidenceRef | null = null;
  readonly listed: string[] = [];
  firstGapSec = 0;
  firstGapNsec = 0;
  lastGapSec = 0;
  lastGapNsec = 0;

  constructor(
    readonly input: number,
    readonly formatId: number,
  ) {}
}

export class TraceCountGapAnalyzer implements PacketAnalyzer {
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
    const record = p.packet.ctrace!.recordNumber;
    if (sequence.gaps === 0) {
      sequence.firstGapSec = sequence.lastSec;
      sequence.firstGapNsec = sequence.lastNsec;
    }
    sequence.lastGapSec = p.packet.timeSec;
    sequence.lastGapNsec = p.packet.timeNsec;
    sequence.gaps++;
    sequence.missing += missing;
    if (sequence.listed.length < GAPS_LISTED) sequence.listed.push(`${missing} before record ${record}`);
    if (missing > sequence.largestGap) {
      sequence.largestGap = missing;
      sequence.largestBefore = sequence.lastRecord;
      sequence.largestAfter = record;
      sequence.largestEvidence = evidenceOf(p, `trace count ${p.packet.ctrace!.traceCount}: ${missing} records missing after record ${sequence.lastRecord}`);
    }
  }

  /** The findings need the inputs' names: the pipeline asks with them (see findingsFor). */
  finish(): Finding[] {
    return [];
  }

  /** One note per input and format with gaps, named by the input's path. */
  findingsFor(paths: readonly string[]): Finding[] {
    const all = [...this.sequences.values()];
    const findings: Finding[] = [];
    for (const s of all) {
      if (s.gaps === 0 || all.some((o) => o !== s && o.formatId === s.formatId && o.records > 0 && o.minCount <= s.maxCount && s.minCount <= o.maxCount)) continue;
      const path = paths[s.input] ?? `input ${s.input + 1}`;
      findings.push({
        rule: 'capture.trace_count_gaps',
        category: 'capture',
        severity: 'note',
        title: `Trace records filtered or lost in ${path}`,
        explanation:
          `The trace count the stack writes in each record jumps ${s.gaps} times in ${path}: ${s.missing} records numbered by the stack are not in the data set. ` +
          'Either the trace was started with a filter (IP=, PORTNUM=, PROT=, LINKNAME=...), which skips counts legitimately, or records were lost before they reached the data set (the external writer or the trace buffers overran). ' +
          'It is not network loss: the packets may have crossed the network normally. If the trace had no filter, the analysis misses traffic around these records.',
        subject: { input: path },
        firstTime: formatUtc(s.firstGapSec, s.firstGapNsec),
        lastTime: formatUtc(s.lastGapSec, s.lastGapNsec),
        count: s.gaps,
        evidence: s.largestEvidence === null ? [] : [s.largestEvidence],
        details: {
          formatId: s.formatId,
          gaps: s.gaps,
          recordsMissing: s.missing,
          largestGap: s.largestGap,
          largestGapBetweenRecords: `${s.largestBefore} and ${s.largestAfter}`,
          gapsByRecord: s.listed,
          countRestarts: s.restarts,
        },
      });
    }
    return findings;
  }
}
