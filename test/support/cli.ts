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

export function runCli(args: readonly string[]): CliRun {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export const PROJECT_ROOT = ROOT;
