/**
 * The options every command that reads trace data sets shares (framing, component, layout, code page,
 * leap seconds), declared once and turned into reader options once.
 */
import type { Argv } from 'yargs';
import { CODE_PAGES, DEFAULT_CODE_PAGE } from '../zos/ebcdic.js';
import { COMPONENTS, type Component } from '../model/component.js';
import type { FramingChoice } from '../zos/logical-chunk.js';
import type { TraceReadOptions } from '../ctrace/trace-reader.js';

export interface ReadArgs {
  framing: FramingChoice;
  component: Component | 'auto';
  layout: string | undefined;
  codepage: string;
  'leap-seconds': number;
  quiet: boolean;
}

export function withReadOptions<T>(yargs: Argv<T>): Argv<T & ReadArgs> {
  return yargs
    .option('framing', {
      choices: ['auto', 'raw', 'rdw', 'bdw'] as const,
      default: 'auto' as const,
      describe: 'How the data set was downloaded: raw (binary), rdw (quote site rdw), bdw (RECFM=U copy)',
    })
    .option('component', {
      choices: ['auto', ...COMPONENTS] as const,
      default: 'auto' as const,
      describe: 'Trace component held in the file (normally recognised from its format IDs)',
    })
    .option('layout', { type: 'string', describe: 'Layout profile JSON overriding the default header offsets' })
    .option('codepage', {
      type: 'string',
      default: DEFAULT_CODE_PAGE,
      describe: `EBCDIC code page of names in the headers (${CODE_PAGES.join(', ')})`,
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
export function readInputs(args: ReadArgs & { input: string }): string[] {
  return args.layout === undefined ? [args.input] : [args.input, args.layout];
}
