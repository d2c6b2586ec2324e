/**
 * From a captured frame to its TCP segment: skips the link header (raw IP, or Ethernet with 802.1Q / QinQ
 * tags), walks the IPv4 or IPv6 header, and fills a reusable view with the addresses (as 32-bit words:
 * cheap to hash and compare), the TCP header, and the segment length the way Wireshark takes it: from the
 * IP lengths, so a snapped capture still counts the whole payload.
 *
 * The IP walk here is the minimum TCP needs and allocates nothing. TODO(merge): ip-header.ts walks the
 * same headers but only exports allocating views; once it exports a non-allocating "locate transport"
 * (protocol, transport offset, datagram length), this file should call it instead of its own walk.
 */
import type { TracePacket } from '../model/trace-packet.js';
import { LinkType } from '../capture/link-types.js';
import { IPV4_MIN_HEADER, IPV6_HEADER } from './ip-header.js';
import { TcpHeader, readTcpHeader } from './tcp-header.js';

const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, QINQ_LEGACY: 0x9100 } as const;
const ETHERNET_HEADER = 14;
const VLAN_TAG = 4;
/** More stacked tags than any real network uses: a frame past this is treated as not IP. */
const MAX_VLAN_TAGS = 4;

const IP_PROTOCOL_TCP = 6;
/** IPv6 extension headers (RFC 8200 §4, RFC 4302 AH) and how their length byte counts. */
const Ipv6Extension = { FRAGMENT: 44, AH: 51 } as const;
const IPV6_GENERIC_EXTENSIONS: ReadonlySet<number> = new Set([0 /* hop-by-hop */, 43 /* routing */, 60 /* destination */, 135 /* mobility */, 139 /* HIP */, 140 /* shim6 */]);
/** Bounds the extension-header walk on damaged input. */
const MAX_IPV6_EXTENSIONS = 8;

