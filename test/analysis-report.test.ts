/**
 * The Report as a whole: JSON-serialisable, findings worst first, the time line adding up to the packets,
 * statistics that agree with tshark's counts of the same capture, evidence packets present in the packets
 * table, and the thresholds (defaults, a config file's overrides) listed as used.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_DEFINITIONS, loadThresholds } from '../src/analysis/thresholds.js';
import { SEVERITIES } from '../src/analysis/finding.js';
import { ZctraceError } from '../src/errors.js';
import { tsharkFields } from './support/tshark.js';
import type { Report } from '../src/report/report-model.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

function tsharkCount(file: string, filter: string): number {
  return tsharkFields(file, ['frame.number'], { filter }).length;
}

/** Packets whose (outer) IPv4 source and destination are `address`: tshark also lists the header an ICMP error quotes, after the outer one. */
function tsharkAddressCounts(file: string, address: string): [number, number] {
  const rows = tsharkFields(file, ['ip.src', 'ip.dst']).map((row) => row.map((field) => field.split(',')[0]));
  return [rows.filter((r) => r[1] === address).length, rows.filter((r) => r[0] === address).length];
}

function table(report: Report, title: string): Map<string, (string | number)[]> {
  const found = report.statistics.find((t) => t.title === title);
  expect(found, title).to.not.equal(undefined);
  return new Map(found!.rows.rows.map((row) => [String(row[0]), row]));
}

describe('analysis: the report', function () {
  this.timeout(120_000);
  const mixed = join(FIXTURES, 'real-mixed.pcap');
  const bulk = join(FIXTURES, 'tcp', 'tcp-bulk-client.pcap');
  let mixedReport: Report;
  let bulkReport: Report;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-report-'));
    mixedReport = await analyzeInputs([mixed], { readOptions: DEFAULT_READ_OPTIONS });
    bulkReport = await analyzeInputs([bulk], { readOptions: DEFAULT_READ_OPTIONS });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is plain JSON: serialising and parsing it gives the same report', () => {
    for (const report of [mixedReport, bulkReport]) expect(JSON.parse(JSON.stringify(report))).to.deep.equal(report);
  });

  it('lists findings worst first, and the overview counts them by severity', () => {
    const ranks = bulkReport.findings.map((f) => SEVERITIES.indexOf(f.severity));
    expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, bulkReport.findings.filter((f) => f.severity === s).length]));
    expect(bulkReport.overview.findingsBySeverity).to.deep.equal(counts);
    expect(bulkReport.overview.headline[0]!.rule).to.equal(bulkReport.findings[0]!.rule);
  });

  it('has a time line whose buckets add up to the packets and bytes, and holds the flagged packets', () => {
    for (const report of [mixedReport, bulkReport]) {
      const timeline = report.overview.timeline;
      expect(timeline.length).to.be.at.most(DEFAULT_THRESHOLDS.timelineBuckets);
      expect(timeline.reduce((n, b) => n + b.packets, 0)).to.equal(report.overview.packets);
      expect(timeline.reduce((n, b) => n + b.bytes, 0)).to.equal(report.overview.bytes);
    }
    const warnings = bulkReport.overview.timeline.reduce((n, b) => n + b.exceptions.warning, 0);
    expect(warnings).to.be.at.least(bulkReport.tcpAnalysis.lost_segment);
  });

  it('keeps every finding’s evidence packets in the packets table', () => {
    const listed = new Set(bulkReport.packets.rows.map((r) => r.frame));
    for (const finding of bulkReport.findings) for (const ref of finding.evidence) expect(listed.has(ref.frame), `${finding.rule} frame ${ref.frame}`).to.equal(true);
    expect(bulkReport.packets.total).to.equal(bulkReport.overview.packets);
    expect(bulkReport.packets.omitted).to.equal(bulkReport.packets.total - bulkReport.packets.rows.length);
  });

  describe('statistics agree with tshark', function () {
    before(function () {
      if (!HAVE_TSHARK) this.skip();
    });

    it('packets by protocol and IP version', () => {
      const protocols = table(mixedReport, 'Protocol');
      for (const [name, filter] of [['TCP', 'tcp'], ['UDP', 'udp && !icmp && !icmpv6'], ['ICMP', 'icmp'], ['ICMPv6', 'icmpv6']] as const) {
        expect(protocols.get(name)?.[1], name).to.equal(tsharkCount(mixed, filter));
      }
      const versions = table(mixedReport, 'IP version');
      expect(versions.get('IPv4')?.[1]).to.equal(tsharkCount(mixed, 'ip'));
      expect(versions.get('IPv6')?.[1]).to.equal(tsharkCount(mixed, 'ipv6'));
    });

    it('packets each address sent and received, and packets by service port', () => {
      const addresses = table(mixedReport, 'Address');
      for (const address of ['198.51.100.1', '198.51.100.2']) {
        const [, , received, sent] = addresses.get(address)!;
        expect([received, sent], address).to.deep.equal(tsharkAddressCounts(mixed, address));
      }
      const ports = table(mixedReport, 'Port (the lower port of each packet: usually the service)');
      expect(ports.get('udp/53 (dns)')?.[1]).to.equal(tsharkCount(mixed, 'udp.port == 53 && !icmp && !icmpv6'));
      expect(ports.get('tcp/8000')?.[1]).to.equal(tsharkCount(mixed, 'tcp.port == 8000'));
    });
  });

  describe('thresholds', () => {
    it('lists every threshold with the value used', () => {
      expect(Object.keys(mixedReport.thresholds)).to.deep.equal(THRESHOLD_DEFINITIONS.map((d) => d.name));
      expect(mixedReport.thresholds['scanDistinctPorts']).to.equal(15);
      for (const d of THRESHOLD_DEFINITIONS) expect(d.description.length, d.name).to.be.greaterThan(20);
    });

    it('a config file overrides thresholds by name, and the report shows the new values', async () => {
      const file = join(dir, 'thresholds.json');
      writeFileSync(file, JSON.stringify({ thresholds: { scanDistinctPorts: 25, packetsListedFirst: 10 } }));
      const thresholds = loadThresholds(file);
      const report = await analyzeInputs([mixed], { readOptions: DEFAULT_READ_OPTIONS, thresholds });
      expect(report.thresholds).to.include({ scanDistinctPorts: 25, packetsListedFirst: 10, scanWindowSec: 60 });
      expect(report.packets.rows.slice(0, 10).map((r) => r.frame)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(report.packets.rows.filter((r) => r.frame > 10).every((r) => mixedReportEvidence(report).has(r.frame))).to.equal(true);
    });

    it('refuses an unknown name or a value that is not a number, naming the file', () => {
      const unknown = join(dir, 'unknown.json');
      writeFileSync(unknown, JSON.stringify({ scanPorts: 3 }));
      expect(() => loadThresholds(unknown)).to.throw(ZctraceError, /unknown threshold "scanPorts"/).with.property('file', unknown);
      const wrong = join(dir, 'wrong.json');
      writeFileSync(wrong, JSON.stringify({ thresholds: { scanWindowSec: 'sixty' } }));
      expect(() => loadThresholds(wrong)).to.throw(ZctraceError, /must be a non-negative number/);
    });
  });
});

function mixedReportEvidence(report: Report): Set<number> {
  return new Set(report.findings.flatMap((f) => f.evidence.map((e) => e.frame)));
}
