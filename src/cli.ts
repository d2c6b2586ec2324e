#!/usr/bin/env node
/** The zctrace command line: one sub-command per job, each in src/cli/. */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode } from './cli/exit-codes.js';
import { PRODUCT_VERSION } from './version.js';

/**
 * Each command's module, loaded only when needed: a run of one command loads that command's code alone
 * (loading them all took a tenth of a second per run). `zctrace --help`, or an unknown name, loads them all
 * so yargs can list them.
 */
const COMMAND_MODULES: Record<string, (cli: Argv) => Promise<unknown>> = {
  convert: async (cli) => cli.command((await import('./cli/convert.js')).convertCommand),
  info: async (cli) => cli.command((await import('./cli/info.js')).infoCommand),
  list: async (cli) => cli.command((await import('./cli/list.js')).listCommand),
  calibrate: async (cli) => cli.command((await import('./cli/calibrate.js')).calibrateCommand),
  report: async (cli) => cli.command((await import('./cli/report.js')).reportCommand),
};

const args = hideBin(process.argv);
/** The command named on the line: the first word that is not an option (the top level takes no values). */
const named = args.find((arg) => !arg.startsWith('-'));
const wanted = named !== undefined && Object.hasOwn(COMMAND_MODULES, named) ? [named] : Object.keys(COMMAND_MODULES);
const cli = yargs(args).scriptName('zctrace');
/**
 * Yargs lays out the whole help text after parsing any command (kept in case the command fails), and word
 * wrapping is most of that work (35 ms of every run): the text is wrapped only when it will be shown.
 */
const helpWidth = Math.min(110, process.stdout.columns ?? 110);
const showsHelp = args.includes('--help');
// One after another, so `zctrace --help` lists the commands in this order.
for (const name of wanted) await COMMAND_MODULES[name]!(cli);
await cli
  .demandCommand(1, 'Name a command: convert, info, list, report or calibrate (zctrace --help lists them)')
  .strict()
  .version(PRODUCT_VERSION)
  .help()
  .wrap(showsHelp ? helpWidth : null)
  .fail((message, error, y) => {
    if (error) throw error;
    process.stderr.write(`zctrace: ${message}\n\n`);
    y.wrap(helpWidth);
    y.showHelp((help: string) => process.stderr.write(`${help}\n`));
    process.exit(ExitCode.USAGE);
  })
  .parseAsync();
