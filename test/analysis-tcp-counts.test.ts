/**
 * The report's tcpAnalysis counts against tshark's own tcp.analysis.* on the real captures: for every
 * flag, the number of packets tshark's display filter matches. Also through a CTRACE data set made from a
 * real capture (the z/OS input path), and with several inputs merged by time.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { TCP_ANALYSIS_FLAGS } from '../src/analysis/tcp/tcp-flags.js';
import { tsharkFields } from './support/tshark.js';
import { buildDataSet, packetEntriesFromFrames, readFrames } from './support/trace-from-capture.js';
import type { Report } from '../src/report/report-model.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const CAPTURES = [
  ...readdirSync(FIXTURES).filter((n) => n.endsWith('.pcap')).map((n) => join(FIXTURES, n)),
  ...readdirSync(join(FIXTURES, 'tcp')).filter((n) => n.endsWith('.pcap')).map((n) => join(FIXTURES, 'tcp', n)),
];
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

/** tshark's count of packets matching each tcp.analysis.* filter. */
function tsharkCounts(file: string): Record<string, number> {
  return Object.fromEntries(TCP_ANALYSIS_FLAGS.map((flag) => [flag.name, tsharkFields(file, ['frame.number'], { filter: flag.field }).length]));
}

function tsharkCount(file: string, filter: string): number {
  return tsharkFields(file, ['frame.number'], { filter }).length;
}

describe('analysis: TCP analysis counts equal tshark', function () {
  this.timeout(180_000);
  before(function () {
    if (!HAVE_TSHARK) this.skip();
  });

  for (const file of CAPTURES) {
    const name = file.slice(FIXTURES.length);
    it(`${name}: every tcp.analysis flag counted as tshark counts it`, async () => {
      const report = await analyzeInputs([file], { readOptions: DEFAULT_READ_OPTIONS });
      expect(report.tcpAnalysis).to.deep.equal(tsharkCounts(file));
      expect(report.overview.packets).to.equal(tsharkCount(file, 'frame'));
    });
  }

  describe('through a CTRACE data set made from real traffic', () => {
    let dir: string;
    let source: string;
    let dataSet: string;
    let report: Report;
    const LOCAL = '198.51.100.2';

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zctrace-analysis-'));
      source = join(FIXTURES, 'real-tcp-ipv4.pcap');
      const frames = await readFrames(source);
      dataSet = join(dir, 'trace.bin');
      writeFileSync(dataSet, buildDataSet(packetEntriesFromFrames(frames, { localAddresses: [LOCAL] }), 'rdw'));
      report = await analyzeInputs([dataSet], { readOptions: DEFAULT_READ_OPTIONS });
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('counts the same flags as tshark on the capture it was made from', () => {
      expect(report.tcpAnalysis).to.deep.equal(tsharkCounts(source));
      expect(report.inputs[0]).to.include({ kind: 'ctrace', packets: tsharkCount(source, 'frame') });
    });

    it('lists records by format ID and traffic per interface with in/out counts as the trace has them', () => {
      const formats = report.statistics.find((t) => t.title === 'Records by format ID')!;
      expect(formats.rows.rows).to.deep.equal([['SYSTCPDA', '4', formats.rows.rows[0]![2], tsharkCount(source, 'frame')]]);
      const interfaces = report.statistics.find((t) => t.title === 'Interface')!;
      const row = interfaces.rows.rows.find((r) => r[0] === 'OSAQDIO4')!;
      const [, packets, inbound, outbound] = row;
      expect([packets, inbound, outbound]).to.deep.equal([tsharkCount(source, 'frame'), tsharkCount(source, `ip.dst == ${LOCAL}`), tsharkCount(source, `ip.src == ${LOCAL}`)]);
    });

    it('numbers evidence by frame and CTRACE record: record n is frame n in a single data set', () => {
      const evidence = report.findings.flatMap((f) => f.evidence);
      expect(evidence.length).to.be.greaterThan(0);
      for (const ref of evidence) expect(ref.record).to.equal(ref.frame);
    });
  });

  describe('several inputs', () => {
    it('merges them by time, numbers frames 1..N and counts each input', async () => {
      const files = [join(FIXTURES, 'real-mixed.pcap'), join(FIXTURES, 'real-tcp-ipv4.pcap')];
      const report = await analyzeInputs(files, { readOptions: DEFAULT_READ_OPTIONS, thresholds: undefined });
      const counts = files.map((f) => tsharkCount(f, 'frame'));
      expect(report.inputs.map((i) => i.packets)).to.deep.equal(counts);
      expect(report.overview.packets).to.equal(counts[0]! + counts[1]!);
      const separate = await Promise.all(files.map((f) => analyzeInputs([f], { readOptions: DEFAULT_READ_OPTIONS })));
      for (const flag of TCP_ANALYSIS_FLAGS) {
        expect(report.tcpAnalysis[flag.name], flag.name).to.equal(separate[0]!.tcpAnalysis[flag.name] + separate[1]!.tcpAnalysis[flag.name]);
      }
      const rows = report.packets.rows;
      expect(rows.map((r) => r.frame)).to.deep.equal(rows.map((_, i) => i + 1).slice(0, rows.length));
      const times = rows.map((r) => r.time);
      expect(times).to.deep.equal([...times].sort());
    });
  });
});
