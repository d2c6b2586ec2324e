/**
 * A minimal, bounds-checked view of an IPv4 or IPv6 header: version, lengths, the upper-layer protocol
 * (walking IPv6 extension headers), addresses and TCP/UDP ports. Truncated input gives null fields, never
 * an exception. `ipTotalLength` and `ipFieldsPresent` serve per-packet paths without allocating.
 */

import { IpProtocol } from './ip-protocols.js';

export const IPV4_MIN_HEADER = 20;
export const IPV6_HEADER = 40;

/** IPv6 extension headers whose length byte counts 8-octet units beyond the first 8 (RFC 8200 §4). */
const GENERIC_EXTENSIONS = new Set([0 /* hop-by-hop */, 43 /* routing */, 60 /* destination options */, 135 /* mobility */, 139 /* HIP */, 140 /* shim6 */]);

export interface IpHeaderView {
  version: 4 | 6;
  /** IPv4: IHL × 4; IPv6: 40 plus the extension headers walked; null when the chain is cut short. */
  headerLength: number | null;
  /** Length of the whole datagram per the header (IPv6: payload length + 40). */
  totalLength: number;
  /** Upper-layer protocol (after IPv6 extension headers); null when truncated before it. */
  protocol: number | null;
  sourceAddress: string | null;
  destinationAddress: string | null;
  /** TCP/UDP ports of a first (or only) fragment, when the bytes reach them. */
  sourcePort: number | null;
  destinationPort: number | null;
}

