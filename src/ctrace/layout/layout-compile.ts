/**
 * The hot-path form of a validated layout profile: for each field, plain numbers (offset, size, end) or
 * null when the profile dropped it, and the flag bits as a list. Decoders read `layout.pthdr.asid.offset`
 * per packet; no map lookups, no strings.
 */
import {
  DATA_TRACE_FIELDS,
  IDS_FIELDS,
  OSAENTA_FIELDS,
  PTHDR_FIELDS,
  type DataTraceField,
  type FieldType,
  type HeaderName,
  type IdsField,
  type OsaentaField,
  type PthdrField,
} from './layout-fields.js';

export interface FieldSlot {
  readonly offset: number;
  readonly size: number;
  /** offset + size: the field is present in an entry when its header (PTH_Len) reaches this far. */
  readonly end: number;
}

export type CompiledFields<N extends string> = { readonly [K in N]: FieldSlot | null };

export interface FlagBit {
  readonly name: string;
  readonly mask: number;
}

export interface CompiledLayout {
  readonly pthdr: CompiledFields<PthdrField>;
  /** The header length that holds every PTHDR field; a shorter PTH_Len is an older, shorter header. */
  readonly pthdrEnd: number;
  /** PTH_Flag bits in descending mask order, as the profile names them. */
  readonly flagBits: readonly FlagBit[];
  /** Mask of the bit named "outbound" (0 when the profile names none: direction unknown). */
  readonly outboundMask: number;
  /** Mask of the bit named "discarded" (0 when none). */
  readonly discardedMask: number;
  readonly dataTrace: CompiledFields<DataTraceField>;
  readonly ids: CompiledFields<IdsField>;
  readonly osaenta: CompiledFields<OsaentaField>;
}

/** What compilation needs of a field definition (layout-profile.ts has the full type). */
interface PlacedField {
  offset: number;
  size: number;
  bits: Readonly<Record<string, number>> | null;
}

type HeadersInput = { [H in HeaderName]: { fields: Partial<Record<string, PlacedField>> } };

/** Bit names the decoders act on. */
export const OUTBOUND_BIT = 'outbound';
export const DISCARDED_BIT = 'discarded';

function compileFields<N extends string>(names: Record<N, FieldType>, fields: Partial<Record<string, PlacedField>>): CompiledFields<N> {
  const out = {} as Record<N, FieldSlot | null>;
  for (const name of Object.keys(names) as N[]) {
    const field = fields[name];
    out[name] = field === undefined ? null : Object.freeze({ offset: field.offset, size: field.size, end: field.offset + field.size });
  }
  return Object.freeze(out);
}

export function compileLayout(headers: HeadersInput): CompiledLayout {
  const pthdr = compileFields(PTHDR_FIELDS, headers.pthdr.fields);
  const bits = headers.pthdr.fields.flags?.bits ?? {};
  const flagBits = Object.entries(bits)
    .map(([name, mask]) => Object.freeze({ name, mask }))
    .sort((a, b) => b.mask - a.mask);
  const slots = Object.values(pthdr) as (FieldSlot | null)[];
  return Object.freeze({
    pthdr,
    pthdrEnd: slots.reduce((end, slot) => Math.max(end, slot?.end ?? 0), 0),
    flagBits: Object.freeze(flagBits),
    outboundMask: bits[OUTBOUND_BIT] ?? 0,
    discardedMask: bits[DISCARDED_BIT] ?? 0,
    dataTrace: compileFields(DATA_TRACE_FIELDS, headers.dataTrace.fields),
    ids: compileFields(IDS_FIELDS, headers.ids.fields),
    osaenta: compileFields(OSAENTA_FIELDS, headers.osaenta.fields),
  });
}
