/**
 * The layout profile: where each PTHDR (and extension) field sits, as data (contract §8). The default ships
 * as default-profile.json; `--layout FILE` names a partial override merged onto it field by field, so a user
 * who calibrated one offset writes one line, not the whole table (a file naming every field is simply a
 * full profile). A field set to null is dropped: every entry then lacks it.
 *
 * Loading validates everything once; decoders then use the compiled form (plain numbers per field).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZctraceError } from '../../errors.js';
import {
  CONFIDENCES,
  FIELD_PROPERTIES,
  FIELD_TYPES,
  HEADER_FIELDS,
  HEADER_NAMES,
  MAX_FIELD_OFFSET,
  REQUIRED_FIELDS,
  SIZES_BY_TYPE,
  SIZE_RULES_TEXT,
  type Confidence,
  type FieldNameOf,
  type FieldType,
  type HeaderName,
} from './layout-fields.js';
import { compileLayout, type CompiledLayout } from './layout-compile.js';

export interface FieldDefinition {
  /** IBM's name for the field (PTH_Len...), when it has one. */
  ibmName: string | null;
  offset: number;
  size: number;
  type: FieldType;
  confidence: Confidence;
  note: string;
  /** flags only: bit name → mask. */
  bits: Readonly<Record<string, number>> | null;
}

export interface HeaderDefinition<N extends string> {
  description: string;
  fields: Partial<Record<N, FieldDefinition>>;
}

export type ProfileHeaders = { [H in HeaderName]: HeaderDefinition<FieldNameOf<H>> };

export interface LayoutProfile {
  name: string;
  description: string;
  /** The override file merged onto the default, or null for the default itself. */
  source: string | null;
  headers: ProfileHeaders;
  compiled: CompiledLayout;
}

const DEFAULT_PROFILE_URL = new URL('./default-profile.json', import.meta.url);
const PROFILE_KEYS = ['name', 'description', 'headers'];
const HEADER_KEYS = ['description', 'fields'];

