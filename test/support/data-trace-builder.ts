/**
 * Builds SYSTCPDA data trace entries (format 5) for tests: the PTHDR laid out by packet-trace-builder.ts,
 * then the socket fields written where THE LAYOUT PROFILE JSON puts them (headers.dataTrace, read here from
 * the file, with the same small override merge), the socket data at PTH_Len, wrapped as a CTE. PTH_Flag
 * bit masks also come from the JSON, by name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCte } from './cte-builder.js';
import { buildPacketEntryData, DEFAULT_CAPTURE_TIME, fullHeaderLength, pthdrSlots, type PthdrValues, type UnixTime } from './packet-trace-builder.js';
import { ebcdicByte } from './layout-extension.js';

const PROFILE_PATH = fileURLToPath(new URL('../../src/ctrace/layout/default-profile.json', import.meta.url));

interface Slot {
  offset: number;
  size: number;
}

type FieldChanges = Record<string, Partial<Slot> | null>;

/** The same shape as a --layout override file; only field offsets/sizes matter here. */
export interface DataTraceLayoutOverride {
  headers?: { pthdr?: { fields?: FieldChanges }; dataTrace?: { fields?: FieldChanges } };
}

interface ProfileJson {
  headers: {
    pthdr: { fields: Record<string, Slot & { bits?: Record<string, number> }> };
    dataTrace: { fields: Record<string, Slot> };
  };
}

function profileJson(): ProfileJson {
  return JSON.parse(readFileSync(PROFILE_PATH, 'utf8')) as ProfileJson;
}

/** Socket field offsets/sizes from the default profile JSON with an override applied. */
export function dataTraceSlots(override?: DataTraceLayoutOverride): Record<string, Slot> {
  const slots: Record<string, Slot> = {};
  for (const [name, field] of Object.entries(profileJson().headers.dataTrace.fields)) slots[name] = { offset: field.offset, size: field.size };
  for (const [name, change] of Object.entries(override?.headers?.dataTrace?.fields ?? {})) {
    if (change === null) delete slots[name];
    else slots[name] = { offset: change.offset ?? slots[name]!.offset, size: change.size ?? slots[name]!.size };
  }
  return slots;
}

/** The mask of a PTH_Flag bit by its profile name ("outbound", "confidential", "clear-text"...). */
export function flagMask(name: string): number {
  const mask = profileJson().headers.pthdr.fields['flags']?.bits?.[name];
  if (mask === undefined) throw new Error(`the layout profile names no flag bit "${name}"`);
  return mask;
}

/** Socket values for PTH_Name (fields left out are zero). */
export interface SocketFields {
  jobName?: string;
  domain?: number;
  socketType?: number;
  protocol?: number;
  state?: number;
}

/** z/OS codes (contract §4): AF_INET 2, AF_INET6 19; SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3; states. */
export const Domain = { INET: 2, INET6: 19 } as const;
export const SockType = { STREAM: 1, DATAGRAM: 2, RAW: 3 } as const;
export const FlowState = { DATA: 0, START: 1, END: 2 } as const;

export interface DataEntrySpec {
  /** The socket data bytes the entry holds (none for a withheld or marker record). */
  data: Uint8Array;
  socket: SocketFields;
  /** PTHDR values: flags, addresses, ports, connection ID, capture time... */
  fields?: PthdrValues;
  /** The data's own length (PTH_Plen and PTH_Tlen); default: the bytes present. */
  dataLength?: number;
  /** PTH_Len; default: every PTHDR field of the profile. */
  headerLength?: number;
  layout?: DataTraceLayoutOverride;
  /** CTETIME; default PTH_Time + 5 µs. */
  entryTime?: UnixTime;
  formatId?: number;
}

function writeSocketField(data: Uint8Array, slot: Slot, value: string | number): void {
  if (typeof value === 'string') {
    const padded = value.padEnd(slot.size, ' ').slice(0, slot.size);
    for (let i = 0; i < slot.size; i++) data[slot.offset + i] = ebcdicByte(padded[i]!);
    return;
  }
  for (let i = slot.size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) data[slot.offset + i] = v % 256;
}

/** The component data of one data trace entry: PTHDR with the socket fields, then the data. */
export function buildDataEntryData(spec: DataEntrySpec): Uint8Array {
  const length = spec.dataLength ?? spec.data.length;
  const data = buildPacketEntryData({
    packet: spec.data,
    fields: { packetLength: length, tracedLength: length, ...spec.fields },
    ...(spec.headerLength === undefined ? {} : { headerLength: spec.headerLength }),
    ...(spec.layout === undefined ? {} : { layout: spec.layout }),
  });
  const headerLength = spec.headerLength ?? fullHeaderLength(pthdrSlots(spec.layout));
  const slots = dataTraceSlots(spec.layout);
  for (const [name, value] of Object.entries(spec.socket) as [keyof SocketFields, string | number | undefined][]) {
    const slot = slots[name];
    if (value === undefined || slot === undefined || slot.offset + slot.size > headerLength) continue;
    writeSocketField(data, slot, value);
  }
  return data;
}

/** One whole CTE for a data trace record. */
export function buildDataEntry(spec: DataEntrySpec): Uint8Array {
  const capture = spec.fields?.captureTime ?? DEFAULT_CAPTURE_TIME;
  const total = capture.nsec + 5_000;
  const time = spec.entryTime ?? { sec: capture.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
  return buildCte({ formatId: spec.formatId ?? 5, timeSec: time.sec, timeNsec: time.nsec, data: buildDataEntryData(spec) });
}