/** One TCP segment of a frame. Filled in place by readTcpSegment; valid until the next call. */
export class TcpPacketView {
  ipVersion: 4 | 6 = 4;
  /** Where the IP header and the TCP header start in the frame. */
  ipOffset = 0;
  tcpOffset = 0;
  /** TCP header + payload bytes per the IP header (never more than the wire carried). */
  tcpLength = 0;
  /** tcpLength − TCP header length: the payload on the wire, captured or not. */
  payloadLength = 0;
  /** Addresses as big-endian 32-bit words; IPv4 uses word 0 only, the others are 0. */
  source0 = 0;
  source1 = 0;
  source2 = 0;
  source3 = 0;
  destination0 = 0;
  destination1 = 0;
  destination2 = 0;
  destination3 = 0;
  readonly tcp = new TcpHeader();
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/** The offset of the IP header in an Ethernet frame (after any VLAN tags), or -1 when it carries no IP. */
function ethernetPayload(data: Uint8Array): number {
  let at = 12;
  for (let tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
    if (at + 2 > data.length) return -1;
    const type = uint16(data, at);
    if (type === EtherType.IPV4 || type === EtherType.IPV6) return at + 2;
    if (type !== EtherType.VLAN && type !== EtherType.QINQ && type !== EtherType.QINQ_LEGACY) return -1;
    at += VLAN_TAG;
  }
  return -1;
}

/** Where the IP header starts for this link type, or -1 when the frame carries no IP. */
function ipStart(data: Uint8Array, linkType: number): number {
  if (linkType === LinkType.RAW || linkType === LinkType.IPV4 || linkType === LinkType.IPV6) return 0;
  if (linkType === LinkType.ETHERNET && data.length >= ETHERNET_HEADER) return ethernetPayload(data);
  return -1;
}

function expectedVersion(linkType: number): number {
  if (linkType === LinkType.IPV4) return 4;
  if (linkType === LinkType.IPV6) return 6;
  return 0;
}

/**
 * IPv4 → sets tcpOffset and tcpLength. A fragment is not analysed: Wireshark sees the segment only once
 * reassembled, in the last fragment's frame, and we do not reassemble.
 */
function locateIpv4Tcp(data: Uint8Array, wireBytes: number, out: TcpPacketView): boolean {
  const at = out.ipOffset;
  if (at + IPV4_MIN_HEADER > data.length) return false;
  const headerLength = ((data[at] ?? 0) & 0x0f) * 4;
  const stated = uint16(data, at + 2);
  // Total length 0 is what a capture of a TSO send shows: the frame's own length stands in for it.
  const total = stated === 0 ? wireBytes : Math.min(stated, wireBytes);
  const fragment = (uint16(data, at + 6) & 0x3fff) !== 0; // MF flag or a fragment offset
  if (headerLength < IPV4_MIN_HEADER || (stated !== 0 && stated < headerLength) || fragment) return false;
  if (data[at + 9] !== IP_PROTOCOL_TCP || total < headerLength) return false;
  out.source0 = uint32(data, at + 12);
  out.destination0 = uint32(data, at + 16);
  out.source1 = out.source2 = out.source3 = out.destination1 = out.destination2 = out.destination3 = 0;
  out.tcpOffset = at + headerLength;
  out.tcpLength = total - headerLength;
  return true;
}

/** IPv6 → walks extension headers to TCP; sets tcpOffset and tcpLength. Fragments are skipped (see IPv4). */
function locateIpv6Tcp(data: Uint8Array, wireBytes: number, out: TcpPacketView): boolean {
  const start = out.ipOffset;
  if (start + IPV6_HEADER > data.length) return false;
  const payload = uint16(data, start + 4);
  if (payload === 0) return false; // jumbogram: not seen on the links we trace
  const end = start + Math.min(IPV6_HEADER + payload, wireBytes);
  let next = data[start + 6] ?? 0;
  let at = start + IPV6_HEADER;
  for (let hops = 0; next !== IP_PROTOCOL_TCP; hops++) {
    if (hops === MAX_IPV6_EXTENSIONS || at + 8 > data.length) return false;
    if (next === Ipv6Extension.FRAGMENT && (uint16(data, at + 2) & 0xfff9) !== 0) return false; // offset or M flag
    const length = extensionLength(next, data[at + 1] ?? 0);
    if (length < 0) return false;
    next = data[at] ?? 0;
    at += length;
  }
  if (at > end) return false;
  readIpv6Addresses(data, start, out);
  out.tcpOffset = at;
  out.tcpLength = end - at;
  return true;
}

/** Bytes an IPv6 extension header takes, or -1 when `kind` is not one (some other upper layer). */
function extensionLength(kind: number, lengthByte: number): number {
  if (IPV6_GENERIC_EXTENSIONS.has(kind)) return (lengthByte + 1) * 8;
  if (kind === Ipv6Extension.AH) return (lengthByte + 2) * 4;
  if (kind === Ipv6Extension.FRAGMENT) return 8;
  return -1;
}

function readIpv6Addresses(data: Uint8Array, start: number, out: TcpPacketView): void {
  out.source0 = uint32(data, start + 8);
  out.source1 = uint32(data, start + 12);
  out.source2 = uint32(data, start + 16);
  out.source3 = uint32(data, start + 20);
  out.destination0 = uint32(data, start + 24);
  out.destination1 = uint32(data, start + 28);
  out.destination2 = uint32(data, start + 32);
  out.destination3 = uint32(data, start + 36);
}

/**
 * Fills `out` with the TCP segment of one frame. False when the frame holds no analysable segment: not
 * IPv4/IPv6 TCP, an IP fragment, fewer than 20 TCP header bytes captured, or an IP length too short for
 * the TCP header it carries. `originalLength` is the frame's length on the wire.
 */
export function readTcpSegment(data: Uint8Array, linkType: number, originalLength: number, out: TcpPacketView): boolean {
  const at = ipStart(data, linkType);
  if (at < 0 || at >= data.length) return false;
  const version = (data[at] ?? 0) >> 4;
  const wanted = expectedVersion(linkType);
  if ((version !== 4 && version !== 6) || (wanted !== 0 && version !== wanted)) return false;
  out.ipVersion = version;
  out.ipOffset = at;
  const wireBytes = Math.max(originalLength, data.length) - at;
  const located = version === 4 ? locateIpv4Tcp(data, wireBytes, out) : locateIpv6Tcp(data, wireBytes, out);
  if (!located || !readTcpHeader(data, out.tcpOffset, data.length, out.tcp)) return false;
  if (out.tcpLength < out.tcp.headerLength) return false;
  out.payloadLength = out.tcpLength - out.tcp.headerLength;
  return true;
}

/** readTcpSegment for a TracePacket. */
export function readTcpPacket(packet: TracePacket, out: TcpPacketView): boolean {
  return readTcpSegment(packet.data, packet.interface.linkType, packet.originalLength, out);
}