const messages = {
  notJson: (why: string) => `layout profile is not valid JSON: ${why}`,
  notObject: (where: string) => `${where} must be an object`,
  unknownKey: (key: string, where: string) => `unknown key "${key}" in ${where}`,
  unknownHeader: (name: string) => `unknown header "${name}" (known: ${HEADER_NAMES.join(', ')})`,
  unknownField: (name: string, header: string) => `unknown field "${name}" in headers.${header}`,
  unknownProperty: (key: string, where: string) => `unknown property "${key}" in ${where}`,
  incomplete: (where: string, key: string) => `${where} needs "${key}" (a new field must be complete)`,
  badOffset: (where: string, value: unknown) => `${where}: offset ${String(value)} must be an integer 0..${MAX_FIELD_OFFSET}`,
  badType: (where: string, value: unknown, expected: FieldType) =>
    `${where}: type ${JSON.stringify(value)} must be "${expected}" (known types: ${FIELD_TYPES.join(', ')})`,
  badSize: (where: string, value: unknown, type: FieldType) => `${where}: size ${String(value)} does not fit type ${type} (allowed: ${SIZE_RULES_TEXT[type]})`,
  badConfidence: (where: string, value: unknown) => `${where}: confidence ${JSON.stringify(value)} must be one of ${CONFIDENCES.join(', ')}`,
  badText: (where: string, key: string) => `${where}: ${key} must be a string`,
  bitsNotAllowed: (where: string) => `${where}: only a flags field has bits`,
  badBit: (where: string, bit: string, size: number) => `${where}: bit "${bit}" must be a single bit within ${size} byte(s)`,
  duplicateBit: (where: string, bit: string) => `${where}: bit "${bit}" repeats the mask of another bit`,
  missingRequired: (header: string, field: string) => `headers.${header}.fields.${field} is required and cannot be dropped`,
  overlap: (header: string, a: string, b: string) => `headers.${header}: fields "${a}" and "${b}" overlap`,
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws LAYOUT errors naming the file. */
class ProfileChecker {
  constructor(private readonly file: string) {}

  fail(message: string): never {
    throw new ZctraceError('LAYOUT', message, this.file);
  }

  object(value: unknown, where: string, allowed: readonly string[]): Json {
    if (!isObject(value)) this.fail(messages.notObject(where));
    for (const key of Object.keys(value)) if (!allowed.includes(key)) this.fail(messages.unknownKey(key, where));
    return value;
  }

  text(value: unknown, where: string, key: string): string {
    if (typeof value !== 'string') this.fail(messages.badText(where, key));
    return value;
  }

  /** A complete field definition from the merged properties, checked against the field's fixed type. */
  field(raw: Json, where: string, expected: FieldType): FieldDefinition {
    for (const key of Object.keys(raw)) if (!(FIELD_PROPERTIES as readonly string[]).includes(key)) this.fail(messages.unknownProperty(key, where));
    for (const key of ['offset', 'size', 'type', 'confidence'] as const) if (raw[key] === undefined) this.fail(messages.incomplete(where, key));
    const { offset, size, type, confidence } = raw;
    if (type !== expected) this.fail(messages.badType(where, type, expected));
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_FIELD_OFFSET) this.fail(messages.badOffset(where, offset));
    if (!Number.isInteger(size) || !SIZES_BY_TYPE[expected](size as number)) this.fail(messages.badSize(where, size, expected));
    if (!(CONFIDENCES as readonly unknown[]).includes(confidence)) this.fail(messages.badConfidence(where, confidence));
    return {
      ibmName: raw.ibmName === undefined ? null : this.text(raw.ibmName, where, 'ibmName'),
      offset: offset as number,
      size: size as number,
      type: expected,
      confidence: confidence as Confidence,
      note: raw.note === undefined ? '' : this.text(raw.note, where, 'note'),
      bits: this.bits(raw.bits, where, expected, size as number),
    };
  }

  private bits(value: unknown, where: string, type: FieldType, size: number): Record<string, number> | null {
    if (value === undefined) return type === 'flags' ? {} : null;
    if (type !== 'flags') this.fail(messages.bitsNotAllowed(where));
    const bits = this.object(value, `${where}.bits`, Object.keys(value as Json));
    const seen = new Set<number>();
    for (const [name, mask] of Object.entries(bits)) {
      const single = Number.isInteger(mask) && (mask as number) > 0 && (mask as number) < 2 ** (8 * size) && ((mask as number) & ((mask as number) - 1)) === 0;
      if (!single || name === '') this.fail(messages.badBit(where, name, size));
      if (seen.has(mask as number)) this.fail(messages.duplicateBit(where, name));
      seen.add(mask as number);
    }
    return { ...(bits as Record<string, number>) };
  }
}

/** Field definitions of one header: the base's, with the override's properties merged field by field. */
function mergeHeader<H extends HeaderName>(
  check: ProfileChecker,
  header: H,
  base: HeaderDefinition<FieldNameOf<H>> | null,
  override: unknown,
): HeaderDefinition<FieldNameOf<H>> {
  const known = HEADER_FIELDS[header] as Record<string, FieldType>;
  const raw = override === undefined ? {} : check.object(override, `headers.${header}`, HEADER_KEYS);
  const fieldsRaw = raw.fields === undefined ? {} : check.object(raw.fields, `headers.${header}.fields`, Object.keys(raw.fields as Json));
  const fields: Partial<Record<string, FieldDefinition>> = { ...(base?.fields ?? {}) };
  for (const [name, value] of Object.entries(fieldsRaw)) {
    const expected = known[name];
    if (expected === undefined) check.fail(messages.unknownField(name, header));
    if (value === null) {
      delete fields[name];
      continue;
    }
    const where = `headers.${header}.fields.${name}`;
    const props = check.object(value, where, Object.keys(value as Json));
    const merged = { ...baseProperties(fields[name]), ...props };
    fields[name] = check.field(merged, where, expected);
  }
  const description = raw.description === undefined ? (base?.description ?? '') : check.text(raw.description, `headers.${header}`, 'description');
  return { description, fields: fields as Partial<Record<FieldNameOf<H>, FieldDefinition>> };
}

/** A definition back in its JSON shape, so override properties merge onto it. */
function baseProperties(field: FieldDefinition | undefined): Json {
  if (field === undefined) return {};
  const { ibmName, bits, ...rest } = field;
  return { ...rest, ...(ibmName === null ? {} : { ibmName }), ...(bits === null ? {} : { bits }) };
}

