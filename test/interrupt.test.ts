/**
 * Interrupting a conversion (Ctrl-C, or a scheduler's SIGTERM) while it writes: the run ends with exit
 * code 130 and leaves nothing behind, neither the output nor its temporary file.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/cli.js';

const CLI_SOURCE = join(PROJECT_ROOT, 'src', 'cli.ts');
const SAMPLE = join(PROJECT_ROOT, 'samples', 'packet-trace-raw.bin');
/** Copies of the sample in the input: some 80 MB, a conversion of a second or more on any machine. */
const COPIES = 300;
const EXIT_INTERRUPTED = 130;

interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** True when the signal was sent while the temporary output was being written. */
  interruptedWhileWriting: boolean;
}

/** Starts a conversion, waits until its temporary output holds data, then sends `signal`. */
function convertAndInterrupt(input: string, output: string, signal: NodeJS.Signals): Promise<Finished> {
  const dir = join(output, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, 'convert', input, '-o', output, '-q'], { cwd: PROJECT_ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let interruptedWhileWriting = false;
  const poll = setInterval(() => {
    const temp = readdirSync(dir).find((name) => name.includes('.zctrace-tmp-'));
    if (temp === undefined || statSync(join(dir, temp), { throwIfNoEntry: false })?.size === 0) return;
    clearInterval(poll);
    interruptedWhileWriting = child.kill(signal);
  }, 5);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (status, exitSignal) => {
      clearInterval(poll);
      resolve({ status, signal: exitSignal, stderr, interruptedWhileWriting });
    });
  });
}

describe('interrupting a conversion', function () {
  this.timeout(300_000);
  let dir: string;
  let input: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-interrupt-'));
    const sample = readFileSync(SAMPLE);
    input = join(dir, 'big.bin');
    writeFileSync(input, Buffer.concat(Array.from({ length: COPIES }, () => sample)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while writing: exit 130, no output, no temporary file`, async () => {
      const outDir = mkdtempSync(join(dir, `${signal}-`));
      const output = join(outDir, 'big.pcapng');
      const run = await convertAndInterrupt(input, output, signal);
      expect(run.interruptedWhileWriting, `the conversion ended before it could be interrupted: ${run.stderr}`).to.equal(true);
      expect([run.status, run.signal], run.stderr).to.deep.equal([EXIT_INTERRUPTED, null]);
      expect(run.stderr).to.match(new RegExp(`interrupted \\(${signal}\\); partial output removed`));
      expect(readdirSync(outDir)).to.deep.equal([]);
    });
  }
});
