/**
 * `zctrace calibrate`: checks the layout profile against IBM's own formatting of the same data set
 * (contract §8). The IPCS listing is read, its records paired with the trace entries, every value the
 * listing shows tried at the profile's offset and at every other offset of the header, and each field
 * judged. Fields found elsewhere in every record become a `--layout` override file.
 */
import { loadLayoutProfile } from '../ctrace/layout/layout-profile.js';
import { PthdrView } from '../ctrace/pthdr.js';
import { resolveCodePage } from '../zos/ebcdic.js';
import { ZctraceError } from '../errors.js';
import type { FramingChoice } from '../zos/logical-chunk.js';
import { readIpcsListing } from './ipcs-listing-parser.js';
import { evidenceOf } from './listing-evidence.js';
import { openTraceEntries } from './trace-entries.js';
import { estimateListingClock, matchRecords, type MatchSummary } from './record-matcher.js';
import { DEFAULT_MIN_RECORDS, OffsetFinder, type FieldFinding } from './offset-finder.js';
import { planOverride, writeOverride, type Correction, type RefusedCorrection } from './override-writer.js';

export interface CalibrateOptions {
  tracePath: string;
  listingPath: string;
  framing: FramingChoice;
  /** The profile to check: an override file, or null for the default. */
  layoutPath: string | null;
  codePage: string;
  /** Fewer records showing a field than this give no verdict. */
  minRecords?: number;
  /** Where to write the corrected override, or null to only report. */
  outputPath: string | null;
}

export interface CalibrationResult {
  trace: { path: string; framing: string; framingReason: string; entries: number };
  listing: { path: string; lines: number; records: number; duplicateRecords: number };
  layoutProfile: string;
  matching: MatchSummary;
  /** Matched entries whose PTH_Len is unusable (shorter than itself or past the entry): not compared. */
  unusableHeaders: number;
  minRecords: number;
  fields: FieldFinding[];
  override: { path: string | null; corrections: Correction[]; refused: RefusedCorrection[] };
}

const messages = {
  noMatch: (records: number, trace: string) =>
    `none of the ${records} listing records matches an entry of ${trace} by record number or time: is it the listing of this data set?`,
};

export async function calibrateTrace(options: CalibrateOptions): Promise<CalibrationResult> {
  const profile = loadLayoutProfile(options.layoutPath ?? undefined);
  const codePage = resolveCodePage(options.codePage);
  const minRecords = options.minRecords ?? DEFAULT_MIN_RECORDS;
  const listing = await readIpcsListing(options.listingPath);
  const source = await openTraceEntries(options.tracePath, options.framing);

  const clock = await estimateListingClock(source, listing);
  const finder = new OffsetFinder(profile, codePage, clock.offsetMicros, minRecords);
  const view = new PthdrView(profile.compiled);
  let unusableHeaders = 0;
  const matching = await matchRecords(source, listing, clock, ({ record, entry }) => {
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) {
      unusableHeaders++;
      return;
    }
    finder.feed(record.recordNumber, evidenceOf(record), { bytes: entry.bytes, start: view.start, headerLength: view.headerLength });
  });
  if (matching.byRecordNumber + matching.byTime === 0) {
    throw new ZctraceError('BAD_RECORD', messages.noMatch(listing.records.length, options.tracePath), options.listingPath);
  }

  const fields = finder.findings();
  const plan = planOverride(fields, {
    profile,
    layoutPath: options.layoutPath,
    tracePath: options.tracePath,
    listingPath: options.listingPath,
    matchedRecords: matching.byRecordNumber + matching.byTime,
  });
  if (options.outputPath !== null) await writeOverride(options.outputPath, plan.document);

  return {
    trace: { path: options.tracePath, framing: source.framing, framingReason: source.framingReason, entries: matching.entries },
    listing: { path: listing.path, lines: listing.lines, records: listing.records.length, duplicateRecords: listing.duplicateRecords },
    layoutProfile: profile.name,
    matching,
    unusableHeaders,
    minRecords,
    fields,
    override: { path: options.outputPath, corrections: plan.corrections, refused: plan.refused },
  };
}
