/**
 * The one reading of a frame's headers that every per-packet path shares (filters, listings, the analysis
 * and its TCP view): where the IP header starts (raw IP, or Ethernet with VLAN tags), what it says
 * (addresses as offsets and as 32-bit words, lengths, TTL, identification, fragmentation), the transport
 * header after any IPv6 extension headers (protocol, TCP/UDP ports, ICMP type and code) and where the
 * payload lies. Filled in place into a reused object: nothing is allocated per packet.
 *
 * Lengths follow the IP header, so a snapped capture still counts the whole datagram; a length of 0 (what
 * a capture of a TSO send shows) or an impossible one stands for the frame's own length.
 */
import { LinkType } from '../capture/link-types.js';
import { EtherType, newEthernetView, readEthernetHeader } from './ethernet-header.js';
import { IPV4_MIN_HEADER, IPV6_HEADER, ipTotalLength, locateTransport, type TransportLocation } from './ip-header.js';
import { IpProtocol } from './ip-protocols.js';

/** Transport headers of a fixed size before the payload: UDP, and the ICMP type/code/checksum/rest word. */
const FIXED_TRANSPORT_HEADER = 8;

export class PacketLayers {
  /** The frame's Ethernet destination is the broadcast address (Ethernet frames only). */
  linkBroadcast = false;
  /** Offset of the IP header, -1 when the frame carries no IPv4/IPv6 packet. */
  ipOffset = -1;
  /** 4 or 6; 0 when there is no IP header. */
  ipVersion = 0;
  /** The fixed IP header is captured whole and sane (IPv4 IHL at least 20): every IP field below was read. */
  ipHeaderComplete = false;
  /** IPv4: IHL × 4; IPv6: 40 plus the extension headers; -1 when the IPv6 chain is cut short. */
  ipHeaderLength = -1;
  /** The length the header states (IPv4 total length, IPv6 40 + payload length); -1 when not captured. */
  statedLength = -1;
  /** Length of the datagram on the wire per its header (see above), never more than the wire carried. */
  totalLength = 0;
  /** TTL (IPv6: hop limit). */
  ttl = 0;
  /** IPv4 identification; -1 for IPv6 or when not captured. */
  ipId = -1;
  /** The identification fragments of one datagram share: IPv4 ID, IPv6 Fragment header ID; -1 when none. */
  fragmentId = -1;
  /** Reserved ("evil") IPv4 flag bit. */
  reservedFlag = false;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes. */
  fragmentOffset = 0;
  /** More fragments follow or the offset is not 0: a piece of a datagram (an IPv6 atomic fragment is not). */
  isFragment = false;
  /** Where the source and destination addresses are (4 or 16 bytes each); -1 when not captured. */
  sourceAddressAt = -1;
  destinationAddressAt = -1;
  /** The addresses as big-endian 32-bit words (IPv4: word 0 only): cheap to hash and compare. */
  source0 = 0;
  source1 = 0;
  source2 = 0;
  source3 = 0;
  destination0 = 0;
  destination1 = 0;
  destination2 = 0;
  destination3 = 0;
  /** Upper-layer protocol after any IPv6 extension headers; -1 when not captured. */
  protocol = -1;
  /** Offset of the transport header; -1 when unknown (cut short, or a later fragment). */
  transportOffset = -1;
  /** Bytes after the IP header (and its extension headers) per the IP lengths, captured or not. */
  transportLength = 0;
  /** TCP/UDP ports, -1 when the protocol has none or they were not captured. */
  sourcePort = -1;
  destinationPort = -1;
  /** ICMP or ICMPv6 type and code, -1 when not ICMP or not captured. */
  icmpType = -1;
  icmpCode = -1;
  /** Where the payload starts: after the transport header, or the whole frame when it holds no IP. */
  payloadOffset = 0;
  /** End of the bytes that belong to the packet (Ethernet padding and trailing pad bytes excluded). */
  payloadEnd = 0;
  /** Payload bytes on the wire per the IP lengths, captured or not; -1 when it cannot be told. */
  payloadLength = -1;

  get addressLength(): number {
    return this.ipVersion === 6 ? 16 : 4;
  }
}