/** Where the transport header starts and what it is: filled in place to avoid allocation. */
export interface TransportLocation {
  protocol: number;
  /** Offset of the transport header, -1 when unknown (truncated chain, non-first fragment). */
  offset: number;
  /** End of the IP header including IPv6 extension headers, -1 when the chain is cut short. */
  headerEnd: number;
  /** Offset of an IPv6 Fragment extension header met on the way, -1 when there is none (and for IPv4). */
  fragmentAt: number;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** The version nibble at `at` (0 when there is no byte). */
export function ipVersionAt(bytes: Uint8Array, at: number, end = bytes.length): number {
  return at < end && at < bytes.length ? (bytes[at] ?? 0) >> 4 : 0;
}

/**
 * The datagram length the header states, or -1 when it cannot be read or is impossible (IPv4 total length
 * below its header; IPv6 payload length 0, i.e. a jumbogram or damage).
 */
export function ipTotalLength(bytes: Uint8Array, start: number, end = bytes.length): number {
  const limit = Math.min(end, bytes.length);
  const version = ipVersionAt(bytes, start, limit);
  if (version === 4 && start + 4 <= limit) {
    const total = uint16(bytes, start + 2);
    const headerLength = ((bytes[start] ?? 0) & 0x0f) * 4;
    return headerLength >= IPV4_MIN_HEADER && total >= headerLength ? total : -1;
  }
  if (version === 6 && start + 6 <= limit) {
    const payload = uint16(bytes, start + 4);
    return payload === 0 ? -1 : payload + IPV6_HEADER;
  }
  return -1;
}

function locateIpv4Transport(bytes: Uint8Array, start: number, limit: number, out: TransportLocation): void {
  out.protocol = start + 10 <= limit ? (bytes[start + 9] ?? 0) : -1;
  const headerLength = ((bytes[start] ?? 0) & 0x0f) * 4;
  const fragmentOffset = start + 8 <= limit ? uint16(bytes, start + 6) & 0x1fff : -1;
  out.offset = headerLength >= IPV4_MIN_HEADER && fragmentOffset === 0 ? start + headerLength : -1;
  out.headerEnd = start + headerLength;
  out.fragmentAt = -1;
}

/** Walks the IPv6 extension header chain as far as the bytes allow. */
function locateIpv6Transport(bytes: Uint8Array, start: number, limit: number, out: TransportLocation): void {
  let next = start + 7 <= limit ? (bytes[start + 6] ?? 0) : -1;
  let at = start + IPV6_HEADER;
  let firstFragment = true;
  out.fragmentAt = -1;
  while (next >= 0 && at + 2 <= limit) {
    if (GENERIC_EXTENSIONS.has(next)) {
      const length = ((bytes[at + 1] ?? 0) + 1) * 8;
      next = bytes[at] ?? 0;
      at += length;
    } else if (next === IpProtocol.AH) {
      const length = ((bytes[at + 1] ?? 0) + 2) * 4;
      next = bytes[at] ?? 0;
      at += length;
    } else if (next === IpProtocol.IPV6_FRAGMENT) {
      if (at + 4 > limit) break;
      firstFragment = (uint16(bytes, at + 2) & 0xfff8) === 0;
      out.fragmentAt = at;
      next = bytes[at] ?? 0;
      at += 8;
    } else {
      out.protocol = next;
      out.offset = firstFragment && next !== IpProtocol.IPV6_NO_NEXT ? at : -1;
      out.headerEnd = at;
      return;
    }
  }
  // The chain ran past the bytes present (or the fixed header itself is cut short).
  const complete = next >= 0 && !GENERIC_EXTENSIONS.has(next) && next !== IpProtocol.AH && next !== IpProtocol.IPV6_FRAGMENT;
  out.protocol = complete ? next : -1;
  out.offset = complete && firstFragment && next !== IpProtocol.IPV6_NO_NEXT ? at : -1;
  out.headerEnd = complete ? at : -1;
}

/** Fills `out` for the IPv4 (`version` 4) or IPv6 header at `start`, reading no byte at or past `limit`. */
export function locateTransport(bytes: Uint8Array, start: number, limit: number, version: number, out: TransportLocation): void {
  if (version === 4) locateIpv4Transport(bytes, start, limit, out);
  else locateIpv6Transport(bytes, start, limit, out);
}

const scratch: TransportLocation = { protocol: -1, offset: -1, headerEnd: -1, fragmentAt: -1 };

function hasPorts(protocol: number): boolean {
  return protocol === IpProtocol.TCP || protocol === IpProtocol.UDP;
}

/** Bits of `ipFieldsPresent`. */
export const IpFields = { ADDRESSES: 1, PROTOCOL: 2, PORTS: 4 } as const;

/**
 * Which header facts the bytes present reach, as IpFields bits. PORTS is set too when the protocol has no
 * ports, or the datagram is a later fragment: then nothing is missing.
 */
export function ipFieldsPresent(bytes: Uint8Array, start: number, end = bytes.length): number {
  const limit = Math.min(end, bytes.length);
  const version = ipVersionAt(bytes, start, limit);
  if (version !== 4 && version !== 6) return 0;
  const addressEnd = start + (version === 4 ? IPV4_MIN_HEADER : IPV6_HEADER);
  let present = addressEnd <= limit ? IpFields.ADDRESSES : 0;
  locateTransport(bytes, start, limit, version, scratch);
  if (scratch.protocol < 0) return present;
  present |= IpFields.PROTOCOL;
  const portsNeeded = hasPorts(scratch.protocol) && scratch.offset >= 0;
  if (!portsNeeded || scratch.offset + 4 <= limit) present |= IpFields.PORTS;
  return present;
}

/** The header view, or null when there is no IPv4/IPv6 header with a readable length. */
export function parseIpHeader(bytes: Uint8Array, start = 0, end = bytes.length): IpHeaderView | null {
  const limit = Math.min(end, bytes.length);
  const version = ipVersionAt(bytes, start, limit);
  const totalLength = ipTotalLength(bytes, start, limit);
  if ((version !== 4 && version !== 6) || totalLength < 0) return null;
  const location: TransportLocation = { protocol: -1, offset: -1, headerEnd: -1, fragmentAt: -1 };
  locateTransport(bytes, start, limit, version, location);
  const v4 = version === 4;
  const addressAt = start + (v4 ? 12 : 8);
  const addressSize = v4 ? 4 : 16;
  const format = v4 ? formatIpv4 : formatIpv6;
  const portsAt = hasPorts(location.protocol) && location.offset >= 0 && location.offset + 4 <= limit ? location.offset : -1;
  return {
    version,
    headerLength: location.headerEnd >= 0 ? location.headerEnd - start : null,
    totalLength,
    protocol: location.protocol >= 0 ? location.protocol : null,
    sourceAddress: addressAt + addressSize <= limit ? format(bytes, addressAt) : null,
    destinationAddress: addressAt + 2 * addressSize <= limit ? format(bytes, addressAt + addressSize) : null,
    sourcePort: portsAt >= 0 ? uint16(bytes, portsAt) : null,
    destinationPort: portsAt >= 0 ? uint16(bytes, portsAt + 2) : null,
  };
}

/** Dotted quad of the 4 bytes at `at`. */
export function formatIpv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at] ?? 0}.${bytes[at + 1] ?? 0}.${bytes[at + 2] ?? 0}.${bytes[at + 3] ?? 0}`;
}

function isV4Mapped(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (bytes[at + i] !== 0) return false;
  return bytes[at + 10] === 0xff && bytes[at + 11] === 0xff;
}

/** RFC 5952 text of the 16 bytes at `at`: lower case, longest zero run as "::", IPv4-mapped as ::ffff:a.b.c.d. */
export function formatIpv6(bytes: Uint8Array, at: number): string {
  if (isV4Mapped(bytes, at)) return `::ffff:${formatIpv4(bytes, at + 12)}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(uint16(bytes, at + 2 * i));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never shortened
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** A 16-byte PTHDR address: IPv4-mapped addresses (how PTHDR holds IPv4) print as plain IPv4. */
export function formatIp16(bytes: Uint8Array, at: number): string {
  return isV4Mapped(bytes, at) ? formatIpv4(bytes, at + 12) : formatIpv6(bytes, at);
}
