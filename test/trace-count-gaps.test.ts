/**
 * Trace-record gaps (exception-catalog Z-10): CTRACE data sets built entry by entry with the PTHDR trace
 * count set, read by the real reader and analysed. A count that jumps past the entries in between is a
 * note naming the records; consecutive counts, a segmented packet, entries of another format in between, a
 * restarted count and one trace spread over two data sets are not.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { buildPacketEntry, buildSegmentedEntries } from './support/packet-trace-builder.js';
import { concatBytes } from './support/cte-builder.js';
import { findingsOf, ipv4, udp } from './support/analysis-packets.js';
import type { Report } from '../src/report/report-model.js';

const RULE = 'capture.trace_count_gaps';
const START_SEC = 1_700_000_000;
/** A format ID the stack writes (SMC trace, contract §2.2) that this version does not turn into packets. */
const SMC_TRACE_FORMAT = 8;

function datagram(index: number, payload = 20): Uint8Array {
  return ipv4({ source: '10.1.1.1', destination: '10.1.1.2', protocol: 17, id: index + 1, payload: udp(1024, 53, payload) });
}

/** One packet trace entry per count, 1 ms apart. */
function entries(counts: readonly number[], firstIndex = 0): Uint8Array[] {
  return counts.map((traceCount, i) =>
    buildPacketEntry({
      packet: datagram(firstIndex + i),
      fields: { linkName: 'OSAQDIO4', deviceType: 39, captureTime: { sec: START_SEC, nsec: (firstIndex + i) * 1_000_000 }, traceCount },
    }),
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('analysis: trace-record gaps (PTHDR trace count)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-counts-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function analyzeDataSets(...sets: Array<[string, Uint8Array[]]>): Promise<Report> {
    const paths = sets.map(([name, list]) => {
      const path = join(dir, name);
      writeFileSync(path, concatBytes(list));
      return path;
    });
    return analyzeInputs(paths, { readOptions: DEFAULT_READ_OPTIONS });
  }

  it('counts jumping twice: one note with the gaps, the records missing, and the largest gap by record number', async () => {
    // Records 1..5 carry 100..104, record 6 carries 108 (3 missing), records 7..9 carry 109..111, record 10 carries 123 (11 missing).
    const counts = [...range(100, 104), ...range(108, 111), 123];
    const path = join(dir, 'gaps.bin');
    const report = await analyzeDataSets(['gaps.bin', entries(counts)]);
    const [finding, ...more] = findingsOf(report, RULE);
    expect(more).to.have.length(0);
    expect(finding).to.include({ severity: 'note', category: 'capture', count: 2 });
    expect(finding!.subject).to.deep.equal({ input: path });
    expect(finding!.details).to.deep.include({ gaps: 2, recordsMissing: 14, largestGap: 11, largestGapBetweenRecords: '9 and 10', formatId: 4 });
    expect(finding!.details['gapsByRecord']).to.deep.equal(['3 before record 6', '11 before record 10']);
    expect(finding!.explanation).to.match(/filter/).and.to.match(/lost/).and.to.match(/not network loss/);
    expect(finding!.evidence).to.have.length(1);
    expect(finding!.evidence[0]).to.include({ frame: 10, record: 10 });
    // The record it points at is in the packets table.
    expect(report.packets.rows.some((row) => row.frame === 10)).to.equal(true);
  });

  it('consecutive counts (the sample builders’ and the stack’s normal case) give no note', async () => {
    const report = await analyzeDataSets(['consecutive.bin', entries(range(54_565_746, 54_565_746 + 40))]);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  it('a count that goes back (a wrap or a restarted trace) starts again: no gap', async () => {
    const report = await analyzeDataSets(['restart.bin', entries([...range(4_294_967_290, 4_294_967_295), ...range(1, 6)])]);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  it('zero counts (a header without the field) are not checked', async () => {
    const report = await analyzeDataSets(['zeros.bin', entries([0, 0, 0, 0])]);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  it('entries in between that carry counts too (a segmented packet, another format) are not a gap', async () => {
    const segmented = buildSegmentedEntries(
      { packet: datagram(2, 600), fields: { linkName: 'OSAQDIO4', deviceType: 39, captureTime: { sec: START_SEC, nsec: 2_000_000 }, traceCount: 3 } },
      [200, 200],
    );
    expect(segmented).to.have.length(3);
    // Counted per entry: the later segments took counts 4 and 5, the SMC entry 7.
    const other = buildPacketEntry({ packet: datagram(9), formatId: SMC_TRACE_FORMAT, fields: { captureTime: { sec: START_SEC, nsec: 5_000_000 }, traceCount: 7 } });
    const report = await analyzeDataSets(['between.bin', [...entries([1, 2], 0), ...segmented, ...entries([6], 3), other, ...entries([8, 9], 6)]]);
    expect(report.findings.filter((f) => f.rule === 'capture.entries_not_converted')).to.have.length(1);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  it('one trace written to two data sets in turn (TRCOUT01, TRCOUT02): counts interleave, no note', async () => {
    const first = entries([1, 2, 3, 7, 8, 9], 0);
    const second = entries([4, 5, 6, 10, 11, 12], 100);
    const report = await analyzeDataSets(['TRCOUT01.bin', first], ['TRCOUT02.bin', second]);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  /** The entries with the one at `index` overwritten by bytes no reader takes for an entry (a damaged stretch). */
  function damaged(list: Uint8Array[], index: number): Uint8Array[] {
    return list.map((entry, i) => (i === index ? new Uint8Array(entry.length).fill(0xab) : entry));
  }

  it('a jump across a damaged range is that damage: reported as damaged data, not as records filtered or lost', async () => {
    const report = await analyzeDataSets(['damaged.bin', damaged(entries(range(1, 20)), 7)]);
    const [damage] = findingsOf(report, 'capture.damaged_records');
    expect(damage, 'the damage itself is reported').to.not.equal(undefined);
    expect(report.overview.packets).to.equal(19);
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });

  it('a trace with a filter gap and a damaged range: the note counts the filter gap and names the other as damage', async () => {
    // Counts 1..10, then 15..25 (4 skipped by a filter before record 11); the record with count 20 is damaged.
    const report = await analyzeDataSets(['both.bin', damaged(entries([...range(1, 10), ...range(15, 25)]), 15)]);
    const [finding, ...more] = findingsOf(report, RULE);
    expect(more).to.have.length(0);
    expect(finding!.details).to.deep.include({ gaps: 1, recordsMissing: 4, largestGap: 4, largestGapBetweenRecords: '10 and 11', gapsAcrossDamage: 1 });
    expect(finding!.details['gapsByRecord']).to.deep.equal(['4 before record 11']);
    expect(finding!.explanation).to.match(/1 further jump\(s\) lie across damaged ranges/);
    expect(finding!.evidence[0]).to.include({ frame: 11, record: 11 });
    expect(findingsOf(report, 'capture.damaged_records')).to.have.length(1);
  });

  it('pcap inputs have no trace count: no note', async () => {
    const report = await analyzeInputs([join('test/fixtures', 'real-mixed.pcap')], { readOptions: DEFAULT_READ_OPTIONS });
    expect(findingsOf(report, RULE)).to.deep.equal([]);
  });
});
