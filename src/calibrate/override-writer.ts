/**
 * Turns the fields calibration found moved into a `--layout` override file: the partial shape
 * layout-profile.ts merges onto the default (only the changed offsets, each with a note saying where the
 * value was found). When the profile being checked was itself an override, the corrections are merged
 * into a copy of that file, so the new file alone carries everything. The document is validated exactly
 * as `--layout` will load it before a byte is written, and written under a temporary name first.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { layoutProfileFromObject, fieldDefinition, type LayoutProfile } from '../ctrace/layout/layout-profile.js';
import type { FieldNameOf, HeaderName } from '../ctrace/layout/layout-fields.js';
import { openOutputFile } from '../capture/output-file.js';
import type { FieldFinding } from './offset-finder.js';

export interface Correction {
  header: HeaderName;
  field: string;
  from: number;
  to: number;
  /** Matched records that hold the value at the new offset (all that show the field). */
  records: number;
}

export interface RefusedCorrection extends Correction {
  reason: string;
}

export interface OverrideDocument {
  name: string;
  description: string;
  headers: Record<string, { fields: Record<string, Record<string, unknown> | null> }>;
}

export interface OverridePlan {
  document: OverrideDocument;
  corrections: Correction[];
  /** Moves that cannot be written: the new place overlaps a field that stays where it is. */
  refused: RefusedCorrection[];
}

export interface OverrideContext {
  profile: LayoutProfile;
  /** The override file the checked profile came from, or null for the default profile. */
  layoutPath: string | null;
  tracePath: string;
  listingPath: string;
  matchedRecords: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The user's override document (already validated by the profile loader), or an empty one. */
function baseDocument(layoutPath: string | null): Json {
  if (layoutPath === null) return {};
  const parsed = JSON.parse(readFileSync(layoutPath, 'utf8')) as unknown;
  return isObject(parsed) ? structuredClone(parsed) : {};
}

function slotOf(profile: LayoutProfile, header: HeaderName, field: string, corrections: readonly Correction[]): { offset: number; size: number } | null {
  const definition = fieldDefinition(profile, header, field as FieldNameOf<typeof header>);
  if (definition === null) return null;
  const moved = corrections.find((c) => c.header === header && c.field === field);
  return { offset: moved?.to ?? definition.offset, size: definition.size };
}

/** A field (other than the moved one) whose final place overlaps the moved field's new place. */
function overlapOf(profile: LayoutProfile, move: Correction, corrections: readonly Correction[]): string | null {
  const own = slotOf(profile, move.header, move.field, corrections)!;
  for (const field of Object.keys(profile.headers[move.header].fields)) {
    if (field === move.field) continue;
    const other = slotOf(profile, move.header, field, corrections);
    if (other !== null && other.offset < own.offset + own.size && own.offset < other.offset + other.size) return `${move.header}.${field}`;
  }
  return null;
}

function calibrationNote(base: string, correction: Correction, listing: string): string {
  const found = `calibrated against IPCS listing ${listing}: the value is at offset ${correction.to} in all ${correction.records} matched records (profile had ${correction.from})`;
  return base === '' ? found : `${base}; ${found}`;
}

export function planOverride(findings: readonly FieldFinding[], context: OverrideContext): OverridePlan {
  const moves: Correction[] = findings
    .filter((f) => f.verdict === 'moved' && f.suggestedOffset !== null)
    .map((f) => ({ header: f.header, field: f.field, from: f.profileOffset, to: f.suggestedOffset!, records: f.shown }));
  const refused: RefusedCorrection[] = [];
  let corrections = moves;
  // A move onto a field that stays is refused; drop such moves until the rest fit together.
  for (let changed = true; changed; ) {
    changed = false;
    for (const move of corrections) {
      const overlap = overlapOf(context.profile, move, corrections);
      if (overlap === null) continue;
      refused.push({ ...move, reason: `offset ${move.to} overlaps ${overlap}, which the listing does not show moved` });
      corrections = corrections.filter((c) => c !== move);
      changed = true;
      break;
    }
  }

  const document = baseDocument(context.layoutPath);
  const headers = (isObject(document.headers) ? document.headers : {}) as Json;
  const listing = basename(context.listingPath);
  for (const correction of corrections) {
    const header = (isObject(headers[correction.header]) ? headers[correction.header] : {}) as Json;
    const fields = (isObject(header.fields) ? header.fields : {}) as Json;
    const existing = isObject(fields[correction.field]) ? (fields[correction.field] as Json) : {};
    const baseNote = fieldDefinition(context.profile, correction.header, correction.field as FieldNameOf<HeaderName>)?.note ?? '';
    fields[correction.field] = { ...existing, offset: correction.to, note: calibrationNote(baseNote, correction, listing) };
    header.fields = fields;
    headers[correction.header] = header;
  }
  const changes = corrections.map((c) => `${c.header}.${c.field} ${c.from} -> ${c.to}`).join(', ');
  const result: OverrideDocument = {
    name: `calibrated from ${listing}`,
    description:
      `Layout override written by zctrace calibrate: ${basename(context.tracePath)} checked against IBM's IPCS listing ${listing} ` +
      `(${context.matchedRecords} matched records). ` +
      (corrections.length === 0 ? 'No offset needed correcting.' : `Corrected: ${changes}.`) +
      (context.layoutPath === null ? '' : ` Includes the override ${basename(context.layoutPath)} it was checked with.`),
    headers: headers as OverrideDocument['headers'],
  };
  // Load it as --layout will: a document the loader refuses is a bug here, not a user error.
  layoutProfileFromObject(result, 'calibrated override');
  return { document: result, corrections, refused };
}

export async function writeOverride(path: string, document: OverrideDocument): Promise<void> {
  const output = await openOutputFile(path);
  try {
    await output.write(Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8'));
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
