/** `zctrace convert TRACE.bin -o trace.pcapng`: a trace data set to pcapng (default) or pcap. */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withReadOptions, toReadOptions, readInputs, type ReadArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { convertTrace, type CaptureFormat } from '../convert/convert-trace.js';
import { ZctraceError } from '../errors.js';
import { describeReadProblems } from './describe-read.js';

interface ConvertArgs extends ReadArgs {
  input: string;
  output: string;
  format: CaptureFormat | undefined;
  precision: 'us' | 'ns';
  snaplen: number | undefined;
}

/** pcap when the output name says so, pcapng otherwise (it carries interfaces, direction and comments). */
function formatFromName(output: string): CaptureFormat {
  return /\.(pcap|cap|dmp)$/i.test(output) ? 'pcap' : 'pcapng';
}

export const convertCommand = {
  command: 'convert <input>',
  describe: 'Convert a CTRACE data set to pcapng or pcap for Wireshark',
  builder: (yargs: Argv) =>
    withReadOptions(yargs)
      .positional('input', { type: 'string', demandOption: true, describe: 'Trace data set downloaded from z/OS' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Capture file to write' })
      .option('format', { choices: ['pcapng', 'pcap'] as const, describe: 'Output format (default: from the name; pcapng)' })
      .option('precision', {
        choices: ['us', 'ns'] as const,
        default: 'us' as const,
        describe: 'pcap timestamp precision (pcapng always keeps nanoseconds)',
      })
      .option('snaplen', { type: 'number', describe: 'Keep at most this many bytes of each packet' })
      .example('$0 convert TRACE.bin -o trace.pcapng', 'Convert with auto-detected framing and component'),
  handler: (args: ArgumentsCamelCase<ConvertArgs>) =>
    runCommand(readInputs(args), async () => {
      if (args.snaplen !== undefined && !(Number.isInteger(args.snaplen) && args.snaplen > 0)) {
        throw new ZctraceError('USAGE', `--snaplen must be a positive whole number, not ${args.snaplen}`);
      }
      const result = await convertTrace({
        input: args.input,
        output: args.output,
        format: args.format ?? formatFromName(args.output),
        precision: args.precision,
        snaplen: args.snaplen ?? null,
        read: toReadOptions(args),
        showProgress: !args.quiet,
      });
      if (!args.quiet) {
        const s = result.summary;
        process.stderr.write(
          `${s.file}: ${s.component}, framing ${s.framing} (${s.framingReason}); ` +
            `${result.written.packets} packets on ${result.written.interfaces} interface(s) written to ${args.output}\n`,
        );
        for (const line of describeReadProblems(s)) process.stderr.write(`${s.file}: ${line}\n`);
      }
    }),
};
