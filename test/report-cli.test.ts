/**
 * `zctrace report` end to end on the bundled sample (real traffic as a CTRACE data set): both files
 * written, the JSON true to docs/report-schema.md, its counts equal to what tshark says about the capture
 * `zctrace convert` makes of the same data set, evidence frame and record numbers pointing at the same
 * packet in Wireshark, --fail-on exit codes, and no file left behind by a failed run.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, PROJECT_ROOT } from './support/cli.js';
import { tsharkFields } from './support/tshark.js';
import { schemaProblems } from './support/report-schema-doc.js';
import { TCP_ANALYSIS_FLAGS } from '../src/analysis/tcp/tcp-flags.js';
import type { Report } from '../src/report/report-model.js';

const SAMPLE = join(PROJECT_ROOT, 'samples', 'packet-trace-rdw.bin');

describe('zctrace report (end to end on samples/packet-trace-rdw.bin)', function () {
  this.timeout(120_000);
  let dir: string;
  let report: Report;
  let html: string;
  let capture: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-report-cli-'));
    const run = runCli(['report', SAMPLE, '-o', join(dir, 'report.html'), '--json', join(dir, 'report.json')]);
    expect(run.status, run.stderr).to.equal(0);
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    html = readFileSync(join(dir, 'report.html'), 'utf8');
    capture = join(dir, 'sample.pcapng');
    const convert = runCli(['convert', SAMPLE, '-o', capture, '--quiet']);
    expect(convert.status, convert.stderr).to.equal(0);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a JSON report true to the schema document, and the HTML with every view', () => {
    expect(schemaProblems(report)).to.deep.equal([]);
    for (const view of ['overview', 'exceptions', 'sessions', 'packets', 'response-times', 'statistics', 'inputs', 'thresholds']) {
      expect(html).to.contain(`<section id="${view}"`);
    }
    expect(html).to.not.match(/https?:|<script/i);
  });

  it('counts the packets tshark counts in the converted capture', () => {
    const frames = tsharkFields(capture, ['frame.number']);
    expect(report.overview.packets).to.equal(frames.length);
    expect(report.packets.total).to.equal(frames.length);
  });

  it('gives tcpAnalysis counts equal to tshark’s tcp.analysis.* filters on the converted capture', () => {
    const rows = tsharkFields(capture, TCP_ANALYSIS_FLAGS.map((flag) => flag.field));
    // The sample's lost segments give duplicate ACKs and fast retransmissions: the comparison is not 0 = 0.
    expect(report.tcpAnalysis.duplicate_ack).to.be.greaterThan(0);
    expect(report.tcpAnalysis.fast_retransmission).to.be.greaterThan(0);
    TCP_ANALYSIS_FLAGS.forEach((flag, column) => {
      const flagged = rows.filter((row) => (row[column] ?? '') !== '').length;
      expect(report.tcpAnalysis[flag.name], flag.field).to.equal(flagged);
    });
  });

  it('names evidence packets by frame and record numbers that are the same packet in Wireshark', () => {
    const comments = new Map(tsharkFields(capture, ['frame.number', 'frame.comment']).map(([frame, comment]) => [Number(frame), comment ?? '']));
    const evidence = report.findings.flatMap((finding) => finding.evidence);
    expect(evidence.length).to.be.greaterThan(0);
    for (const ref of evidence) {
      expect(ref.record, `frame ${ref.frame}`).to.be.a('number');
      expect(comments.get(ref.frame), `frame ${ref.frame}`).to.match(new RegExp(`(^|\\s)rec=${ref.record}(\\s|$)`));
      expect(html).to.contain(`frame ${ref.frame}`);
    }
    for (const row of report.packets.rows) expect(comments.get(row.frame)).to.match(new RegExp(`(^|\\s)rec=${row.record}(\\s|$)`));
  });

  it('with filter options, analyses the packets convert writes with the same options, numbered as convert numbers them', () => {
    const filter = ['--ip', '198.51.100.0/24', '--port', '8000'];
    const json = join(dir, 'filtered.json');
    const run = runCli(['report', SAMPLE, '--json', json, ...filter]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr).to.contain('matched the filter');
    const filtered = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(schemaProblems(filtered)).to.deep.equal([]);
    expect(filtered.filter).to.equal('ip 198.51.100.0/24 and port 8000');
    const converted = join(dir, 'filtered.pcapng');
    const convert = runCli(['convert', SAMPLE, '-o', converted, '--quiet', ...filter]);
    expect(convert.status, convert.stderr).to.equal(0);
    const comments = new Map(tsharkFields(converted, ['frame.number', 'frame.comment']).map(([frame, comment]) => [Number(frame), comment ?? '']));
    expect(filtered.overview.packets).to.equal(comments.size);
    expect(filtered.overview.packets).to.be.lessThan(report.overview.packets);
    const refs = [...filtered.findings.flatMap((f) => f.evidence), ...filtered.packets.rows];
    expect(refs.length).to.be.greaterThan(0);
    for (const ref of refs) expect(comments.get(ref.frame), `frame ${ref.frame}`).to.match(new RegExp(`(^|\\s)rec=${ref.record}(\\s|$)`));
  });

  it('checks TCP checksums only with --check-checksums: then bad exactly where tshark finds them bad, sent ones as offload', () => {
    // The sample is normal traffic on a Linux veth, whose checksums are offloaded in both directions.
    expect(report.findings.filter((f) => f.rule.includes('checksum'))).to.deep.equal([]);
    expect(report.overview.findingsBySeverity.error).to.equal(0);
    const json = join(dir, 'checksums.json');
    const run = runCli(['report', SAMPLE, '--json', json, '--check-checksums', '--quiet']);
    expect(run.status, run.stderr).to.equal(0);
    const checked = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(checked.thresholds['checkChecksums']).to.equal(1);
    const rows = tsharkFields(capture, ['frame.number', 'tcp.checksum.status', 'frame.packet_flags_direction'], { filter: 'tcp', prefs: { 'tcp.check_checksum': 'TRUE' } });
    const bad = new Map(rows.filter(([, status]) => status === '0').map(([frame, , direction]) => [Number(frame), (Number(direction) & 3) === 1 ? 'inbound' : 'outbound']));
    const counted = (rule: string): number => checked.findings.filter((f) => f.rule === rule).reduce((sum, f) => sum + f.count, 0);
    expect(bad.size).to.be.greaterThan(0);
    expect(counted('tcp.bad_checksum') + counted('tcp.checksum_offload')).to.equal(bad.size);
    for (const finding of checked.findings.filter((f) => f.rule.includes('checksum'))) {
      const expected = finding.rule === 'tcp.bad_checksum' ? 'inbound' : 'outbound';
      for (const ref of finding.evidence) expect(bad.get(ref.frame), `${finding.rule} frame ${ref.frame}`).to.equal(expected);
    }
  });

  it('exits 8 with --fail-on when findings at or above the severity exist, and still writes the report', () => {
    const counts = report.overview.findingsBySeverity;
    const cases = [
      { failOn: 'warning', expected: counts.error + counts.warning > 0 ? 8 : 0 },
      { failOn: 'error', expected: counts.error > 0 ? 8 : 0 },
    ];
    expect(cases.some((c) => c.expected === 8), 'the sample has warnings (lost segments, discards)').to.equal(true);
    for (const { failOn, expected } of cases) {
      const out = join(dir, `fail-on-${failOn}.html`);
      const run = runCli(['report', SAMPLE, '-o', out, '--fail-on', failOn, '--quiet']);
      expect(run.status, `--fail-on ${failOn}: ${run.stderr}`).to.equal(expected);
      expect(run.stderr).to.equal('');
      expect(existsSync(out)).to.equal(true);
    }
  });

  it('writes NAME.report.html and NAME.report.json with --out-dir', () => {
    const outDir = join(dir, 'batch');
    mkdirSync(outDir);
    const run = runCli(['report', SAMPLE, '--out-dir', outDir, '--quiet']);
    expect(run.status, run.stderr).to.equal(0);
    expect(readdirSync(outDir).sort()).to.deep.equal(['packet-trace-rdw.report.html', 'packet-trace-rdw.report.json']);
    const batch = JSON.parse(readFileSync(join(outDir, 'packet-trace-rdw.report.json'), 'utf8')) as Report;
    expect(batch.overview.packets).to.equal(report.overview.packets);
  });

  it('leaves no file behind when one output cannot be written, and refuses to overwrite its input', () => {
    const outDir = join(dir, 'partial');
    mkdirSync(outDir);
    const run = runCli(['report', SAMPLE, '-o', join(outDir, 'report.html'), '--json', join(dir, 'missing', 'report.json')]);
    expect(run.status).to.equal(4);
    expect(run.stderr).to.match(/^zctrace: .*report\.json: cannot create output: no such directory\n$/);
    expect(readdirSync(outDir)).to.deep.equal([]);

    const copy = join(outDir, 'trace.bin');
    writeFileSync(copy, readFileSync(SAMPLE));
    const overwrite = runCli(['report', copy, '-o', copy]);
    expect(overwrite.status).to.equal(2);
    expect(readFileSync(copy).equals(readFileSync(SAMPLE))).to.equal(true);
  });

  it('fails on a missing input with exit code 3 and writes nothing', () => {
    const outDir = join(dir, 'missing-input');
    mkdirSync(outDir);
    const run = runCli(['report', join(dir, 'no-such-trace.bin'), '--out-dir', outDir]);
    expect(run.status).to.equal(3);
    expect(readdirSync(outDir)).to.deep.equal([]);
  });

  it('refuses a run without an output, and a bad thresholds file, before reading anything', () => {
    const none = runCli(['report', SAMPLE]);
    expect(none.status).to.equal(2);
    expect(none.stderr).to.contain('name an output');
    const config = join(dir, 'thresholds.json');
    writeFileSync(config, JSON.stringify({ thresholds: { noSuchThreshold: 1 } }));
    const bad = runCli(['report', SAMPLE, '-o', join(dir, 'x.html'), '--config', config]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('unknown threshold "noSuchThreshold"');
    expect(existsSync(join(dir, 'x.html'))).to.equal(false);
  });

  it('uses the thresholds of a --config file and lists them in the report', () => {
    const config = join(dir, 'scan.json');
    writeFileSync(config, JSON.stringify({ thresholds: { scanDistinctPorts: 25 } }));
    const json = join(dir, 'configured.json');
    const run = runCli(['report', SAMPLE, '--json', json, '--config', config, '--quiet']);
    expect(run.status, run.stderr).to.equal(0);
    const configured = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(configured.thresholds['scanDistinctPorts']).to.equal(25);
    expect(report.thresholds['scanDistinctPorts']).to.equal(15);
  });
});
