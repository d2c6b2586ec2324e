/**
 * Builds SYSTCPDA packet trace entries (format 4) for tests: a PTHDR_T laid out BY THE LAYOUT PROFILE JSON
 * (read here straight from the file, with its own small override merge, so that a shifted profile builds
 * shifted bytes), the IP packet at PTH_Len, wrapped as a CTE by buildCte. Supports ABBREV truncation,
 * the odd-length pad byte, short (older) headers and segmentation into several entries.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCte } from './cte-builder.js';
import { unixTimeToStck } from '../../src/zos/stck.js';
import type { CteEntry } from '../../src/ctrace/cte.js';
import { ebcdicByte } from './layout-extension.js';

const PROFILE_PATH = fileURLToPath(new URL('../../src/ctrace/layout/default-profile.json', import.meta.url));

interface Slot {
  offset: number;
  size: number;
}

/** The same shape as a --layout override file; only headers.pthdr fields' offset/size matter here. */
export interface LayoutOverrideDocument {
  headers?: { pthdr?: { fields?: Record<string, Partial<Slot> | null> } };
}

/** PTHDR field offsets/sizes from the default profile JSON with an override applied. */
export function pthdrSlots(override?: LayoutOverrideDocument): Record<string, Slot> {
  const json = JSON.parse(readFileSync(PROFILE_PATH, 'utf8')) as { headers: { pthdr: { fields: Record<string, Slot> } } };
  const slots: Record<string, Slot> = {};
  for (const [name, field] of Object.entries(json.headers.pthdr.fields)) slots[name] = { offset: field.offset, size: field.size };
  for (const [name, change] of Object.entries(override?.headers?.pthdr?.fields ?? {})) {
    if (change === null) delete slots[name];
    else slots[name] = { offset: change.offset ?? slots[name]!.offset, size: change.size ?? slots[name]!.size };
  }
  return slots;
}

/** A header long enough for every field, rounded up to a fullword like the real PTHDR (104). */
export function fullHeaderLength(slots: Record<string, Slot>): number {
  const end = Math.max(...Object.values(slots).map((s) => s.offset + s.size));
  return Math.ceil(end / 4) * 4;
}

export interface UnixTime {
  sec: number;
  nsec: number;
}

/** Values to write into the PTHDR (fields left out are zero). */
export interface PthdrValues {
  headerVersion?: number;
  deviceType?: number;
  flags?: number;
  segmentNumber?: number;
  segmentOffset?: number;
  linkName?: string;
  /** PTH_Time as a Unix time, or `captureTod` for an exact STCK value. */
  captureTime?: UnixTime;
  captureTod?: { todHigh: number; todLow: number };
  sourceAddress?: string;
  destinationAddress?: string;
  sourcePort?: number;
  destinationPort?: number;
  traceCount?: number;
  protocol?: number;
  vlanId?: number;
  packetLength?: number;
  tracedLength?: number;
  interfaceIndex?: number;
  asid?: number;
  tcb?: number;
  connectionId?: number;
  discardCode?: number;
}

export interface PacketEntrySpec {
  /** The whole IP packet as it was on the wire. */
  packet: Uint8Array;
  fields?: PthdrValues;
  /** PTH_Len; default: every field of the profile. A shorter one leaves later fields out. */
  headerLength?: number;
  /** Bytes of the packet traced (ABBREV); default all. */
  truncateTo?: number;
  /** Append the pad byte an odd-length record gets ("record size adjust by +1"). */
  padByte?: boolean;
  layout?: LayoutOverrideDocument;
  /** CTETIME; default PTH_Time + 5 µs. */
  entryTime?: UnixTime;
  formatId?: number;
}

export const DEFAULT_CAPTURE_TIME: UnixTime = { sec: 1_700_000_000, nsec: 123_456_000 };
export const PAD_BYTE = 0x00;
const ENTRY_DELAY_NS = 5_000;

/** 16-byte PTHDR form: IPv4 as ::ffff:a.b.c.d, IPv6 text with optional "::". */
export function ip16Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  if (text.includes('.') && !text.includes(':')) {
    out[10] = 0xff;
    out[11] = 0xff;
    text.split('.').forEach((part, i) => (out[12 + i] = Number(part)));
    return out;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

function writeField(data: Uint8Array, slot: Slot, value: number | Uint8Array): void {
  if (value instanceof Uint8Array) {
    data.set(value.subarray(0, slot.size), slot.offset);
    return;
  }
  for (let i = slot.size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) data[slot.offset + i] = v % 256;
}

function fieldValue(name: keyof PthdrValues, values: PthdrValues, size: number): number | Uint8Array | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (name === 'linkName') return Uint8Array.from((value as string).padEnd(size, ' '), ebcdicByte);
  if (name === 'sourceAddress' || name === 'destinationAddress') return ip16Bytes(value as string);
  if (name === 'captureTod' || name === 'captureTime') {
    const tod = name === 'captureTod' ? (value as { todHigh: number; todLow: number }) : unixTimeToStck((value as UnixTime).sec, (value as UnixTime).nsec);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, tod.todHigh);
    new DataView(bytes.buffer).setUint32(4, tod.todLow);
    return bytes;
  }
  return value as number;
}

