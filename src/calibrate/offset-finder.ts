/**
 * For every layout profile field: does the value IBM's listing shows sit at the profile's offset, and if
 * not, where does it sit in every matched record? Each record's evidence is tried at the profile offset
 * and at every offset inside its header (PTH_Len bytes from the start of the component data); per field
 * we keep only counters per offset, so memory grows with the header length, not with the records.
 *
 * An offset is trusted only when the value sits there in ALL records that show the field, and enough
 * records show it. When several offsets fit (a value that never varies, two fields that hold the same
 * number) the answer is ambiguous and said so, never guessed.
 */
import type { CodePage } from '../zos/ebcdic.js';
import { unixTimeToStck } from '../zos/stck.js';
import type { Confidence, HeaderName } from '../ctrace/layout/layout-fields.js';
import { profileFields, type FieldDefinition, type LayoutProfile, type ProfileFieldRow } from '../ctrace/layout/layout-profile.js';
import { ZctraceError } from '../errors.js';
import { listingLabelOf, type Expectation, type FieldEvidence } from './listing-evidence.js';

export type Verdict = 'agrees' | 'agrees-weakly' | 'moved' | 'ambiguous' | 'no-fit' | 'too-few' | 'not-shown';

export interface FieldFinding {
  header: HeaderName;
  field: string;
  ibmName: string | null;
  confidence: Confidence;
  /** The listing label the value comes from, or null when the listing never shows the field. */
  listingLabel: string | null;
  profileOffset: number;
  size: number;
  /** Matched records whose listing shows the field. */
  shown: number;
  /** Of those, records whose header reaches the profile offset. */
  compared: number;
  /** Of those, records holding the listing's value at the profile offset. */
  agreeing: number;
  /** Distinct listing values seen, counted up to DISTINCT_VALUES_COUNTED. */
  distinctValues: number;
  verdict: Verdict;
  /** Offsets that hold the listing's value in every record showing the field (the first few). */
  fittingOffsets: number[];
  fittingOffsetCount: number;
  /** The corrected offset, for verdict "moved" only. */
  suggestedOffset: number | null;
  /** When no offset fits every record: the one fitting most. */
  bestOffset: { offset: number; records: number } | null;
  /** The first record that disagrees at the profile offset. */
  example: { recordNumber: number; listing: string; atProfileOffset: string } | null;
  note: string;
}

export const DEFAULT_MIN_RECORDS = 5;
export const DISTINCT_VALUES_COUNTED = 3;
const FITTING_OFFSETS_LISTED = 8;
/** IBM prints times to the microsecond; the TOD value has finer bits (truncation or rounding). */
const TIME_TOLERANCE_MICROS = 1;
const TWO_POW_20 = 1 << 20;
const EBCDIC_BLANK = 0x40;

/** Tests the bytes at one offset of a header against one listing value. */
type Probe = (bytes: Uint8Array, at: number) => boolean;

function uintAt(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i]!;
  return value;
}

function todMicrosAt(bytes: Uint8Array, at: number): number {
  const high = uintAt(bytes, at, 4);
  const low = uintAt(bytes, at + 4, 4);
  return high * TWO_POW_20 + Math.floor(low / 4096);
}

const never: Probe = () => false;

