import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml, TEMPLATES_DIR } from '../src/report/render-html.js';
import { renderJson } from '../src/report/render-json.js';
import { writeReportFiles } from '../src/report/write-report-files.js';
import { formatDuration, formatTime, formatBytes } from '../src/report/display-format.js';
import { DEFAULT_THRESHOLDS } from '../src/analysis/thresholds.js';
import { TCP_ANALYSIS_FLAGS } from '../src/analysis/tcp/tcp-flags.js';
import { hostileReport, largeReport, sampleReport } from './support/report-fixtures.js';
import { documentedFields, schemaProblems } from './support/report-schema-doc.js';

const VIEWS = ['overview', 'exceptions', 'sessions', 'packets', 'response-times', 'statistics', 'inputs', 'thresholds'];

function templateFiles(): string[] {
  const partials = readdirSync(join(TEMPLATES_DIR, 'partials')).map((name) => join(TEMPLATES_DIR, 'partials', name));
  return [join(TEMPLATES_DIR, 'report.hbs'), join(TEMPLATES_DIR, 'report.css'), ...partials];
}

/** The text of the element with `id` up to the next element of the same tag at its level (rough, enough here). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start, `section ${id}`).to.be.greaterThan(-1);
  const next = VIEWS.map((v) => html.indexOf(`<section id="${v}"`, start + 1)).filter((i) => i > start);
  return html.slice(start, next.length > 0 ? Math.min(...next) : html.length);
}

describe('report HTML', () => {
  const html = renderHtml(sampleReport());

  it('has every view, reachable from the navigation bar', () => {
    for (const view of VIEWS) {
      expect(html).to.contain(`<section id="${view}"`);
      expect(html).to.contain(`<a href="#${view}">`);
    }
  });

  it('is self-contained: no script, no URL, no external resource', () => {
    expect(html).to.not.match(/https?:/i);
    expect(html).to.not.match(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).to.not.match(/\ssrc=/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).to.be.greaterThan(10);
    for (const href of hrefs) expect(href, href).to.match(/^#/);
  });

  it('has a target for every link inside the page', () => {
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    for (const [, target] of html.matchAll(/href="#([^"]+)"/g)) expect(ids.has(target), `#${target}`).to.equal(true);
  });

  it('shows the evidence-incomplete banner with the capture damage of the input, and none for a clean trace', () => {
    expect(html).to.contain('id="evidence-incomplete"');
    // The input's read summary: 4096 damaged bytes at file offset 65536, 12 truncated packets.
    expect(html).to.contain('4,096 damaged bytes skipped in 1 range, the first at file offset 65,536');
    expect(html).to.contain('12 packets traced abbreviated');
    expect(html).to.contain('1 packet written in several trace entries with pieces missing');
    const clean = sampleReport();
    clean.evidenceIncomplete = false;
    clean.inputs[0]!.trace = { ...clean.inputs[0]!.trace, damagedBytes: 0, damagedRanges: [], truncatedPackets: 0, decoder: {} };
    expect(renderHtml(clean)).to.not.contain('id="evidence-incomplete"');
  });

  it('says plainly when there is nothing to report', () => {
    const empty = sampleReport();
    Object.assign(empty, {
      findings: [],
      connections: { rows: [], total: 0, omitted: 0 },
      ladders: [],
      packets: { rows: [], total: 0, omitted: 0 },
      responseTimes: [],
      statistics: [],
      evidenceIncomplete: false,
    });
    empty.inputs[0]!.trace = null;
    empty.overview = { ...empty.overview, packets: 0, bytes: 0, firstTime: null, lastTime: null, headline: [], timeline: [] };
    const page = renderHtml(empty);
    expect(section(page, 'overview')).to.contain('No exceptions found.');
    expect(section(page, 'overview')).to.contain('No packets to draw.');
    expect(section(page, 'exceptions')).to.contain('No exceptions found.');
    expect(section(page, 'sessions')).to.contain('No connections.');
    expect(section(page, 'packets')).to.contain('No packets.');
    expect(page).to.not.contain('id="evidence-incomplete"');
  });

  it('lists findings worst first in the overview, each linked to its exception', () => {
    const overview = section(html, 'overview');
    const order = ['hostile.port_scan', 'tcp.zero_window', 'zos.discard', 'tcp.retransmission', 'tcp.window_update'].map((rule) => overview.indexOf(rule));
    expect(order.every((i) => i > 0)).to.equal(true);
    expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
    expect(overview).to.contain('<a href="#finding-2">Zero window advertised by 10.0.52.164:2550</a>');
  });

  it('shows each exception with its evidence as frame and record numbers, linked to the packet row when listed', () => {
    const scan = html.slice(html.indexOf('id="finding-1"'), html.indexOf('id="finding-2"'));
    // Frame 31 is in the packets table (record 41); frame 32 is not, so it is not a link.
    expect(scan).to.contain('<a href="#frame-31">frame 31</a>');
    expect(scan).to.contain('record 41');
    expect(scan).to.contain('>frame 32<');
    expect(scan).to.not.contain('href="#frame-32"');
    expect(html).to.contain('<tr id="frame-31">');
    // 57 zero-window packets, 20 kept as evidence.
    expect(html).to.contain('the first 20 of 57 are listed');
  });

  it('says how many rows capped tables left out, and nothing when a table is complete', () => {
    expect(section(html, 'packets')).to.contain('7,190 more not shown (7,195 in all)');
    expect(section(html, 'sessions')).to.contain('1,201 more not shown (1,204 in all)');
    const statistics = section(html, 'statistics');
    expect(statistics).to.contain('908 more not shown (911 in all)');
    expect(statistics.match(/more not shown/g)).to.have.length(1);
  });

  it('highlights exactly the largest gaps of a session ladder and shows the direction of each packet', () => {
    const report = sampleReport();
    const steps = report.ladders[0]!.steps.rows;
    const ladder = html.slice(html.indexOf('id="session-1"'));
    const rows = [...ladder.matchAll(/<tr( class="gap"[^>]*)?><td>(?:<a [^>]+>)?(\d+)</g)].map((m) => ({ gap: m[1] !== undefined, frame: Number(m[2]) }));
    expect(rows.map((r) => r.frame)).to.deep.equal(steps.map((s) => s.frame));
    expect(rows.map((r) => r.gap)).to.deep.equal(steps.map((s) => s.largestGap));
    expect(ladder.match(/class="right"/g)).to.have.length(steps.filter((s) => s.arrow === 'right').length);
    expect(ladder).to.contain('32.200000 s');
    // The session's connection row links to its ladder.
    expect(section(html, 'sessions')).to.contain('<a href="#session-1">10.0.52.164:2550 ↔ 61.8.0.17:80</a>');
  });

  it('draws the time-line as SVG bars proportional to the packets of each interval', () => {
    const report = sampleReport();
    const buckets = report.overview.timeline;
    const bars = [...html.matchAll(/<rect class="pk" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"\/>/g)].map((m) => Number(m[1]));
    const nonEmpty = buckets.filter((b) => b.packets > 0);
    expect(bars).to.have.length(nonEmpty.length);
    const max = Math.max(...nonEmpty.map((b) => b.packets));
    const tallest = Math.max(...bars);
    nonEmpty.forEach((bucket, i) => expect(bars[i]! / tallest).to.be.closeTo(bucket.packets / max, 0.01));
    const errors = [...html.matchAll(/<rect class="sev-error"/g)].length;
    expect(errors).to.equal(buckets.filter((b) => b.exceptions.error > 0).length);
    expect(html).to.contain(`<title>${formatTime(buckets[1]!.start)}: `);
  });

  it('lists the TCP analysis counts under Wireshark field names, and the thresholds used', () => {
    for (const flag of TCP_ANALYSIS_FLAGS) expect(html).to.contain(`>tcp.analysis.${flag.name}<`);
    expect(html).to.match(/>tcp\.analysis\.zero_window<\/td><td>warning<\/td><td class="num">57</);
    const thresholds = section(html, 'thresholds');
    expect(thresholds).to.contain('>portScan.distinctPorts</td><td class="num">15<');
    expect(thresholds).to.contain('>outOfOrder.defaultRttSec</td><td class="num">0.003<');
  });
});

describe('report HTML escaping', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const MUSTACHE = '{{x}}';

  it('never lets a template place data unescaped', () => {
    for (const file of templateFiles()) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).to.not.contain('{{{');
      expect(text, file).to.not.match(/\{\{~?&/);
    }
  });

  it('renders a payload in every name, message, path and key as text', () => {
    const html = renderHtml(hostileReport(`${SCRIPT}${MUSTACHE}`));
    expect(html).to.not.contain('<script');
    const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;${MUSTACHE}`;
    // A sample of places the payload reaches: titles, explanations, connection ids, packet messages,
    // ladder summaries, input paths, statistics cells, detail, CTRACE and threshold names.
    for (const value of [
      'Zero window advertised by 10.0.52.164:2550',
      'The receiving application is not reading',
      '10.0.52.164:2550 ↔ 61.8.0.17:80',
      'ACK PSH : http GET /download',
      'ACK : zero window probe',
      'TRACE.bin',
      'OSAQDIO4',
      'zeroWindowSeconds',
      'portScan.distinctPorts',
      'link',
      'record descriptors chain through the file',
      'Packets by interface',
      'window 0',
    ]) {
      expect(html, value).to.contain(`${escaped}${value}`);
    }
  });

  it('keeps an attribute payload inside its attribute', () => {
    const html = renderHtml(hostileReport('"><img src=x onerror=alert(1)>'));
    expect(html).to.not.contain('<img');
    expect(html).to.not.match(/"\s*onerror=/);
    expect(html).to.contain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});

describe('report HTML size', () => {
  it('stays a few megabytes for a million packets with every table at its cap', function () {
    this.timeout(60_000);
    const t = DEFAULT_THRESHOLDS;
    const report = largeReport(1_000_000, {
      packetRows: t.packetsListedFirst + t.packetsListedEvidence,
      connectionRows: t.connectionsListed,
      ladders: t.laddersListed,
      ladderSteps: t.ladderSteps,
      findings: t.maxFindingGroups,
      buckets: t.timelineBuckets,
    });
    const started = Date.now();
    const html = renderHtml(report);
    expect(Date.now() - started).to.be.lessThan(15_000);
    expect(Buffer.byteLength(html)).to.be.lessThan(8 * 1024 * 1024);
    const omitted = 1_000_000 - (t.packetsListedFirst + t.packetsListedEvidence);
    expect(section(html, 'packets')).to.contain(`${omitted.toLocaleString('en-US')} more not shown (1,000,000 in all)`);
  });
});

describe('report JSON', () => {
  it('is the report model, schemaVersion first', () => {
    const report = sampleReport();
    const text = renderJson(report);
    expect(JSON.parse(text)).to.deep.equal(report);
    expect(Object.keys(JSON.parse(text))[0]).to.equal('schemaVersion');
    expect(text.endsWith('\n')).to.equal(true);
  });

  it('matches docs/report-schema.md: every required field with its type, every field documented', () => {
    expect(schemaProblems(JSON.parse(renderJson(sampleReport())))).to.deep.equal([]);
  });

  it('catches a missing field, a wrong type and an undocumented field (the checker can fail)', () => {
    const json = JSON.parse(renderJson(sampleReport())) as Record<string, unknown>;
    delete json['evidenceIncomplete'];
    (json['overview'] as Record<string, unknown>)['packets'] = 'many';
    json['surprise'] = 1;
    const problems = schemaProblems(json);
    expect(problems).to.include('evidenceIncomplete: missing');
    expect(problems.some((p) => p.startsWith('overview.packets: "many" is string'))).to.equal(true);
    expect(problems).to.include('surprise: not documented');
  });

  it('documents a tcpAnalysis count for every Wireshark tcp.analysis flag', () => {
    const paths = new Set(documentedFields().map((f) => f.path));
    for (const flag of TCP_ANALYSIS_FLAGS) expect(paths.has(`tcpAnalysis.${flag.name}`), flag.name).to.equal(true);
  });
});

describe('report display formats', () => {
  it('writes durations, times and sizes as an analyst reads them', () => {
    // CleverView's perf session: elapsed 2:05.0584 = server 2:04.5931 + network 0.4653 (exception-catalog B.4).
    expect(formatDuration(125.0584)).to.equal('2:05.058400');
    expect(formatDuration(0.4653)).to.equal('0.465300 s');
    expect(formatDuration(3725.5)).to.equal('1:02:05.500000');
    expect(formatTime('2016-06-22T15:39:35.310000123Z')).to.equal('2016-06-22 15:39:35.310000');
    expect(formatBytes(5_463_438)).to.equal('5.2 MiB');
    expect(formatBytes(512)).to.equal('512 B');
  });
});

describe('report files', () => {
  it('are exactly the renderings in UTF-8, characters of two, three and four bytes across every chunk boundary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-report-files-'));
    try {
      const report = sampleReport();
      // Several megabytes of text whose characters take 1 to 4 bytes, so chunk boundaries fall inside them.
      const finding = report.findings[0]!;
      finding.explanation = 'aé✓😀'.repeat(400_000);
      const targets = { html: join(dir, 'r.html'), json: join(dir, 'r.json') };
      const written = await writeReportFiles(report, targets);
      expect(written.map((w) => w.path)).to.deep.equal([targets.html, targets.json]);
      expect(readFileSync(targets.json)).to.deep.equal(Buffer.from(renderJson(report), 'utf8'));
      expect(readFileSync(targets.html)).to.deep.equal(Buffer.from(renderHtml(report), 'utf8'));
      expect(written[1]!.bytes).to.equal(Buffer.byteLength(renderJson(report)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
