/**
 * `zctrace convert A.bin [B.bin C.pcap…] -o trace.pcapng`: trace data sets (and captures) to pcapng (default)
 * or pcap, merged in time order, optionally filtered and split into several files.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withPacketInputs, toReadOptions, toPacketFilter, readInputs, type PacketInputArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { convertTrace, type CaptureFormat, type ConvertResult } from '../convert/convert-trace.js';
import { parseByteSize } from '../convert/byte-size.js';
import { ZctraceError } from '../errors.js';
import { describeInputs } from './describe-read.js';

interface ConvertArgs extends PacketInputArgs {
  output: string;
  format: CaptureFormat | undefined;
  precision: 'us' | 'ns';
  snaplen: number | undefined;
  'split-by-linktype': boolean;
  'max-packets': number | undefined;
  'max-size': string | undefined;
}

/** pcap when the output name says so, pcapng otherwise (it carries interfaces, direction and comments). */
function formatFromName(output: string): CaptureFormat {
  return /\.(pcap|cap|dmp)$/i.test(output) ? 'pcap' : 'pcapng';
}

function positiveWhole(option: string, value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!(Number.isInteger(value) && value > 0)) throw new ZctraceError('USAGE', `${option} must be a positive whole number, not ${value}`);
  return value;
}

/** The stderr summary: each input, its problems, then what was written where. */
function reportRun(result: ConvertResult, filtered: boolean, output: string): void {
  for (const line of describeInputs(result.inputs, filtered)) process.stderr.write(`${line}\n`);
  const files = result.files;
  if (files.length === 1 && files[0]!.path === output) {
    process.stderr.write(`${result.packets} packets on ${files[0]!.interfaces} interface(s) written to ${output}\n`);
    return;
  }
  if (files.length === 0) {
    process.stderr.write(`no packets: no file written\n`);
    return;
  }
  process.stderr.write(`${result.packets} packets written to ${files.length} files:\n`);
  for (const file of files) process.stderr.write(`  ${file.path}: ${file.packets} packets on ${file.interfaces} interface(s), ${file.bytes} bytes\n`);
}

export const convertCommand = {
  command: 'convert <input..>',
  describe: 'Convert CTRACE data sets (and pcap/pcapng captures) to one pcapng or pcap for Wireshark',
  builder: (yargs: Argv) =>
    withPacketInputs(yargs)
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Capture file to write' })
      .option('format', { choices: ['pcapng', 'pcap'] as const, describe: 'Output format (default: from the name; pcapng)' })
      .option('precision', {
        choices: ['us', 'ns'] as const,
        default: 'us' as const,
        describe: 'pcap timestamp precision (pcapng always keeps nanoseconds)',
      })
      .option('snaplen', { type: 'number', describe: 'Keep at most this many bytes of each packet' })
      .option('split-by-linktype', {
        type: 'boolean',
        default: false,
        describe: 'One file per link type (all.pcap → all.raw.pcap, all.ethernet.pcap): mixed link types in pcap',
      })
      .option('max-packets', { type: 'number', describe: 'Cut the output into parts of at most N packets (all_00001.pcapng, …)' })
      .option('max-size', { type: 'string', describe: 'Start a new part once one reaches this size: bytes, or 100M, 2G, 64MiB' })
      .example('$0 convert TRACE.bin -o trace.pcapng', 'Convert with auto-detected framing and component')
      .example('$0 convert PKT.bin OSA.bin -o all.pcapng --ip 10.1.0.0/16', 'Merge two traces, keep one network'),
  handler: (args: ArgumentsCamelCase<ConvertArgs>) =>
    runCommand(readInputs(args), async () => {
      const filter = toPacketFilter(args);
      const result = await convertTrace({
        inputs: args.input,
        output: args.output,
        format: args.format ?? formatFromName(args.output),
        precision: args.precision,
        snaplen: positiveWhole('--snaplen', args.snaplen),
        read: toReadOptions(args),
        filter,
        split: {
          byLinkType: args['split-by-linktype'],
          maxPackets: positiveWhole('--max-packets', args['max-packets']),
          maxBytes: args['max-size'] === undefined ? null : parseByteSize('--max-size', args['max-size']),
        },
        showProgress: !args.quiet,
      });
      if (!args.quiet) reportRun(result, filter !== null, args.output);
    }),
};