/** The probe for a listing value in a field of this definition, or null when it cannot be tested at all. */
function probeFor(expect: Expectation, definition: FieldDefinition, codePage: CodePage, clockOffsetMicros: number): Probe | null {
  const size = definition.size;
  switch (expect.kind) {
    case 'uint':
      return expect.value >= 2 ** (8 * size) ? never : (bytes, at) => uintAt(bytes, at, size) === expect.value;
    case 'bit': {
      const mask = definition.bits?.[expect.bit];
      if (mask === undefined) return null;
      return (bytes, at) => ((uintAt(bytes, at, size) & mask) !== 0) === expect.set;
    }
    case 'text': {
      let encoded: Uint8Array;
      try {
        encoded = codePage.encode(expect.text);
      } catch (error) {
        if (error instanceof ZctraceError) return null; // a character the code page lacks: no evidence
        throw error;
      }
      if (encoded.length > size || encoded.length === 0) return never;
      return (bytes, at) => {
        for (let i = 0; i < encoded.length; i++) if (bytes[at + i] !== encoded[i]) return false;
        for (let i = encoded.length; i < size; i++) if (bytes[at + i] !== EBCDIC_BLANK && bytes[at + i] !== 0) return false;
        return true;
      };
    }
    case 'address':
      if (size !== expect.bytes.length) return never;
      return (bytes, at) => {
        for (let i = 0; i < size; i++) if (bytes[at + i] !== expect.bytes[i]) return false;
        return true;
      };
    case 'time': {
      if (size !== 8) return never;
      const micros = expect.listingMicros - clockOffsetMicros;
      const target = unixTimeToStck(Math.floor(micros / 1e6), (micros % 1e6) * 1000);
      const targetMicros = target.todHigh * TWO_POW_20 + Math.floor(target.todLow / 4096);
      return (bytes, at) => Math.abs(todMicrosAt(bytes, at) - targetMicros) <= TIME_TOLERANCE_MICROS;
    }
  }
}

/** Counters of one field over all matched records. */
class FieldTally {
  shown = 0;
  compared = 0;
  agreeing = 0;
  /** hits[o]: records holding the listing's value at offset o. */
  hits = new Uint32Array(128);
  readonly values = new Set<string>();
  example: FieldFinding['example'] = null;

  constructor(readonly row: ProfileFieldRow) {}

  count(offset: number): void {
    if (offset >= this.hits.length) {
      const grown = new Uint32Array(Math.max(this.hits.length * 2, offset + 1));
      grown.set(this.hits);
      this.hits = grown;
    }
    this.hits[offset]!++;
  }
}

export interface HeaderRegion {
  bytes: Uint8Array;
  /** Where the component data (and PTHDR) starts inside `bytes`. */
  start: number;
  /** PTH_Len: offsets are searched in [0, headerLength). */
  headerLength: number;
}

function fieldKey(header: string, field: string): string {
  return `${header}.${field}`;
}

export class OffsetFinder {
  private readonly tallies = new Map<string, FieldTally>();
  private readonly rows: ProfileFieldRow[];

  constructor(
    profile: LayoutProfile,
    private readonly codePage: CodePage,
    private readonly clockOffsetMicros: number,
    private readonly minRecords = DEFAULT_MIN_RECORDS,
  ) {
    this.rows = profileFields(profile);
    for (const row of this.rows) this.tallies.set(fieldKey(row.header, row.field), new FieldTally(row));
  }

  /** One matched record: every value its listing shows, tried against its header bytes. */
  feed(recordNumber: number, evidence: readonly FieldEvidence[], region: HeaderRegion): void {
    for (const item of evidence) {
      const tally = this.tallies.get(fieldKey(item.header, item.field));
      if (tally === undefined) continue; // the profile dropped this field
      const definition = tally.row.definition;
      const probe = probeFor(item.expect, definition, this.codePage, this.clockOffsetMicros);
      if (probe === null) continue;
      tally.shown++;
      if (tally.values.size < DISTINCT_VALUES_COUNTED) tally.values.add(item.shown);
      const { bytes, start, headerLength } = region;
      if (definition.offset + definition.size <= headerLength) {
        tally.compared++;
        if (probe(bytes, start + definition.offset)) tally.agreeing++;
        else if (tally.example === null) {
          tally.example = { recordNumber, listing: item.shown, atProfileOffset: this.describeBytes(bytes, start + definition.offset, definition) };
        }
      }
      for (let offset = 0; offset + definition.size <= headerLength; offset++) if (probe(bytes, start + offset)) tally.count(offset);
    }
  }

  /** A finding for every field of the profile, in header and offset order. */
  findings(): FieldFinding[] {
    return this.rows.map((row) => this.finding(this.tallies.get(fieldKey(row.header, row.field))!));
  }

