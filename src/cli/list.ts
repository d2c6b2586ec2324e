/**
 * `zctrace list TRACE.bin [more inputs]`: one line per packet, like IPCS's SUMMARY report, in time order
 * across the inputs and through the filters; `--json` gives one JSON object per line for scripts. Lines
 * stream out as packets are read: nothing is held but the reorder window.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withPacketInputs, openPacketInputs, readInputs, type PacketInputArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { describeInputs } from './describe-read.js';
import { PacketSummarizer } from '../list/packet-summary.js';
import { inputLegend, summaryHeading, summaryLine } from '../list/summary-line.js';
import { LineSink } from '../list/line-sink.js';

interface ListArgs extends PacketInputArgs {
  json: boolean;
}

export const listCommand = {
  command: 'list <input..>',
  describe: 'One line per packet (record, time, direction, link, addresses, TCP flags, seq/ack, lengths, discards)',
  builder: (yargs: Argv) =>
    withPacketInputs(yargs)
      .option('json', { type: 'boolean', default: false, describe: 'One JSON object per packet per line on stdout' })
      .example('$0 list TRACE.bin --port 21', 'The FTP control packets')
      .example('$0 list TRACE.bin --discarded --json', 'Discarded packets, as JSON lines'),
  handler: (args: ArgumentsCamelCase<ListArgs>) =>
    runCommand(readInputs(args), async () => {
      const { inputs, filter } = await openPacketInputs(args);
      const several = args.input.length > 1;
      const summarizer = new PacketSummarizer(args.input);
      const out = new LineSink(process.stdout);
      if (!args.json) {
        if (several) for (const line of inputLegend(args.input)) await out.write(line);
        await out.write(summaryHeading(several));
      }
      await inputs.forEach(async (packet) => {
        const summary = summarizer.summarize(packet);
        await out.write(args.json ? JSON.stringify(summary) : summaryLine(summary, several ? packet.input + 1 : null));
        if (out.closed) return false; // the reader went away (| head): nothing more to say
      });
      await out.flush();
      if (args.quiet || out.closed) return;
      for (const line of describeInputs(inputs.reports(), filter !== null)) process.stderr.write(`${line}\n`);
    }),
};
