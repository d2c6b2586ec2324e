/**
 * `zctrace report TRACE.bin [more inputs] -o report.html [--json report.json]`: analyse traces or
 * captures and write the exception report. The inputs are read as convert reads them (same filters, same
 * order), so frame numbers match the converted capture. `--out-dir` names both files after the first
 * input (batch); `--fail-on` turns findings into an exit code a scheduler can act on.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withPacketInputs, openPacketInputs, readInputs, type PacketInputArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { ExitCode } from './exit-codes.js';
import { describeInputs } from './describe-read.js';
import { keepHeapNearLiveSize } from './heap-growth.js';
import { analyzeInputSet } from '../analysis/analyze-inputs.js';
import { loadThresholds, withOverrides } from '../analysis/thresholds.js';
import { SEVERITIES, type Severity } from '../analysis/finding.js';
import { createProgress } from '../input/progress.js';
import type { Report } from '../report/report-model.js';
import { plural } from '../report/display-format.js';
import { checkTargets, targetsInDirectory, writeReportFiles, type ReportTargets } from '../report/write-report-files.js';

const FAIL_ON = ['warning', 'error'] as const;
type FailOn = (typeof FAIL_ON)[number];

interface ReportArgs extends PacketInputArgs {
  output: string | undefined;
  json: string | undefined;
  'out-dir': string | undefined;
  config: string | undefined;
  'fail-on': FailOn | undefined;
  'check-checksums': boolean;
}

/** The files the command reads: an IO error on one of them is an input error, not an output one. */
function filesRead(args: ReportArgs): string[] {
  return args.config === undefined ? readInputs(args) : [...readInputs(args), args.config];
}

function targetsOf(args: ReportArgs): ReportTargets {
  const firstInput = args.input[0] ?? '';
  if (args['out-dir'] !== undefined) return targetsInDirectory(args['out-dir'], firstInput);
  return { html: args.output ?? null, json: args.json ?? null };
}

/** Findings at or above `failOn`, counted from the overview's totals (the findings list itself is capped). */
function findingsAtOrAbove(report: Report, failOn: FailOn): number {
  const worst = SEVERITIES.slice(0, SEVERITIES.indexOf(failOn) + 1);
  return worst.reduce((sum, severity) => sum + (report.overview.findingsBySeverity[severity] ?? 0), 0);
}

function severitySummary(report: Report): string {
  const counts = report.overview.findingsBySeverity;
  const total = SEVERITIES.reduce((sum, s: Severity) => sum + (counts[s] ?? 0), 0);
  const parts = SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
  return `${plural(total, 'finding')}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export const reportCommand = {
  command: 'report <input..>',
  describe: 'Analyse traces (or pcap/pcapng captures) and write the exception report as HTML and/or JSON',
  builder: (yargs: Argv) =>
    withPacketInputs(yargs)
      .option('output', { alias: 'o', type: 'string', describe: 'HTML report to write' })
      .option('json', { type: 'string', describe: 'JSON report to write (schema: docs/report-schema.md)' })
      .option('out-dir', {
        type: 'string',
        describe: 'Directory (must exist) for NAME.report.html and NAME.report.json, NAME from the first input',
      })
      .conflicts('out-dir', ['output', 'json'])
      .option('config', { type: 'string', describe: 'Thresholds JSON overriding the defaults, e.g. {"scanDistinctPorts": 25}; may also state the stack\'s own addresses, {"localAddresses": ["10.1.1.1"]}' })
      .option('check-checksums', {
        type: 'boolean',
        default: false,
        describe: 'Check TCP checksums (off as in Wireshark: hosts that offload checksums trace outbound ones not yet filled in)',
      })
      .option('fail-on', {
        choices: FAIL_ON,
        describe: `Exit with code ${ExitCode.FINDINGS} when findings of this severity or worse exist (the report is still written)`,
      })
      .example('$0 report TRACE.bin -o report.html', 'Analyse one trace data set')
      .example('$0 report TRACE.bin --out-dir /reports --fail-on error --quiet', 'Nightly: both files, exit 8 on errors')
      .example('$0 report TRACE.bin -o ftp.html --port 20 --port 21', 'Only the FTP traffic'),
  handler: (args: ArgumentsCamelCase<ReportArgs>) =>
    runCommand(filesRead(args), async () => {
      const targets = targetsOf(args);
      checkTargets(targets, args.input);
      const configured = loadThresholds(args.config);
      const thresholds = args['check-checksums'] ? withOverrides({ ...configured, checkChecksums: 1 }) : configured;
      const { inputs, filter } = await openPacketInputs(args);
      keepHeapNearLiveSize(); // the analysis state is small and bounded: memory should follow it
      const progress = createProgress('analysing', inputs.totalSize, !args.quiet);
      const report = await analyzeInputSet(inputs, { thresholds, filter, onProgress: (bytesRead) => progress.update(bytesRead) });
      progress.finish();
      const written = await writeReportFiles(report, targets);
      if (!args.quiet) {
        for (const line of describeInputs(inputs.reports(), filter !== null)) process.stderr.write(`${line}\n`);
        const names = written.map((file) => file.path).join(', ');
        process.stderr.write(`${names}: ${severitySummary(report)} in ${plural(report.overview.packets, 'packet')}\n`);
      }
      const failOn = args['fail-on'];
      if (failOn !== undefined && findingsAtOrAbove(report, failOn) > 0) {
        if (!args.quiet) process.stderr.write(`zctrace: findings at or above ${failOn}: exit code ${ExitCode.FINDINGS}\n`);
        return ExitCode.FINDINGS;
      }
      return ExitCode.OK;
    }),
};