  private finding(tally: FieldTally): FieldFinding {
    const { row } = tally;
    const definition = row.definition;
    const fitting: number[] = [];
    let best: FieldFinding['bestOffset'] = null;
    for (let offset = 0; offset < tally.hits.length; offset++) {
      const records = tally.hits[offset]!;
      if (tally.shown > 0 && records === tally.shown) fitting.push(offset);
      if (records > 0 && (best === null || records > best.records)) best = { offset, records };
    }
    const base = {
      header: row.header,
      field: row.field,
      ibmName: definition.ibmName,
      confidence: definition.confidence,
      listingLabel: listingLabelOf(row.header, row.field),
      profileOffset: definition.offset,
      size: definition.size,
      shown: tally.shown,
      compared: tally.compared,
      agreeing: tally.agreeing,
      distinctValues: tally.values.size,
      fittingOffsets: fitting.slice(0, FITTING_OFFSETS_LISTED),
      fittingOffsetCount: fitting.length,
      bestOffset: fitting.length === 0 ? best : null,
      example: tally.example,
    };
    const { verdict, suggested } = this.verdictOf(tally, fitting);
    return { ...base, verdict, suggestedOffset: suggested, note: this.noteFor(verdict, base, tally, fitting) };
  }

  private verdictOf(tally: FieldTally, fitting: number[]): { verdict: Verdict; suggested: number | null } {
    if (tally.shown === 0) return { verdict: 'not-shown', suggested: null };
    if (tally.shown < this.minRecords) return { verdict: 'too-few', suggested: null };
    const profileFits = tally.agreeing === tally.shown;
    if (profileFits) return { verdict: fitting.length === 1 ? 'agrees' : 'agrees-weakly', suggested: null };
    if (fitting.length === 1) return { verdict: 'moved', suggested: fitting[0]! };
    return { verdict: fitting.length > 1 ? 'ambiguous' : 'no-fit', suggested: null };
  }

  private noteFor(verdict: Verdict, f: Omit<FieldFinding, 'verdict' | 'suggestedOffset' | 'note'>, tally: FieldTally, fitting: number[]): string {
    const values = tally.values.size === 1 ? ` (every record shows the same value, ${[...tally.values][0]})` : '';
    const others = (offsets: number[]) => offsets.map((o) => this.describeOffset(o, f.size, f.header, f.field)).join(', ');
    switch (verdict) {
      case 'not-shown':
        return f.listingLabel === null ? 'the listing does not show this field' : `no matched record shows "${f.listingLabel}"`;
      case 'too-few':
        return `only ${f.shown} record(s) show it; at least ${this.minRecords} are needed`;
      case 'agrees':
        return `the listing's value is at offset ${f.profileOffset} in all ${f.shown} records, and nowhere else`;
      case 'agrees-weakly':
        return `fits all ${f.shown} records, but so ${fitting.length === 2 ? 'does' : 'do'} ${others(fitting.filter((o) => o !== f.profileOffset).slice(0, 5))}${values}`;
      case 'moved':
        return `the listing's value is at offset ${fitting[0]} in all ${f.shown} records (${f.agreeing} of ${f.compared} at ${f.profileOffset})`;
      case 'ambiguous':
        return `offsets ${others(fitting.slice(0, 5))}${fitting.length > 5 ? ', …' : ''} all fit ${f.shown} records${values}: more varied records are needed`;
      case 'no-fit':
        return f.bestOffset === null
          ? `the listing's value is nowhere in the header of these ${f.shown} records (another size or encoding?)`
          : `no offset holds it in all ${f.shown} records; offset ${f.bestOffset.offset} holds it in ${f.bestOffset.records}`;
    }
  }

  /** "90" or "80 (pthdr.tracedLength)": an offset with the profile fields that overlap it there. */
  private describeOffset(offset: number, size: number, header: string, field: string): string {
    const occupants = this.rows
      .filter((r) => !(r.header === header && r.field === field))
      .filter((r) => r.definition.offset < offset + size && offset < r.definition.offset + r.definition.size)
      .map((r) => fieldKey(r.header, r.field));
    return occupants.length === 0 ? String(offset) : `${offset} (${occupants.join(', ')})`;
  }

  private describeBytes(bytes: Uint8Array, at: number, definition: FieldDefinition): string {
    if (definition.type === 'ebcdic') return JSON.stringify(this.codePage.decodeTrimmed(bytes, at, at + definition.size));
    return Buffer.from(bytes.subarray(at, at + definition.size)).toString('hex').toUpperCase();
  }
}
