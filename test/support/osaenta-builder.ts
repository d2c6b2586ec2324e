/**
 * Builds SYSTCPOT OSAENTA entries (format 7) for tests and samples: the PTHDR laid out by the layout
 * profile JSON (through packet-trace-builder), the OSAENTA extension (the OSA device ID) after it, and the
 * whole Ethernet frame at PTH_Len, cut to the OSA's ABBREV length when asked. Also the frames an OSA port
 * sees that a veth capture lacks: 802.1Q tags and ARP.
 */
import { buildCte } from './cte-builder.js';
import { buildPacketEntryData, DEFAULT_CAPTURE_TIME, type PthdrValues, type UnixTime, type LayoutOverrideDocument } from './packet-trace-builder.js';
import { extensionHeaderLength, extensionSlots, writeUint, type ExtensionOverride } from './layout-extension.js';

export const OSAENTA_FORMAT_ID = 7;
/** IBM: the OSA rounds the ABBREV length up to a multiple of 32 bytes, at most 480. */
const ABBREV_UNIT = 32;
const ABBREV_MAX = 480;
const ENTRY_DELAY_NS = 5_000;

/** Bytes of a frame the OSA traces with ABBREV=`abbrev`. */
export function abbrevLength(abbrev: number): number {
  return Math.min(ABBREV_MAX, Math.ceil(abbrev / ABBREV_UNIT) * ABBREV_UNIT);
}

export interface OsaFrameSpec {
  /** The whole frame as it was on the wire (MAC header, tags, payload; no FCS). */
  frame: Uint8Array;
  /** PTHDR values: linkName is the OSA port name; flags, discardCode, captureTime... */
  fields?: PthdrValues;
  /** The OSA device ID (extension field). */
  deviceId?: number;
  /** The OSAENTA ABBREV setting: the frame is cut to abbrevLength(abbrev) bytes when longer. */
  abbrev?: number;
  /** PTH_Len; default: the end of the OSAENTA extension (108). */
  headerLength?: number;
  /** CTETIME; default PTH_Time + 5 µs. */
  entryTime?: UnixTime;
  layout?: LayoutOverrideDocument & ExtensionOverride;
}

function later(time: UnixTime, ns: number): UnixTime {
  const total = time.nsec + ns;
  return { sec: time.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/** The component data: PTHDR, OSAENTA extension, frame. */
export function buildOsaentaEntryData(spec: OsaFrameSpec): Uint8Array {
  const slots = extensionSlots('osaenta', spec.layout);
  const headerLength = spec.headerLength ?? extensionHeaderLength(slots);
  const traced = spec.abbrev === undefined ? spec.frame.length : Math.min(spec.frame.length, abbrevLength(spec.abbrev));
  const data = buildPacketEntryData({
    packet: spec.frame,
    headerLength,
    truncateTo: traced,
    fields: spec.fields ?? {},
    ...(spec.layout === undefined ? {} : { layout: spec.layout }),
  });
  const device = slots.deviceId;
  if (device !== undefined && spec.deviceId !== undefined && device.offset + device.size <= headerLength) writeUint(data, device, spec.deviceId);
  return data;
}

/** One whole CTE for an OSAENTA frame. */
export function buildOsaentaEntry(spec: OsaFrameSpec): Uint8Array {
  const time = spec.entryTime ?? later(spec.fields?.captureTime ?? DEFAULT_CAPTURE_TIME, ENTRY_DELAY_NS);
  return buildCte({ formatId: OSAENTA_FORMAT_ID, timeSec: time.sec, timeNsec: time.nsec, data: buildOsaentaEntryData(spec) });
}

const MAC_ADDRESSES_LENGTH = 12;
const TPID_8021Q = 0x8100;

/** The frame with an 802.1Q tag (TPID 0x8100, priority, VLAN ID) inserted after the MAC addresses. */
export function withVlanTag(frame: Uint8Array, vlanId: number, priority = 0): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, MAC_ADDRESSES_LENGTH), 0);
  const view = new DataView(out.buffer);
  view.setUint16(MAC_ADDRESSES_LENGTH, TPID_8021Q);
  view.setUint16(MAC_ADDRESSES_LENGTH + 2, ((priority & 7) << 13) | (vlanId & 0x0fff));
  out.set(frame.subarray(MAC_ADDRESSES_LENGTH), MAC_ADDRESSES_LENGTH + 4);
  return out;
}

export interface ArpSpec {
  /** 1 request, 2 reply (RFC 826). */
  operation: 1 | 2;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  /** Ethernet destination; default broadcast for a request, the target for a reply. */
  destinationMac?: string;
}

const macBytes = (text: string): number[] => text.split(':').map((h) => parseInt(h, 16));
const ipv4Bytes = (text: string): number[] => text.split('.').map(Number);
/** An ARP frame is 14 + 28 bytes, padded with zeros to the 60-byte minimum on the wire. */
const ARP_FRAME_LENGTH = 60;

/** An Ethernet ARP frame for IPv4 (RFC 826), padded to the minimum frame length. */
export function arpFrame(spec: ArpSpec): Uint8Array {
  const frame = new Uint8Array(ARP_FRAME_LENGTH);
  const view = new DataView(frame.buffer);
  const destination = spec.destinationMac ?? (spec.operation === 1 ? 'ff:ff:ff:ff:ff:ff' : spec.targetMac);
  frame.set(macBytes(destination), 0);
  frame.set(macBytes(spec.senderMac), 6);
  view.setUint16(12, 0x0806);
  view.setUint16(14, 1); // hardware type Ethernet
  view.setUint16(16, 0x0800); // protocol type IPv4
  frame[18] = 6;
  frame[19] = 4;
  view.setUint16(20, spec.operation);
  frame.set(macBytes(spec.senderMac), 22);
  frame.set(ipv4Bytes(spec.senderIp), 28);
  frame.set(macBytes(spec.targetMac), 32);
  frame.set(ipv4Bytes(spec.targetIp), 38);
  return frame;
}
