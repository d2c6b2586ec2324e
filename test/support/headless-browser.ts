/**
 * Loads a page in headless Chromium and reports what a person's browser would have seen go wrong:
 * console errors, uncaught exceptions, browser log errors (blocked or failed loads), every URL the page
 * requested, and dialogs a script opened (an executed `alert`).
 *
 * Talks the DevTools protocol over `--remote-debugging-pipe` (file descriptors 3 and 4, messages ending
 * in NUL), so no WebSocket client and no TCP port are needed. Startup flags turn off Chromium's own
 * background traffic: the page under test is the only thing that could ask for a URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The Chromium binary on PATH (or $CHROMIUM), or null when none is installed. */
export function findChromium(): string | null {
  const named = process.env['CHROMIUM'];
  for (const name of named ? [named] : CANDIDATES) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return name;
  }
  return null;
}

const QUIET_FLAGS = [
  '--headless',
  '--no-sandbox', // tests run as root in CI
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-client-side-phishing-detection',
  '--no-pings',
  '--metrics-recording-only',
  '--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication',
  '--window-size=1400,1000',
];

export interface PageReport {
  consoleErrors: string[];
  exceptions: string[];
  logErrors: string[];
  /** Every URL the page asked for, the page itself included. */
  requests: string[];
  dialogs: string[];
}

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

type EventListener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export class HeadlessBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private readonly eventsByMethod = new Map<string, EventListener[]>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly profileDir: string,
  ) {
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  static launch(binary: string): HeadlessBrowser {
    const profileDir = mkdtempSync(join(tmpdir(), 'zctrace-chromium-'));
    const child = spawn(binary, [...QUIET_FLAGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    return new HeadlessBrowser(child, profileDir);
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffered.slice(0, end)) as {
        id?: number;
        method?: string;
        params?: Record<string, unknown>;
        result?: Record<string, unknown>;
        error?: { message: string };
        sessionId?: string;
      };
      this.buffered = this.buffered.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiting?.reject(new Error(message.error.message));
        else waiting?.resolve(message.result ?? {});
      } else if (message.method !== undefined) {
        for (const listener of this.eventsByMethod.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const input = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(method: string, listener: EventListener): void {
    const list = this.eventsByMethod.get(method) ?? [];
    list.push(listener);
    this.eventsByMethod.set(method, list);
  }

  /** Opens `url` in a new tab, waits for its load event, and returns the tab's session id and what went wrong. */
  async open(url: string, timeoutMs = 30_000): Promise<{ sessionId: string; report: PageReport }> {
    const report: PageReport = { consoleErrors: [], exceptions: [], logErrors: [], requests: [], dialogs: [] };
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const mine = (listener: (params: Record<string, unknown>) => void): EventListener => (params, from) => {
      if (from === sessionId) listener(params);
    };
    this.on('Runtime.consoleAPICalled', mine((p) => {
      if (p['type'] === 'error' || p['type'] === 'assert') report.consoleErrors.push(JSON.stringify(p['args']));
    }));
    this.on('Runtime.exceptionThrown', mine((p) => report.exceptions.push(JSON.stringify(p['exceptionDetails']))));
    this.on('Log.entryAdded', mine((p) => {
      const entry = p['entry'] as { level: string; text: string; url?: string };
      if (entry.level === 'error') report.logErrors.push(`${entry.text} ${entry.url ?? ''}`.trim());
    }));
    this.on('Network.requestWillBeSent', mine((p) => report.requests.push((p['request'] as { url: string }).url)));
    this.on('Page.javascriptDialogOpening', mine((p) => {
      report.dialogs.push(String(p['message']));
      void this.send('Page.handleJavaScriptDialog', { accept: false }, sessionId);
    }));
    for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await this.send(`${domain}.enable`, {}, sessionId);
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`page did not load in ${timeoutMs} ms: ${url}`)), timeoutMs);
      this.on('Page.loadEventFired', mine(() => {
        clearTimeout(timer);
        resolve();
      }));
    });
    const navigation = (await this.send('Page.navigate', { url }, sessionId)) as { errorText?: string };
    if (navigation.errorText) throw new Error(`cannot open ${url}: ${navigation.errorText}`);
    await loaded;
    await this.renderedFrames(sessionId);
    return { sessionId, report };
  }

  /**
   * Waits for two rendered frames: until then, sections with `content-visibility: auto` may still be skipped
   * (sized by their intrinsic size, with no text), which a loaded machine shows as an empty overview.
   */
  private async renderedFrames(sessionId: string): Promise<void> {
    await this.evaluate(
      sessionId,
      `new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(() => done(true))); setTimeout(() => done(false), 5000); })`,
    );
  }

  /** The value of a JavaScript expression evaluated in the page. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (exceptionDetails !== undefined) throw new Error(`evaluation failed: ${JSON.stringify(exceptionDetails)}`);
    return result.value;
  }

  /** A PNG of the whole page, or of the part from `selector`'s element down, for looking at by hand. */
  async screenshot(sessionId: string, selector?: string, height = 1400): Promise<Buffer> {
    const params: Record<string, unknown> = { format: 'png', captureBeyondViewport: true };
    if (selector !== undefined) {
      const top = await this.evaluate<number>(sessionId, `document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect().top + scrollY`);
      params['clip'] = { x: 0, y: top, width: 1400, height, scale: 1 };
    }
    const { data } = (await this.send('Page.captureScreenshot', params, sessionId)) as { data: string };
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
