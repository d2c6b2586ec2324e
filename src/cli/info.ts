/** `zctrace info TRACE.bin`: what a trace data set holds, as text or JSON. */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withReadOptions, withFilterOptions, toReadOptions, toPacketFilter, readInputs, type ReadArgs, type FilterArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { openTraceReader } from '../ctrace/trace-reader.js';
import { createProgress } from '../input/progress.js';
import { renderReadSummary } from './read-summary-text.js';

interface InfoArgs extends ReadArgs, FilterArgs {
  input: string;
  json: boolean;
}

export const infoCommand = {
  command: 'info <input>',
  describe: 'Summarise a CTRACE data set: framing, records, time range, interfaces, discards, damage',
  builder: (yargs: Argv) =>
    withFilterOptions(withReadOptions(yargs))
      .positional('input', { type: 'string', demandOption: true, describe: 'Trace data set downloaded from z/OS' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' }),
  handler: (args: ArgumentsCamelCase<InfoArgs>) =>
    runCommand(readInputs(args), async () => {
      const filter = toPacketFilter(args);
      const reader = await openTraceReader(args.input, toReadOptions(args));
      const progress = createProgress('reading', reader.size, !args.quiet && !args.json);
      let matched = 0; // the summary counts every packet; the filter only says how many it keeps
      for await (const packet of reader.packets((n) => progress.update(n))) if (filter?.matches(packet) === true) matched++;
      progress.finish();
      const summary = reader.summary;
      const filterResult = filter === null ? null : { description: filter.description, matchedPackets: matched };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(filterResult === null ? summary : { ...summary, filter: filterResult }, null, 2)}\n`);
      } else {
        const matchedLine =
          filterResult === null ? '' : `\nfilter          ${filterResult.description}\nmatched         ${matched} of ${summary.packets} packets\n`;
        process.stdout.write(renderReadSummary(summary) + matchedLine);
      }
    }),
};