function checkHeader(check: ProfileChecker, header: HeaderName, definition: HeaderDefinition<string>): void {
  const fields = definition.fields as Record<string, FieldDefinition | undefined>;
  for (const required of REQUIRED_FIELDS[header] as readonly string[]) {
    if (fields[required] === undefined) check.fail(messages.missingRequired(header, required));
  }
  const placed = Object.entries(fields)
    .filter((entry): entry is [string, FieldDefinition] => entry[1] !== undefined)
    .sort((a, b) => a[1].offset - b[1].offset);
  for (let i = 1; i < placed.length; i++) {
    const [prevName, prev] = placed[i - 1]!;
    const [name, field] = placed[i]!;
    if (field.offset < prev.offset + prev.size) check.fail(messages.overlap(header, prevName, name));
  }
}

/** Validates a profile document, merged onto `base` (null: the document must be complete). */
function buildProfile(document: unknown, base: LayoutProfile | null, file: string, source: string | null): LayoutProfile {
  const check = new ProfileChecker(file);
  const top = check.object(document, 'the layout profile', PROFILE_KEYS);
  const headersRaw = top.headers === undefined ? {} : check.object(top.headers, 'headers', Object.keys(top.headers as Json));
  for (const name of Object.keys(headersRaw)) if (!(HEADER_NAMES as string[]).includes(name)) check.fail(messages.unknownHeader(name));
  const headers = {} as Record<HeaderName, HeaderDefinition<string>>;
  for (const header of HEADER_NAMES) {
    headers[header] = mergeHeader(check, header, base?.headers[header] ?? null, headersRaw[header]);
    checkHeader(check, header, headers[header]);
  }
  const typed = headers as ProfileHeaders;
  return {
    name: top.name === undefined ? (base === null ? 'default' : basename(file)) : check.text(top.name, 'the layout profile', 'name'),
    description: top.description === undefined ? (base?.description ?? '') : check.text(top.description, 'the layout profile', 'description'),
    source,
    headers: typed,
    compiled: compileLayout(typed),
  };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ZctraceError('IO', `cannot read layout profile: ${(error as Error).message}`, path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ZctraceError('LAYOUT', messages.notJson((error as Error).message), path);
  }
}

let defaultProfile: LayoutProfile | null = null;

/** The shipped profile, read and validated once. */
export function defaultLayoutProfile(): LayoutProfile {
  if (defaultProfile === null) {
    const path = fileURLToPath(DEFAULT_PROFILE_URL);
    defaultProfile = buildProfile(readJson(path), null, path, null);
  }
  return defaultProfile;
}

/** The default profile, or the default with the override file `path` merged onto it. */
export function loadLayoutProfile(path?: string): LayoutProfile {
  const base = defaultLayoutProfile();
  return path === undefined ? base : buildProfile(readJson(path), base, path, path);
}

/** The same, from an already parsed override document (tests, calibration). */
export function layoutProfileFromObject(document: unknown, label = 'layout override'): LayoutProfile {
  return buildProfile(document, defaultLayoutProfile(), label, label);
}

/** A field's definition, or null when the profile dropped it. */
export function fieldDefinition<H extends HeaderName>(profile: LayoutProfile, header: H, field: FieldNameOf<H>): FieldDefinition | null {
  return (profile.headers[header].fields as Partial<Record<string, FieldDefinition>>)[field] ?? null;
}

export interface ProfileFieldRow {
  header: HeaderName;
  field: string;
  definition: FieldDefinition;
}

/** Every field in header and offset order: for `info` listings and calibration. */
export function profileFields(profile: LayoutProfile): ProfileFieldRow[] {
  const rows: ProfileFieldRow[] = [];
  for (const header of HEADER_NAMES) {
    const fields = Object.entries(profile.headers[header].fields as Record<string, FieldDefinition | undefined>);
    const placed: ProfileFieldRow[] = [];
    for (const [field, definition] of fields) if (definition !== undefined) placed.push({ header, field, definition });
    rows.push(...placed.sort((a, b) => a.definition.offset - b.definition.offset));
  }
  return rows;
}

export type { CompiledLayout, FieldSlot, FlagBit } from './layout-compile.js';
