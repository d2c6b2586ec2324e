/**
 * Pairs IPCS listing records with the trace entries they were formatted from. The listing numbers its
 * records in file order, as the scanner numbers entries, and its summary line shows the entry's time
 * (CTETIME), so a pair must agree on record number, entry ID (CTEFMTID) and time. Where the numbers do not
 * line up (a listing made with START, damage that one reader skipped differently), a record is paired by
 * time and entry ID instead.
 *
 * The listing's clock may differ from the TOD clock by whole seconds: IPCS formats LOCAL time if asked,
 * and a site's TOD clock can include leap seconds that GMT formatting removes. That offset is measured
 * from the record-number pairs (their median time difference, rounded to a second) before pairing:
 * two walks over the file; memory grows with the listing, never with the trace.
 */
import type { CteEntry } from '../ctrace/cte.js';
import type { IpcsListing, ListingRecord } from './ipcs-listing-parser.js';
import type { TraceEntrySource } from './trace-entries.js';

/**
 * How far a listing summary time may be from the entry's CTETIME (µs). IBM prints CTETIME to the
 * microsecond, or with the TOD option PTH_Time, which the stack takes a few microseconds earlier.
 */
export const TIME_TOLERANCE_MICROS = 1000;
/** At least this share of record-number pairs must agree in time before record numbers are trusted. */
const NUMBER_AGREEMENT_SHARE = 0.5;
/** Record numbers listed when records stay unmatched. */
const UNMATCHED_LISTED = 10;

const MICROS_PER_SECOND = 1_000_000;
const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;
const TWO_POW_20 = 1 << 20;

export type MatchedBy = 'record number' | 'time';

export interface MatchedRecord {
  record: ListingRecord;
  /** Valid only during the callback. */
  entry: CteEntry;
  by: MatchedBy;
}

export interface MatchSummary {
  entries: number;
  listingRecords: number;
  byRecordNumber: number;
  byTime: number;
  unmatchedRecords: number;
  /** The first record numbers left without an entry. */
  unmatchedExamples: number[];
  /** Seconds the listing's clock runs ahead of the TOD clock (LOCAL time, leap seconds). */
  clockOffsetSeconds: number;
  /** How the offset was found. */
  clockBasis: 'record numbers' | 'none (record numbers do not line up; GMT assumed)';
}

/** Microseconds since midnight of the entry's CTETIME. */
function entryTimeOfDay(entry: CteEntry): number {
  const micros = entry.todHigh * TWO_POW_20 + (entry.todLow >>> 12);
  return micros % MICROS_PER_DAY;
}

