/** Runs the zctrace command line from source (tsx), as a user would run the built one. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Kill the run after this long (a hang then fails the test instead of stalling it); status is null. */
  timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliOptions = {}): CliRun {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 64 << 20,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const }),
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export const PROJECT_ROOT = ROOT;