const scratch: TransportLocation = { protocol: -1, offset: -1, headerEnd: -1, fragmentAt: -1 };
const ethernet = newEthernetView();

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

function clear(out: PacketLayers, frameLength: number): void {
  out.linkBroadcast = false;
  out.ipOffset = -1;
  out.ipVersion = 0;
  out.ipHeaderComplete = false;
  out.ipHeaderLength = out.statedLength = -1;
  out.totalLength = out.ttl = 0;
  out.ipId = out.fragmentId = -1;
  out.reservedFlag = out.dontFragment = out.moreFragments = out.isFragment = false;
  out.fragmentOffset = 0;
  out.sourceAddressAt = out.destinationAddressAt = -1;
  out.source0 = out.source1 = out.source2 = out.source3 = 0;
  out.destination0 = out.destination1 = out.destination2 = out.destination3 = 0;
  out.protocol = out.transportOffset = -1;
  out.transportLength = 0;
  out.sourcePort = out.destinationPort = out.icmpType = out.icmpCode = -1;
  out.payloadOffset = 0;
  out.payloadEnd = frameLength;
  out.payloadLength = -1;
}

function isBroadcastMac(data: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (data[i] !== 0xff) return false;
  return true;
}

/** Where the IP header starts for this link type, or -1 when the frame carries no IP. */
function ipStart(data: Uint8Array, linkType: number, out: PacketLayers): number {
  if (linkType === LinkType.RAW || linkType === LinkType.IPV4 || linkType === LinkType.IPV6) return 0;
  if (linkType !== LinkType.ETHERNET || !readEthernetHeader(data, 0, data.length, ethernet)) return -1;
  out.linkBroadcast = isBroadcastMac(data);
  const type = ethernet.typeOrLength;
  return type === EtherType.IPV4 || type === EtherType.IPV6 ? ethernet.payloadOffset : -1;
}

/** The IP version a link type promises (0: raw IP, either). */
function expectedVersion(linkType: number): number {
  if (linkType === LinkType.IPV4) return 4;
  if (linkType === LinkType.IPV6) return 6;
  return 0;
}

/**
 * Fills `out` for one frame of link type `linkType`; `originalLength` is its length on the wire. False
 * (with `out` describing a frame without IP, the whole frame as payload) when it holds no IPv4/IPv6 header.
 */
export function readPacketLayers(data: Uint8Array, linkType: number, originalLength: number, out: PacketLayers): boolean {
  clear(out, data.length);
  const at = ipStart(data, linkType, out);
  if (at < 0) return false;
  return readIp(data, at, Math.max(originalLength, data.length), expectedVersion(linkType), out);
}

/**
 * Fills `out` from an IP header at `at` that no link header precedes (the datagram an ICMP error quotes);
 * the datagram's bytes on the wire end at `wireEnd` at the latest.
 */
export function readIpLayers(data: Uint8Array, at: number, wireEnd: number, out: PacketLayers): boolean {
  clear(out, data.length);
  return readIp(data, at, wireEnd, 0, out);
}

function readIp(data: Uint8Array, at: number, wireEnd: number, expected: number, out: PacketLayers): boolean {
  const version = at < data.length ? (data[at] ?? 0) >> 4 : 0;
  if ((version !== 4 && version !== 6) || (expected !== 0 && version !== expected)) return false;
  out.ipOffset = at;
  out.ipVersion = version;
  if (version === 4) readIpv4Fields(data, at, out);
  else readIpv6Fields(data, at, out);
  const stated = ipTotalLength(data, at);
  const datagramEnd = stated > 0 ? Math.min(at + stated, wireEnd) : wireEnd;
  out.totalLength = datagramEnd - at;
  out.payloadEnd = Math.min(datagramEnd, data.length);
  out.payloadOffset = out.payloadEnd; // no payload until the headers before it are found
  locateTransport(data, at, data.length, version, scratch);
  out.protocol = scratch.protocol;
  out.transportOffset = scratch.offset;
  if (version === 6) {
    out.ipHeaderLength = scratch.headerEnd >= 0 ? scratch.headerEnd - at : -1;
    if (scratch.fragmentAt >= 0) readIpv6Fragment(data, scratch.fragmentAt, out);
  }
  if (scratch.headerEnd >= 0) out.transportLength = Math.max(0, datagramEnd - scratch.headerEnd);
  if (scratch.offset >= 0) readTransport(data, scratch.offset, datagramEnd, out);
  else if (scratch.headerEnd >= 0) setPayload(out, scratch.headerEnd, datagramEnd); // a later fragment: all payload
  return true;
}

