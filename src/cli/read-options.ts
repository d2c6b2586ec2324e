/**
 * The options every command that opens trace data sets shares (framing, layout, code page), those of the
 * commands that read packets (component, leap seconds, quiet, the inputs, the packet filter), declared
 * once and turned into reader options, a filter and an opened input set once.
 */
import type { Argv } from 'yargs';
import { ZctraceError } from '../errors.js';
import { CODE_PAGES, DEFAULT_CODE_PAGE, resolveCodePage } from '../zos/ebcdic.js';
import { COMPONENTS, type Component } from '../model/component.js';
import type { FramingChoice } from '../zos/logical-chunk.js';
import type { TraceReadOptions } from '../ctrace/trace-reader.js';
import { createPacketFilter, type PacketFilter } from '../filter/packet-filter.js';
import { openInputSet, type InputSet } from '../input/input-set.js';

/** The options of any command that opens a trace data set: how it was downloaded and how to read its headers. */
export interface DataSetArgs {
  framing: FramingChoice;
  layout: string | undefined;
  codepage: string;
}

/** Those of the commands that read packets: also the component, the clock and the progress bar. */
export interface ReadArgs extends DataSetArgs {
  component: Component | 'auto';
  'leap-seconds': number;
  quiet: boolean;
}

export function withDataSetOptions<T>(yargs: Argv<T>): Argv<T & DataSetArgs> {
  return yargs
    .option('framing', {
      choices: ['auto', 'raw', 'rdw', 'bdw'] as const,
      default: 'auto' as const,
      describe: 'How the data set was downloaded: raw (binary), rdw (quote site rdw), bdw (RECFM=U copy)',
    })
    .option('layout', { type: 'string', describe: 'Layout profile JSON overriding the default header offsets' })
    .option('codepage', {
      type: 'string',
      default: DEFAULT_CODE_PAGE,
      describe: `EBCDIC code page of names in the headers and of --contains text (${CODE_PAGES.join(', ')})`,
    }) as Argv<T & DataSetArgs>;
}

export function withReadOptions<T>(yargs: Argv<T>): Argv<T & ReadArgs> {
  return withDataSetOptions(yargs)
    .option('component', {
      choices: ['auto', ...COMPONENTS] as const,
      default: 'auto' as const,
      describe: 'Trace component held in the file (normally recognised from its format IDs)',
    })
    .option('leap-seconds', {
      type: 'number',
      default: 0,
      describe: 'Seconds the TOD clock runs ahead of UTC (27 on systems that set it for leap seconds)',
    })
    .option('quiet', { type: 'boolean', default: false, alias: 'q', describe: 'No progress bar or summary on stderr' }) as Argv<
    T & ReadArgs
  >;
}

export function toReadOptions(args: ReadArgs): TraceReadOptions {
  return {
    framing: args.framing,
    component: args.component,
    layoutPath: args.layout ?? null,
    codePage: args.codepage,
    leapSeconds: args['leap-seconds'],
  };
}

/** The files a reading command reads: an error on one of them is an input error, not an output one. */
export function readInputs(args: DataSetArgs & { input: string | readonly string[] }): string[] {
  const inputs = typeof args.input === 'string' ? [args.input] : [...args.input];
  return args.layout === undefined ? inputs : [...inputs, args.layout];
}

/** Filter options as yargs gives them: a string, or an array when the option was repeated. */
type Repeatable = string | string[] | undefined;

export interface FilterArgs {
  ip: Repeatable;
  port: Repeatable;
  protocol: Repeatable;
  link: Repeatable;
  from: string | undefined;
  to: string | undefined;
  discarded: boolean;
  probe: Repeatable;
  correlator: Repeatable;
  jobname: Repeatable;
  contains: Repeatable;
}

const FILTER_GROUP = 'Filters (repeat an option for alternatives; different options must all match):';

/**
 * The packet filter options of convert, info, list and report. Repeatable ones are plain strings (yargs makes an
 * array of repeats): an `array` option would swallow the input names that follow it.
 */
export function withFilterOptions<T>(yargs: Argv<T>): Argv<T & FilterArgs> {
  const repeatable = (describe: string) => ({ type: 'string' as const, requiresArg: true, describe });
  return yargs
    .option('ip', repeatable('Source or destination address or network: 10.1.1.1, 10.1.0.0/16, 10.1.0.0/255.255.0.0, 2001:db8::/32'))
    .option('port', repeatable('TCP or UDP port at either end'))
    .option('protocol', repeatable('tcp, udp, icmp, icmpv6 or an IP protocol number'))
    .option('link', repeatable('Link or interface name; * and ? are wildcards, case ignored'))
    .option('from', { type: 'string', requiresArg: true, describe: 'Packets at or after this time: 2024-05-01T10:00:00Z, or local time with offset +02:00' })
    .option('to', { type: 'string', requiresArg: true, describe: 'Packets at or before this time (same forms as --from)' })
    .option('discarded', { type: 'boolean', default: false, describe: 'Only packets the stack discarded (with a discard reason code)' })
    .option('probe', repeatable('IDS probe ID in hex, e.g. 03030000'))
    .option('correlator', repeatable('IDS correlator'))
    .option('jobname', repeatable('Job name of IDS and data trace records; * and ? are wildcards'))
    .option('contains', repeatable('Payload holds this text, in ASCII or in the --codepage EBCDIC'))
    .group(['ip', 'port', 'protocol', 'link', 'from', 'to', 'discarded', 'probe', 'correlator', 'jobname', 'contains'], FILTER_GROUP) as Argv<
    T & FilterArgs
  >;
}

function listOf(value: Repeatable): string[] {
  return value === undefined ? [] : [value].flat().map(String);
}

/** The single value of an option that may be given once only. */
function single(name: string, value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) throw new ZctraceError('USAGE', `--${name} may be given once only`);
  return value ?? null;
}

/** The filter the options describe, or null when none was given. Bad values are USAGE errors. */
export function toPacketFilter(args: FilterArgs & ReadArgs): PacketFilter | null {
  return createPacketFilter(
    {
      ip: listOf(args.ip),
      port: listOf(args.port),
      protocol: listOf(args.protocol),
      link: listOf(args.link),
      from: single('from', args.from),
      to: single('to', args.to),
      discarded: args.discarded,
      probe: listOf(args.probe),
      correlator: listOf(args.correlator),
      jobname: listOf(args.jobname),
      contains: listOf(args.contains),
    },
    resolveCodePage(args.codepage),
  );
}

/** What a command that reads packets is given: its inputs, the read options and the filter. */
export interface PacketInputArgs extends ReadArgs, FilterArgs {
  input: string[];
}

/**
 * The inputs of a command that reads packets (convert, list, report): trace data sets or captures, several
 * merged in time order, with the read and filter options.
 */
export function withPacketInputs<T>(yargs: Argv<T>): Argv<T & PacketInputArgs> {
  return withFilterOptions(withReadOptions(yargs)).positional('input', {
    type: 'string',
    array: true,
    demandOption: true,
    describe: 'Trace data sets downloaded from z/OS, or pcap/pcapng files: several are merged in time order',
  }) as Argv<T & PacketInputArgs>;
}

/**
 * The inputs opened as one stream, through the filter the options describe: every command reads them
 * alike, so a packet has the same number in every command's output. Bad values and unreadable inputs
 * fail here, before any output exists.
 */
export async function openPacketInputs(args: PacketInputArgs): Promise<{ inputs: InputSet; filter: PacketFilter | null }> {
  const filter = toPacketFilter(args);
  return { inputs: await openInputSet(args.input, toReadOptions(args), filter), filter };
}
