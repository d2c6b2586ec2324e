/**
 * Every case of spec/scenarios.md as a committed sample data set (samples/scenarios/), and what
 * `zctrace report --json` says about it: the findings the case calls for (rule, severity and the facts
 * that make it this case), nothing else at warning or error, notes only where the case implies them, and
 * nothing at warning or error for the normal FTP session. The statements are in
 * test/support/scenario-samples.ts; what no analyzer says yet is listed there and pending here.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../src/analysis/finding.js';
import type { Report } from '../src/report/report-model.js';
import { convertTrace } from '../src/convert/convert-trace.js';
import { NO_SPLIT } from '../src/convert/capture-outputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { PROJECT_ROOT, runCli } from './support/cli.js';
import { tsharkFields } from './support/tshark.js';
import { type DetailExpectation, type ExpectedFinding, type ScenarioSample, SCENARIO_SAMPLES, ZERO_WINDOW_PROBE_GAPS, scenarioSamplesReadme } from './support/scenario-samples.js';

const SAMPLE_DIR = join(PROJECT_ROOT, 'samples', 'scenarios');
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const SERIOUS = new Set<Finding['severity']>(['error', 'warning']);

/** The first column of the case table in spec/scenarios.md, transcribed (the spec lives outside the repository). */
const SPEC_CASES = [
  'Zero-window stall',
  'Duplicate ACKs',
  'FTP PORT, no data connection',
  'FTP PASV, SYN unanswered',
  'Good PASV',
  'FTP brute force',
  'DNS errors',
  'DNS through a routing problem',
  'DHCP normal and decline',
  'NetBIOS broadcasts discarded 4114',
  'OSA flooded with bad packets',
  'IDS scan',
  'IDS malformed packet',
  'SYN-ACK to a scanner',
  'Illegal flag combinations',
  'Normal FTP session (baseline)',
];

function describeFinding(f: Finding): string {
  return `${f.severity} ${f.rule} ×${f.count}: ${f.title} ${JSON.stringify(f.subject)} ${JSON.stringify(f.details)}`;
}

/** Why `finding` is not `expected`, or null when it is. */
function mismatch(expected: ExpectedFinding, finding: Finding): string | null {
  if (finding.rule !== expected.rule) return 'rule';
  if (finding.severity !== expected.severity) return `severity ${finding.severity}`;
  for (const [key, value] of Object.entries(expected.subject ?? {})) {
    if (finding.subject[key as keyof Finding['subject']] !== value) return `subject.${key} ${String(finding.subject[key as keyof Finding['subject']])}`;
  }
  if (typeof expected.count === 'number' && finding.count !== expected.count) return `count ${finding.count}`;
  if (typeof expected.count === 'object' && finding.count < expected.count.atLeast) return `count ${finding.count}`;
  for (const word of expected.title ?? []) if (!finding.title.includes(word)) return `title lacks "${word}"`;
  for (const word of expected.explanation ?? []) if (!finding.explanation.includes(word)) return `explanation lacks "${word}"`;
  for (const [key, want] of Object.entries(expected.details ?? {})) {
    const why = detailMismatch(finding.details[key], want);
    if (why !== null) return `details.${key} ${why}`;
  }
  return null;
}

function detailMismatch(actual: Finding['details'][string] | undefined, want: DetailExpectation): string | null {
  if (actual === undefined) return 'missing';
  if (typeof want === 'object' && 'includes' in want) {
    if (!Array.isArray(actual)) return `${JSON.stringify(actual)} is not a list`;
    const missing = want.includes.filter((item) => !(actual as (string | number)[]).includes(item));
    return missing.length === 0 ? null : `lacks ${JSON.stringify(missing)}`;
  }
  if (typeof want === 'object') return typeof actual === 'number' && Math.abs(actual - want.near) <= want.within ? null : `${JSON.stringify(actual)} not ${want.near} ± ${want.within}`;
  return actual === want ? null : `${JSON.stringify(actual)} not ${JSON.stringify(want)}`;
}

/** Pairs each expected finding with a distinct finding of the report; the unmatched ones with their reasons. */
function match(expectedFindings: readonly ExpectedFinding[], findings: readonly Finding[]): { matched: Set<Finding>; problems: string[] } {
  const matched = new Set<Finding>();
  const problems: string[] = [];
  for (const expected of expectedFindings) {
    const candidates = findings.filter((f) => !matched.has(f) && f.rule === expected.rule);
    const hit = candidates.find((f) => mismatch(expected, f) === null);
    if (hit !== undefined) {
      matched.add(hit);
      continue;
    }
    const near = candidates.map((f) => `    ${mismatch(expected, f)}: ${describeFinding(f)}`);
    problems.push(`${expected.severity} ${expected.rule} (${expected.because}) not found${near.length > 0 ? `; nearest:\n${near.join('\n')}` : ''}`);
  }
  return { matched, problems };
}

