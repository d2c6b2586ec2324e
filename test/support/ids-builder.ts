/**
 * Builds SYSTCPIS intrusion detection entries for tests and samples: the format ID is the probe ID, the
 * PTHDR is laid out by the layout profile JSON (through packet-trace-builder), the IDS extension
 * (correlator, module, job, policy rule, action) after it, and the offending IP packet at PTH_Len, or
 * some bytes later to stand for a header whose extension is longer than the profile says.
 */
import { buildCte } from './cte-builder.js';
import { buildPacketEntryData, DEFAULT_CAPTURE_TIME, type PthdrValues, type UnixTime, type LayoutOverrideDocument } from './packet-trace-builder.js';
import { extensionHeaderLength, extensionSlots, writeEbcdic, writeUint, type ExtensionOverride } from './layout-extension.js';

const ENTRY_DELAY_NS = 5_000;
/** TOD clock value of the Unix epoch (contract §2.1). */
const UNIX_EPOCH_TOD = 0x7d91048bca000000n;

export interface IdsRecordSpec {
  /** The probe ID: the entry's format ID. */
  probeId: number;
  /** The whole offending IP packet. */
  packet: Uint8Array;
  fields?: PthdrValues;
  correlator?: number;
  moduleName?: string;
  jobName?: string;
  policyRule?: string;
  actionName?: string;
  /** Bytes of the packet traced (the IDS policy's trace record size); default all. */
  truncateTo?: number;
  /** Append the pad byte an odd-length record gets. */
  padByte?: boolean;
  /** Bytes (zeros) between PTH_Len and the packet: a header longer than PTH_Len admits. */
  gapBeforePacket?: number;
  /** PTH_Len; default the end of the IDS extension (188). */
  headerLength?: number;
  /** CTETIME; default PTH_Time + 5 µs. */
  entryTime?: UnixTime;
  layout?: LayoutOverrideDocument & ExtensionOverride;
}

/** Unix time of a TOD value, straight from the contract's formula (BigInt, test-side only). */
export function todToUnixTime(tod: { todHigh: number; todLow: number }): UnixTime {
  const value = (BigInt(tod.todHigh) << 32n) | BigInt(tod.todLow);
  const ns = ((value - UNIX_EPOCH_TOD) * 125n) / 512n;
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

function later(time: UnixTime, ns: number): UnixTime {
  const total = time.nsec + ns;
  return { sec: time.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/** The bytes after PTH_Len: the gap, the traced part of the packet, the pad byte. */
function recordPayload(spec: IdsRecordSpec): Uint8Array {
  const traced = spec.packet.subarray(0, spec.truncateTo ?? spec.packet.length);
  const gap = spec.gapBeforePacket ?? 0;
  const out = new Uint8Array(gap + traced.length + (spec.padByte ? 1 : 0));
  out.set(traced, gap);
  return out;
}

/** The component data: PTHDR, IDS extension, packet. */
export function buildIdsEntryData(spec: IdsRecordSpec): Uint8Array {
  const slots = extensionSlots('ids', spec.layout);
  const headerLength = spec.headerLength ?? extensionHeaderLength(slots);
  const payload = recordPayload(spec);
  const fields: PthdrValues = { packetLength: spec.packet.length, tracedLength: spec.truncateTo ?? spec.packet.length, ...spec.fields };
  const data = buildPacketEntryData({ packet: payload, headerLength, fields, ...(spec.layout === undefined ? {} : { layout: spec.layout }) });
  const fits = (slot: { offset: number; size: number } | undefined): slot is { offset: number; size: number } =>
    slot !== undefined && slot.offset + slot.size <= headerLength;
  if (spec.correlator !== undefined && fits(slots.correlator)) writeUint(data, slots.correlator, spec.correlator);
  const texts: [string, string | undefined][] = [
    ['moduleName', spec.moduleName],
    ['jobName', spec.jobName],
    ['policyRule', spec.policyRule],
    ['actionName', spec.actionName],
  ];
  for (const [name, text] of texts) {
    const slot = slots[name];
    if (text !== undefined && fits(slot)) writeEbcdic(data, slot, text);
  }
  return data;
}

/** One whole CTE for an IDS record. */
export function buildIdsEntry(spec: IdsRecordSpec): Uint8Array {
  const captured = spec.fields?.captureTod !== undefined ? todToUnixTime(spec.fields.captureTod) : (spec.fields?.captureTime ?? DEFAULT_CAPTURE_TIME);
  const time = spec.entryTime ?? later(captured, ENTRY_DELAY_NS);
  return buildCte({ formatId: spec.probeId, timeSec: time.sec, timeNsec: time.nsec, data: buildIdsEntryData(spec) });
}

const hexBytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** Contract §9: IDS record 4521's 40-byte ICMP echo request (9.42.105.71 → 9.42.104.38; checksums verify). */
export const IBM_IDS_ICMP = hexBytes('45000028 00004000 3E015914 092A6947 092A6826 08005592 0B3F0000 AEBCDB3D 03340A00 00000000');
/** The TOD of its Tod Clock, 2002/11/20 17:38:32.175559, with no leap-second offset. */
export const IBM_IDS_TOD = { todHigh: 0xb88f32a5, todLow: 0x0a3c7000 };

/** Record 4521 as IBM's formatter lists it: probe 03030000, correlator 10, ScanEventIcmp-rule, link ETH1, module EZBIPICM, job TCPCS, ASID 01F7. */
export const IBM_RECORD_4521: IdsRecordSpec = {
  probeId: 0x03030000,
  packet: IBM_IDS_ICMP,
  correlator: 10,
  policyRule: 'ScanEventIcmp-rule',
  moduleName: 'EZBIPICM',
  jobName: 'TCPCS',
  fields: { linkName: 'ETH1', asid: 0x01f7, captureTod: IBM_IDS_TOD },
};