/** A time difference folded into (-12 h, +12 h]. */
function foldDay(delta: number): number {
  let d = delta % MICROS_PER_DAY;
  if (d > MICROS_PER_DAY / 2) d -= MICROS_PER_DAY;
  if (d <= -MICROS_PER_DAY / 2) d += MICROS_PER_DAY;
  return d;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface ListingClock {
  /** Microseconds the listing's times run ahead of the TOD clock: whole seconds. */
  offsetMicros: number;
  /** True when same-numbered records and entries agree in time: records are paired by number first. */
  numbersLineUp: boolean;
}

function recordsByNumber(listing: IpcsListing): Map<number, ListingRecord> {
  return new Map(listing.records.map((record) => [record.recordNumber, record]));
}

/**
 * First walk: the time differences of same-numbered pairs, up to the last listed record number. Their
 * median, rounded to a second, is the listing's clock offset when most pairs agree with it.
 */
export async function estimateListingClock(source: TraceEntrySource, listing: IpcsListing): Promise<ListingClock> {
  const byNumber = recordsByNumber(listing);
  const lastNumber = listing.records.reduce((last, record) => Math.max(last, record.recordNumber), 0);
  const deltas: number[] = [];
  for await (const entry of source.entries()) {
    if (entry.entryNumber > lastNumber) break;
    const record = byNumber.get(entry.entryNumber);
    if (record !== undefined && record.entryId === entry.formatId) deltas.push(foldDay(record.timeOfDayMicros - entryTimeOfDay(entry)));
  }
  if (deltas.length === 0) return { offsetMicros: 0, numbersLineUp: false };
  const middle = median(deltas);
  const agreeing = deltas.filter((d) => Math.abs(d - middle) <= TIME_TOLERANCE_MICROS).length;
  if (agreeing < deltas.length * NUMBER_AGREEMENT_SHARE) return { offsetMicros: 0, numbersLineUp: false };
  return { offsetMicros: Math.round(middle / MICROS_PER_SECOND) * MICROS_PER_SECOND, numbersLineUp: true };
}

/** Listing records by the millisecond of their summary time, for pairing by time. */
class TimeIndex {
  private readonly buckets = new Map<number, ListingRecord[]>();

  constructor(records: readonly ListingRecord[], offsetMicros: number) {
    for (const record of records) {
      const key = Math.floor((((record.timeOfDayMicros - offsetMicros) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY / 1000);
      const bucket = this.buckets.get(key);
      if (bucket === undefined) this.buckets.set(key, [record]);
      else bucket.push(record);
    }
  }

  /** Unmatched records with the entry's ID within the tolerance of its time, nearest first. */
  nearest(timeOfDay: number, formatId: number, offsetMicros: number, matched: ReadonlySet<ListingRecord>): ListingRecord | null {
    const key = Math.floor(timeOfDay / 1000);
    const span = Math.ceil(TIME_TOLERANCE_MICROS / 1000);
    let best: ListingRecord | null = null;
    let bestDistance = Infinity;
    for (let k = key - span; k <= key + span; k++) {
      for (const record of this.buckets.get(k) ?? []) {
        if (matched.has(record) || record.entryId !== formatId) continue;
        const distance = Math.abs(foldDay(record.timeOfDayMicros - offsetMicros - timeOfDay));
        if (distance <= TIME_TOLERANCE_MICROS && distance < bestDistance) {
          best = record;
          bestDistance = distance;
        }
      }
    }
    return best;
  }
}

/**
 * Second walk: hands each listing record with its entry to `onMatch`, in file order. Entries the listing
 * does not show (LIMIT, STOP) are passed over.
 */
export async function matchRecords(
  source: TraceEntrySource,
  listing: IpcsListing,
  clock: ListingClock,
  onMatch: (pair: MatchedRecord) => void,
): Promise<MatchSummary> {
  const byNumber = recordsByNumber(listing);
  const index = new TimeIndex(listing.records, clock.offsetMicros);
  const matched = new Set<ListingRecord>();
  let entries = 0;
  let byRecordNumber = 0;
  let byTime = 0;

  for await (const entry of source.entries()) {
    entries++;
    if (matched.size === listing.records.length) continue; // keep counting entries, nothing left to pair
    const timeOfDay = entryTimeOfDay(entry);
    const numbered = clock.numbersLineUp ? byNumber.get(entry.entryNumber) : undefined;
    const numberFits =
      numbered !== undefined &&
      !matched.has(numbered) &&
      numbered.entryId === entry.formatId &&
      Math.abs(foldDay(numbered.timeOfDayMicros - clock.offsetMicros - timeOfDay)) <= TIME_TOLERANCE_MICROS;
    const record = numberFits ? numbered : index.nearest(timeOfDay, entry.formatId, clock.offsetMicros, matched);
    if (record === null) continue;
    matched.add(record);
    if (numberFits) byRecordNumber++;
    else byTime++;
    onMatch({ record, entry, by: numberFits ? 'record number' : 'time' });
  }

  const unmatched = listing.records.filter((record) => !matched.has(record));
  return {
    entries,
    listingRecords: listing.records.length,
    byRecordNumber,
    byTime,
    unmatchedRecords: unmatched.length,
    unmatchedExamples: unmatched.slice(0, UNMATCHED_LISTED).map((record) => record.recordNumber),
    clockOffsetSeconds: clock.offsetMicros / MICROS_PER_SECOND,
    clockBasis: clock.numbersLineUp ? 'record numbers' : 'none (record numbers do not line up; GMT assumed)',
  };
}