describe('scenario samples: what zctrace report says about each case of spec/scenarios.md', function () {
  this.timeout(120_000);
  const reports = new Map<string, Report>();
  const runErrors = new Map<string, string>();
  let workDir = '';

  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'zctrace-scenarios-'));
    for (const sample of SCENARIO_SAMPLES) {
      const json = join(workDir, `${sample.file}.json`);
      const run = runCli(['report', join('samples', 'scenarios', sample.file), '--json', json, '-q'], { timeoutMs: 60_000 });
      if (run.status === 0) reports.set(sample.file, JSON.parse(readFileSync(json, 'utf8')) as Report);
      else runErrors.set(sample.file, `exit ${run.status}: ${run.stderr}`);
    }
  });

  after(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  function reportOf(sample: ScenarioSample): Report {
    const report = reports.get(sample.file);
    expect(report, `zctrace report ${sample.file}: ${runErrors.get(sample.file)}`).to.not.equal(undefined);
    return report!;
  }

  it('every case of spec/scenarios.md has a sample, and no sample stands for a case the spec lacks', () => {
    expect(SCENARIO_SAMPLES.map((s) => s.name)).to.have.members(SPEC_CASES);
  });

  it('the committed samples and their README are what the builder makes, byte for byte (npm run gen:samples)', () => {
    for (const sample of SCENARIO_SAMPLES) {
      const committed = readFileSync(join(SAMPLE_DIR, sample.file));
      expect(Buffer.from(sample.build()).equals(committed), `samples/scenarios/${sample.file} is stale: run npm run gen:samples`).to.equal(true);
    }
    expect(readFileSync(join(SAMPLE_DIR, 'README.md'), 'utf8')).to.equal(scenarioSamplesReadme());
  });

  for (const sample of SCENARIO_SAMPLES) {
    describe(`${sample.name} (${sample.file})`, () => {
      it(`is read as a ${sample.component} trace, every record converted, nothing damaged`, () => {
        const report = reportOf(sample);
        const trace = report.inputs[0]!.trace as { component?: string } | null;
        expect(trace?.component).to.equal(sample.component);
        expect(report.overview.packets).to.be.greaterThan(0);
        expect(report.evidenceIncomplete, 'evidence incomplete').to.equal(false);
        expect(report.findings.filter((f) => f.category === 'capture').map(describeFinding)).to.deep.equal([]);
      });

      const required = sample.findings.map((f) => `${f.severity} ${f.rule}`).join(', ');
      it(`holds the findings the case calls for: ${required || 'none'}`, () => {
        const { problems } = match(sample.findings, reportOf(sample).findings);
        expect(problems, problems.join('\n')).to.deep.equal([]);
      });

      const strictTitle = `says nothing else at warning or error${sample.notes.length > 0 ? `, and notes only of ${sample.notes.map((n) => n.rule).join(', ')}` : ', and no notes'}`;
      const strict = (): void => {
        const report = reportOf(sample);
        const { matched } = match(sample.findings, report.findings);
        const allowedNotes = new Set(sample.notes.map((n) => n.rule));
        const unexpected = report.findings.filter((f) => !matched.has(f) && (SERIOUS.has(f.severity) || !allowedNotes.has(f.rule)));
        expect(unexpected.map(describeFinding)).to.deep.equal([]);
        const counts = report.overview.findingsBySeverity;
        expect(counts.error + counts.warning, 'overview counts at warning and error').to.equal(sample.findings.filter((f) => SERIOUS.has(f.severity)).length);
      };
      if (sample.strictPending === undefined) it(strictTitle, strict);
      else it.skip(`${strictTitle} — PENDING: ${sample.strictPending.what} — ${sample.strictPending.analyzer}`, strict);

      for (const pending of sample.pending) it.skip(`PENDING: ${pending.what} — ${pending.analyzer}`);
    });
  }

  describe('Zero-window stall: the session as the analyst reads it', () => {
    const sample = SCENARIO_SAMPLES.find((s) => s.file === 'zero-window-stall.bin')!;
    const connection = '10.0.52.164:2550 ↔ 61.8.0.17:80';

    it('the largest gaps in the sequence of execution are the probes: 16.07, 8.06 and 4.13 s, server to client', () => {
      const ladder = reportOf(sample).ladders.find((l) => l.connection === connection);
      expect(ladder, 'a ladder for the stalled session').to.not.equal(undefined);
      const largest = ladder!.steps.rows.filter((step) => step.largestGap);
      const longest = [...ZERO_WINDOW_PROBE_GAPS].sort((a, b) => b - a).slice(0, 3);
      expect(largest.map((step) => step.deltaSec).sort((a, b) => b - a)).to.have.length(3);
      largest
        .map((step) => step.deltaSec)
        .sort((a, b) => b - a)
        .forEach((gap, i) => expect(gap).to.be.closeTo(longest[i]!, 0.001));
      // Each is the server's probe: one below the next expected byte (2091022271).
      for (const step of largest) {
        expect(step.arrow).to.equal('left');
        expect(step.summary).to.contain('seq 2091022270');
      }
    });

    it('32.38 s of zero window, and the answers to the probes are not counted as duplicate ACKs', () => {
      const row = reportOf(sample).connections.rows.find((r) => r.id === connection);
      expect(row, 'the session in the connections table').to.not.equal(undefined);
      expect(row!.zeroWindowSec).to.be.closeTo(32.3812, 0.001);
      expect(row!.duplicateAcks).to.equal(0);
      expect(row!.windowScale).to.equal('2 / 0');
      expect(row!.state).to.equal('SF');
    });
  });

  describe('the samples carry the traffic they claim, as tshark reads them', () => {
    /** tshark fields counted per sample: checksum verdicts, and the TCP analysis flags the cases are about. */
    const FIELDS = [
      'ip.checksum.status',
      'tcp.checksum.status',
      'udp.checksum.status',
      'tcp.analysis.duplicate_ack',
      'tcp.analysis.fast_retransmission',
      'tcp.analysis.lost_segment',
      'tcp.analysis.zero_window',
      'tcp.analysis.window_full',
      'tcp.analysis.keep_alive',
    ] as const;
    const CHECK_ALL = { 'ip.check_checksum': 'TRUE', 'tcp.check_checksum': 'TRUE', 'udp.check_checksum': 'TRUE' };
    /** What the cases publish: 23 duplicate ACKs after one lost segment; 7 zero windows, 6 probes, a full window. */
    const FLAGS: Record<string, Partial<Record<(typeof FIELDS)[number], number>>> = {
      'duplicate-acks.bin': { 'tcp.analysis.duplicate_ack': 23, 'tcp.analysis.fast_retransmission': 1, 'tcp.analysis.lost_segment': 1 },
      'zero-window-stall.bin': { 'tcp.analysis.zero_window': 7, 'tcp.analysis.window_full': 1, 'tcp.analysis.keep_alive': 6 },
    };
    /** IPv4 header checksums broken on purpose: the OSA flood's header errors. */
    const BAD_IP_HEADERS: Record<string, number> = { 'osa-flooded.bin': 389 };

    for (const sample of SCENARIO_SAMPLES) {
      it(`${sample.file}: checksums right except where the case breaks them${FLAGS[sample.file] === undefined ? '' : ', and the TCP analysis flags the case is about'}`, async function () {
        if (!HAVE_TSHARK) this.skip();
        const pcapng = join(workDir, `${sample.file}.pcapng`);
        await convertTrace({ inputs: [join(SAMPLE_DIR, sample.file)], output: pcapng, format: 'pcapng', precision: 'ns', snaplen: null, read: DEFAULT_READ_OPTIONS, filter: null, split: NO_SPLIT, showProgress: false });
        const rows = tsharkFields(pcapng, FIELDS, { prefs: CHECK_ALL });
        const column = (field: (typeof FIELDS)[number]): string[] => rows.map((row) => row[FIELDS.indexOf(field)] ?? '');
        const bad = (field: (typeof FIELDS)[number]): number => column(field).filter((status) => status.split(',').includes('0')).length;
        expect(bad('ip.checksum.status'), 'bad IPv4 header checksums').to.equal(BAD_IP_HEADERS[sample.file] ?? 0);
        expect(bad('tcp.checksum.status'), 'bad TCP checksums').to.equal(0);
        expect(bad('udp.checksum.status'), 'bad UDP checksums').to.equal(0);
        for (const [field, count] of Object.entries(FLAGS[sample.file] ?? {})) {
          expect(column(field as (typeof FIELDS)[number]).filter((value) => value !== '').length, field).to.equal(count);
        }
      });
    }
  });
});
