/**
 * A minimal, bounds-checked reading of an Ethernet header: destination and source MAC, any 802.1Q/802.1ad
 * VLAN tags, then the EtherType (Ethernet II) or length (IEEE 802.3). The view is filled in place so the
 * per-frame path allocates nothing.
 */

/** EtherType values (IEEE registry) this module acts on. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  /** IEEE 802.1Q customer VLAN tag. */
  VLAN: 0x8100,
  IPV6: 0x86dd,
  /** IEEE 802.1ad service VLAN tag (Q-in-Q). */
  SERVICE_VLAN: 0x88a8,
  /** Pre-standard Q-in-Q tag some switches still send. */
  LEGACY_QINQ: 0x9100,
} as const;

/** Destination MAC, source MAC, type/length. */
export const ETHERNET_HEADER_LENGTH = 14;
/** Tag protocol identifier + tag control information. */
export const VLAN_TAG_LENGTH = 4;
/** Offset of the (first) type/length field. */
export const TYPE_FIELD_OFFSET = 12;
/** Smallest frame on the wire without its FCS: shorter payloads are padded to this (IEEE 802.3). */
export const MIN_FRAME_LENGTH = 60;
/** Type/length values up to this are an 802.3 length; from MIN_ETHERTYPE on they are an EtherType. */
export const MAX_8023_LENGTH = 1500;
export const MIN_ETHERTYPE = 0x0600;
/** More tags than this in one frame is not a frame: a stacked pair (Q-in-Q) is what networks use. */
const MAX_VLAN_TAGS = 4;
const VLAN_ID_MASK = 0x0fff;

export interface EthernetView {
  /** Offset of the first byte after the header and its tags (the IP packet, the ARP message...). */
  payloadOffset: number;
  /** The innermost type/length value: an EtherType (>= 0x0600) or an 802.3 length (<= 1500). */
  typeOrLength: number;
  /** VLAN ID of the outermost tag, or null for an untagged frame. */
  vlanId: number | null;
  vlanTags: number;
}

export function newEthernetView(): EthernetView {
  return { payloadOffset: 0, typeOrLength: 0, vlanId: null, vlanTags: 0 };
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** A value 1501..1535 is neither a length nor an EtherType: the bytes are not an Ethernet header. */
export function isTypeOrLength(value: number): boolean {
  return value <= MAX_8023_LENGTH || value >= MIN_ETHERTYPE;
}

/** True when `value` is a VLAN tag protocol identifier (802.1Q, 802.1ad or the legacy Q-in-Q value). */
export function isVlanTag(value: number): boolean {
  return value === EtherType.VLAN || value === EtherType.SERVICE_VLAN || value === EtherType.LEGACY_QINQ;
}

/**
 * Reads the header of the frame at [start, end) into `out`. False when the bytes stop inside the header or
 * its tags, there are more tags than a frame carries, or a type/length field holds a value that is neither
 * (1501..1535); `out.typeOrLength` and `out.payloadOffset - 2` then name the field it stopped at.
 */
export function readEthernetHeader(bytes: Uint8Array, start: number, end: number, out: EthernetView): boolean {
  const limit = Math.min(end, bytes.length);
  let at = start + TYPE_FIELD_OFFSET;
  out.vlanId = null;
  out.vlanTags = 0;
  out.typeOrLength = 0;
  out.payloadOffset = at + 2;
  if (at + 2 > limit) return false;
  let value = uint16(bytes, at);
  while (isVlanTag(value) && out.vlanTags < MAX_VLAN_TAGS && at + 2 + VLAN_TAG_LENGTH <= limit) {
    if (out.vlanTags === 0) out.vlanId = uint16(bytes, at + 2) & VLAN_ID_MASK;
    out.vlanTags++;
    at += VLAN_TAG_LENGTH;
    value = uint16(bytes, at);
  }
  out.typeOrLength = value;
  out.payloadOffset = at + 2;
  return isTypeOrLength(value) && !isVlanTag(value);
}
