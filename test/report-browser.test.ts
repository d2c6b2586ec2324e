/**
 * The HTML report in a real browser (headless Chromium): it loads from disk with no console error and no
 * request other than the file itself, shows the overview first, its navigation works without script, and
 * a hostile trace cannot run code in it.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../src/report/render-html.js';
import { hostileReport, sampleReport } from './support/report-fixtures.js';
import { findChromium, HeadlessBrowser, type PageReport } from './support/headless-browser.js';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { PROJECT_ROOT } from './support/cli.js';

function expectClean(report: PageReport, url: string): void {
  expect(report.consoleErrors, 'console errors').to.deep.equal([]);
  expect(report.exceptions, 'uncaught exceptions').to.deep.equal([]);
  expect(report.logErrors, 'browser log errors').to.deep.equal([]);
  expect(report.dialogs, 'dialogs opened by script').to.deep.equal([]);
  expect(report.requests, 'requests').to.deep.equal([url]);
}

describe('report HTML in headless Chromium', function () {
  this.timeout(120_000);
  const chromium = findChromium();
  let browser: HeadlessBrowser;
  let dir: string;

  before(function () {
    if (chromium === null) {
      console.warn('    (skipped: Chromium is not installed; apt-get install -y chromium)');
      this.skip();
    }
    browser = HeadlessBrowser.launch(chromium);
    dir = mkdtempSync(join(tmpdir(), 'zctrace-report-browser-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function writePage(name: string, html: string): string {
    const path = join(dir, name);
    writeFileSync(path, html);
    return pathToFileURL(path).href;
  }

  it('notices console errors, requests and dialogs (the harness can fail)', async () => {
    const url = 'data:text/html,<p>x</p><script>console.error("broken");alert("ran")</script>';
    const { report } = await browser.open(url);
    expect(report.consoleErrors.join(' ')).to.contain('broken');
    expect(report.dialogs).to.deep.equal(['ran']);
  });

  it('loads with no error and no request but itself, the overview on screen first', async () => {
    const url = writePage('report.html', renderHtml(sampleReport()));
    const { sessionId, report } = await browser.open(url);
    expectClean(report, url);
    const overview = await browser.evaluate<{ top: number; height: number; viewport: number; text: string }>(
      sessionId,
      `(() => { const o = document.getElementById('overview'); const r = o.getBoundingClientRect();
         return { top: r.top, height: r.height, viewport: innerHeight, text: o.innerText }; })()`,
    );
    expect(overview.height).to.be.greaterThan(100);
    expect(overview.top).to.be.lessThan(overview.viewport);
    expect(overview.text).to.contain('What is wrong, worst first');
    expect(overview.text).to.contain('SYN scan from 50.79.43.252');
    const chart = await browser.evaluate<{ width: number; height: number; bars: number }>(
      sessionId,
      `(() => { const s = document.querySelector('figure.timeline svg'); const r = s.getBoundingClientRect();
         return { width: r.width, height: r.height, bars: s.querySelectorAll('rect.pk').length }; })()`,
    );
    expect(chart.width).to.be.greaterThan(600);
    expect(chart.height).to.be.greaterThan(100);
    expect(chart.bars).to.be.greaterThan(10);
  });

  it('navigates between views and to evidence packets by anchors alone', async () => {
    const url = writePage('report-nav.html', renderHtml(sampleReport()));
    const { sessionId } = await browser.open(url);
    expect(await browser.evaluate<number>(sessionId, 'document.scripts.length')).to.equal(0);
    for (const [link, target] of [
      ['nav a[href="#packets"]', 'packets'],
      ['a[href="#frame-31"]', 'frame-31'],
      ['a[href="#session-1"]', 'session-1'],
    ] as const) {
      const top = await browser.evaluate<number>(
        sessionId,
        `(() => { document.querySelector(${JSON.stringify(link)}).click();
           return document.getElementById(${JSON.stringify(target)}).getBoundingClientRect().top; })()`,
      );
      expect(top, target).to.be.within(0, 120); // below the sticky navigation bar, at the top of the screen
      expect(await browser.evaluate<string>(sessionId, 'location.hash')).to.equal(`#${target}`);
    }
  });

  it('shows the report of the bundled sample trace cleanly, its worst finding first', async () => {
    const report = await analyzeInputs([join(PROJECT_ROOT, 'samples', 'packet-trace-rdw.bin')], { readOptions: DEFAULT_READ_OPTIONS });
    const url = writePage('sample-trace.html', renderHtml(report));
    const { sessionId, report: page } = await browser.open(url);
    expectClean(page, url);
    const firstLine = await browser.evaluate<string>(sessionId, `document.querySelector('#overview table.headline tbody tr').innerText`);
    expect(firstLine).to.contain(report.findings[0]!.title);
  });

  it('shows a hostile trace’s names as text and runs none of them', async () => {
    const payload = '<script>alert(1)</script><img src=x onerror=alert(2)>{{x}}';
    const url = writePage('hostile.html', renderHtml(hostileReport(payload)));
    const { sessionId, report } = await browser.open(url);
    expectClean(report, url);
    const page = await browser.evaluate<{ scripts: number; images: number; text: string }>(
      sessionId,
      `({ scripts: document.scripts.length, images: document.images.length, text: document.body.innerText })`,
    );
    expect(page.scripts).to.equal(0);
    expect(page.images).to.equal(0);
    expect(page.text).to.contain(`${payload}Zero window advertised by 10.0.52.164:2550`);
  });
});
