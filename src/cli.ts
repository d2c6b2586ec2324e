#!/usr/bin/env node
/** The zctrace command line: one sub-command per job, each in src/cli/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { convertCommand } from './cli/convert.js';
import { infoCommand } from './cli/info.js';
import { ExitCode } from './cli/exit-codes.js';
import { PRODUCT_VERSION } from './version.js';

await yargs(hideBin(process.argv))
  .scriptName('zctrace')
  .command(convertCommand)
  .command(infoCommand)
  .demandCommand(1, 'Name a command: convert or info (zctrace --help lists them)')
  .strict()
  .version(PRODUCT_VERSION)
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .fail((message, error, y) => {
    if (error) throw error;
    process.stderr.write(`zctrace: ${message}\n\n`);
    y.showHelp((help: string) => process.stderr.write(`${help}\n`));
    process.exit(ExitCode.USAGE);
  })
  .parseAsync();
