/** `zctrace info TRACE.bin`: what a trace data set holds, as text or JSON. */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withReadOptions, toReadOptions, readInputs, type ReadArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { openTraceReader } from '../ctrace/trace-reader.js';
import { createProgress } from '../input/progress.js';
import { renderReadSummary } from './read-summary-text.js';

interface InfoArgs extends ReadArgs {
  input: string;
  json: boolean;
}

export const infoCommand = {
  command: 'info <input>',
  describe: 'Summarise a CTRACE data set: framing, records, time range, interfaces, discards, damage',
  builder: (yargs: Argv) =>
    withReadOptions(yargs)
      .positional('input', { type: 'string', demandOption: true, describe: 'Trace data set downloaded from z/OS' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' }),
  handler: (args: ArgumentsCamelCase<InfoArgs>) =>
    runCommand(readInputs(args), async () => {
      const reader = await openTraceReader(args.input, toReadOptions(args));
      const progress = createProgress('reading', reader.size, !args.quiet && !args.json);
      for await (const packet of reader.packets((n) => progress.update(n))) void packet; // the summary counts them
      progress.finish();
      const summary = reader.summary;
      process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : renderReadSummary(summary));
    }),
};