/** The bytes of the packet that the entry carries: truncated, then padded. */
function tracedBytes(spec: PacketEntrySpec): Uint8Array {
  const traced = spec.packet.subarray(0, spec.truncateTo ?? spec.packet.length);
  if (!spec.padByte) return traced;
  const padded = new Uint8Array(traced.length + 1);
  padded.set(traced);
  padded[traced.length] = PAD_BYTE;
  return padded;
}

/** PTHDR + packet piece: the component data of one entry. */
function componentData(spec: PacketEntrySpec, values: PthdrValues, piece: Uint8Array): Uint8Array {
  const slots = pthdrSlots(spec.layout);
  const headerLength = spec.headerLength ?? fullHeaderLength(slots);
  const data = new Uint8Array(headerLength + piece.length);
  const all: PthdrValues = { captureTime: DEFAULT_CAPTURE_TIME, ...values };
  for (const [name, slot] of Object.entries(slots)) {
    if (slot.offset + slot.size > headerLength) continue; // an older, shorter header lacks it
    const key = name === 'captureTime' && all.captureTod !== undefined ? 'captureTod' : (name as keyof PthdrValues);
    const value = name === 'headerLength' ? headerLength : fieldValue(key, all, slot.size);
    if (value !== undefined) writeField(data, slot, value);
  }
  data.set(piece, headerLength);
  return data;
}

function entryTime(spec: PacketEntrySpec, delayNs: number): UnixTime {
  const base = spec.entryTime ?? spec.fields?.captureTime ?? DEFAULT_CAPTURE_TIME;
  const total = base.nsec + (spec.entryTime === undefined ? ENTRY_DELAY_NS : 0) + delayNs;
  return { sec: base.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/** The component data of a single-entry packet record. */
export function buildPacketEntryData(spec: PacketEntrySpec): Uint8Array {
  const traced = tracedBytes(spec);
  const defaults: PthdrValues = { tracedLength: spec.truncateTo ?? spec.packet.length, packetLength: spec.packet.length };
  return componentData(spec, { ...defaults, ...spec.fields }, traced);
}

/** One whole CTE for a single-entry packet record. */
export function buildPacketEntry(spec: PacketEntrySpec): Uint8Array {
  const time = entryTime(spec, 0);
  return buildCte({ formatId: spec.formatId ?? 4, timeSec: time.sec, timeNsec: time.nsec, data: buildPacketEntryData(spec) });
}

/**
 * A segmented packet record: the traced bytes cut into pieces of `pieceSizes` bytes (the last piece takes
 * the rest), each in its own entry with PTH_SeqNum 0, 1, ... (255 wraps to 1), its offset in the packet,
 * and the shared PTH_Time and PTH_Tlen.
 */
export function buildSegmentedEntries(spec: PacketEntrySpec, pieceSizes: number[]): Uint8Array[] {
  const traced = tracedBytes(spec);
  const entries: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; offset < traced.length; i++) {
    const size = pieceSizes[i] ?? traced.length - offset;
    if (size <= 0) throw new Error('segment pieces must hold at least one byte');
    const piece = traced.subarray(offset, offset + size);
    const values: PthdrValues = {
      tracedLength: spec.truncateTo ?? spec.packet.length,
      packetLength: spec.packet.length,
      ...spec.fields,
      segmentNumber: i === 0 ? 0 : ((i - 1) % 255) + 1,
      segmentOffset: offset,
    };
    const time = entryTime(spec, i * 1000);
    entries.push(buildCte({ formatId: spec.formatId ?? 4, timeSec: time.sec, timeNsec: time.nsec, data: componentData(spec, values, piece) }));
    offset += piece.length;
  }
  return entries;
}

/** The CteEntry the scanner would hand out for a CTE built above (header read independently here). */
export function toCteEntry(cte: Uint8Array, entryNumber = 1, fileOffset = 0): CteEntry {
  const view = new DataView(cte.buffer, cte.byteOffset, cte.byteLength);
  return {
    entryNumber,
    fileOffset,
    formatId: view.getUint32(4),
    todHigh: view.getUint32(8),
    todLow: view.getUint32(12),
    bytes: cte,
    dataOffset: view.getUint16(2),
    dataEnd: view.getUint16(0) - 2,
  };
}