function readIpv4Fields(data: Uint8Array, at: number, out: PacketLayers): void {
  const length = data.length;
  out.ipHeaderLength = ((data[at] ?? 0) & 0x0f) * 4;
  if (at + 4 <= length) out.statedLength = uint16(data, at + 2);
  if (at + 6 <= length) out.ipId = out.fragmentId = uint16(data, at + 4);
  const flagsAndOffset = uint16(data, at + 6);
  out.reservedFlag = (flagsAndOffset & 0x8000) !== 0;
  out.dontFragment = (flagsAndOffset & 0x4000) !== 0;
  out.moreFragments = (flagsAndOffset & 0x2000) !== 0;
  out.fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  out.isFragment = out.moreFragments || out.fragmentOffset !== 0;
  out.ttl = data[at + 8] ?? 0;
  if (at + IPV4_MIN_HEADER > length) return;
  out.ipHeaderComplete = out.ipHeaderLength >= IPV4_MIN_HEADER;
  out.sourceAddressAt = at + 12;
  out.destinationAddressAt = at + 16;
  out.source0 = uint32(data, at + 12);
  out.destination0 = uint32(data, at + 16);
}

function readIpv6Fields(data: Uint8Array, at: number, out: PacketLayers): void {
  if (at + 6 <= data.length) out.statedLength = IPV6_HEADER + uint16(data, at + 4);
  out.ttl = data[at + 7] ?? 0;
  if (at + IPV6_HEADER > data.length) return;
  out.ipHeaderComplete = true;
  out.sourceAddressAt = at + 8;
  out.destinationAddressAt = at + 24;
  out.source0 = uint32(data, at + 8);
  out.source1 = uint32(data, at + 12);
  out.source2 = uint32(data, at + 16);
  out.source3 = uint32(data, at + 20);
  out.destination0 = uint32(data, at + 24);
  out.destination1 = uint32(data, at + 28);
  out.destination2 = uint32(data, at + 32);
  out.destination3 = uint32(data, at + 36);
}

/** The IPv6 Fragment header at `at` (RFC 8200 §4.5): offset in 8-octet units, M flag, identification. */
function readIpv6Fragment(data: Uint8Array, at: number, out: PacketLayers): void {
  const field = uint16(data, at + 2);
  out.fragmentOffset = field & 0xfff8;
  out.moreFragments = (field & 1) !== 0;
  out.isFragment = out.moreFragments || out.fragmentOffset !== 0;
  if (at + 8 <= data.length) out.fragmentId = uint32(data, at + 4);
}

/** Length of the transport header at `at`, or -1 when its bytes are not there. */
function transportHeaderLength(data: Uint8Array, protocol: number, at: number): number {
  if (protocol === IpProtocol.TCP) return at + 13 <= data.length ? ((data[at + 12] ?? 0) >> 4) * 4 : -1;
  if (protocol === IpProtocol.UDP || protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6) return FIXED_TRANSPORT_HEADER;
  return 0;
}

function readTransport(data: Uint8Array, at: number, datagramEnd: number, out: PacketLayers): void {
  const protocol = out.protocol;
  if ((protocol === IpProtocol.TCP || protocol === IpProtocol.UDP) && at + 4 <= data.length) {
    out.sourcePort = uint16(data, at);
    out.destinationPort = uint16(data, at + 2);
  } else if ((protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6) && at + 2 <= data.length) {
    out.icmpType = data[at] ?? 0;
    out.icmpCode = data[at + 1] ?? 0;
  }
  const headerLength = transportHeaderLength(data, protocol, at);
  if (headerLength >= 0) setPayload(out, at + headerLength, datagramEnd);
}

function setPayload(out: PacketLayers, start: number, datagramEnd: number): void {
  out.payloadOffset = Math.min(start, out.payloadEnd);
  out.payloadLength = Math.max(0, datagramEnd - start);
}
