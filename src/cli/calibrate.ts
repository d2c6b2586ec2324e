/**
 * `zctrace calibrate TRACE.bin --ipcs LISTING.txt [-o corrected.json]`: checks the layout profile's
 * header offsets against IBM's IPCS formatting of the same data set, and writes the corrections as a
 * `--layout` override file.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withDataSetOptions, readInputs, type DataSetArgs } from './read-options.js';
import { runCommand } from './run-command.js';
import { ZctraceError } from '../errors.js';
import { calibrateTrace } from '../calibrate/calibrate-trace.js';
import { renderCalibration } from '../calibrate/calibration-text.js';
import { DEFAULT_MIN_RECORDS } from '../calibrate/offset-finder.js';

/** No component option (calibrate reads SYSTCPDA packet traces) and no clock option (it measures the listing's clock itself). */
interface CalibrateArgs extends DataSetArgs {
  input: string;
  ipcs: string;
  output: string | undefined;
  json: boolean;
  'min-records': number;
}

export const calibrateCommand = {
  command: 'calibrate <input>',
  describe: "Check the layout profile's header offsets against an IPCS CTRACE FULL listing of the same data set",
  builder: (yargs: Argv) =>
    withDataSetOptions(yargs)
      .positional('input', { type: 'string', demandOption: true, describe: 'Trace data set downloaded from z/OS (binary)' })
      .option('ipcs', {
        type: 'string',
        demandOption: true,
        describe: 'Listing of IPCS CTRACE COMP(SYSTCPDA) ... FULL for the same data set, downloaded as text',
      })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the corrected offsets as a --layout override file' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' })
      .option('min-records', {
        type: 'number',
        default: DEFAULT_MIN_RECORDS,
        describe: 'Records that must show a field before it gets a verdict',
      })
      .example('$0 calibrate TRACE.bin --ipcs LISTING.txt -o site-layout.json', 'Check every offset, write the corrections'),
  handler: (args: ArgumentsCamelCase<CalibrateArgs>) =>
    runCommand([...readInputs(args), args.ipcs], async () => {
      const minRecords = args['min-records'];
      if (!(Number.isInteger(minRecords) && minRecords >= 1)) {
        throw new ZctraceError('USAGE', `--min-records must be a whole number of at least 1, not ${minRecords}`);
      }
      const result = await calibrateTrace({
        tracePath: args.input,
        listingPath: args.ipcs,
        framing: args.framing,
        layoutPath: args.layout ?? null,
        codePage: args.codepage,
        minRecords,
        outputPath: args.output ?? null,
      });
      process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderCalibration(result));
    }),
};
