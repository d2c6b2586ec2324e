/**
 * Runs one command as a child process and measures it from outside: wall-clock time (best of several
 * runs, since other work on the machine only ever adds time), peak resident memory and CPU time as
 * /usr/bin/time reports them (GNU time: getrusage of the child, so a tool's helper processes are not
 * counted). Outputs are deleted before every run, so no run pays for truncating the last one's file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  label: string;
  command: string;
  /** Best wall-clock time of the runs, in seconds. */
  seconds: number;
  /** Every run's wall-clock time, in seconds. */
  runs: number[];
  /** Peak resident set size in MB (largest of the runs), null without GNU time. */
  peakRssMb: number | null;
  /** User + system CPU seconds of the fastest run, null without GNU time. */
  cpuSeconds: number | null;
}

export interface MeasureOptions {
  runs: number;
  /** Files the command writes: removed before each run. */
  outputs?: readonly string[];
  /** The command failing is fatal unless this accepts its exit status. */
  acceptStatus?: (status: number) => boolean;
}

interface TimeReport {
  rssKb: number;
  cpuSeconds: number;
}

function readTimeReport(path: string): TimeReport | null {
  if (!existsSync(path)) return null;
  const fields = readFileSync(path, 'utf8').trim().split('\n').pop()?.split(' ') ?? [];
  const [rss, user, system] = fields.map(Number);
  if (rss === undefined || user === undefined || system === undefined || [rss, user, system].some(Number.isNaN)) return null;
  return { rssKb: rss, cpuSeconds: user + system };
}

export function measure(label: string, command: string, args: readonly string[], options: MeasureOptions): Measurement {
  const haveTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-bench-'));
  const timeFile = join(scratch, 'time.txt');
  const runs: number[] = [];
  let peakRssKb: number | null = null;
  let bestCpu: number | null = null;
  try {
    for (let run = 0; run < options.runs; run++) {
      for (const output of options.outputs ?? []) rmSync(output, { force: true });
      rmSync(timeFile, { force: true });
      const argv = haveTime ? ['-o', timeFile, '-f', '%M %U %S', command, ...args] : [...args];
      const started = process.hrtime.bigint();
      const child = spawnSync(haveTime ? GNU_TIME : command, argv, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (child.error) throw child.error;
      const status = child.status ?? -1;
      if (!(options.acceptStatus?.(status) ?? status === 0)) {
        throw new Error(`${label}: ${command} ${args.join(' ')} exited ${status}: ${child.stderr.toString().slice(0, 2000)}`);
      }
      const report = readTimeReport(timeFile);
      if (report !== null) {
        peakRssKb = Math.max(peakRssKb ?? 0, report.rssKb);
        if (runs.length === 0 || seconds < Math.min(...runs)) bestCpu = report.cpuSeconds;
      }
      runs.push(seconds);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    label,
    command: [command, ...args].join(' '),
    seconds: Math.min(...runs),
    runs,
    peakRssMb: peakRssKb === null ? null : peakRssKb / 1024,
    cpuSeconds: bestCpu,
  };
}

/** Exit status and output of a quick command (tool versions, help texts). */
export function probe(command: string, args: readonly string[]): { status: number; stdout: string } {
  const child = spawnSync(command, args, { encoding: 'utf8' });
  return { status: child.error ? -1 : (child.status ?? -1), stdout: `${child.stdout ?? ''}${child.stderr ?? ''}` };
}
