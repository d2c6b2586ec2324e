/**
 * Finds the offending IP packet in an IDS record (contract §6). It should start at PTH_Len; when the bytes
 * there are not an IP header (an extension longer than the layout profile says, say), the packet is looked
 * for further on: an IP header whose length accounts for exactly the bytes that remain (one pad byte
 * allowed), or an IPv4 header with a good checksum whose datagram was cut short by the trace record size.
 */
import { IPV4_MIN_HEADER, IPV6_HEADER, ipTotalLength, ipVersionAt } from '../net/ip-header.js';

/** The pad byte an odd-length record may carry after the packet ("record size adjust by +1"). */
const PAD_BYTES_ALLOWED = 1;

/** The datagram length of a plausible IP header at `at`, or -1 when the bytes there are not one. */
export function ipHeaderAt(bytes: Uint8Array, at: number, end: number): number {
  const version = ipVersionAt(bytes, at, end);
  const minimum = version === 4 ? ((bytes[at] ?? 0) & 0x0f) * 4 : version === 6 ? IPV6_HEADER : -1;
  if (minimum < IPV4_MIN_HEADER || at + minimum > end) return -1;
  return ipTotalLength(bytes, at, end);
}

function ipv4ChecksumValid(bytes: Uint8Array, at: number): boolean {
  const headerLength = ((bytes[at] ?? 0) & 0x0f) * 4;
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += ((bytes[at + i] ?? 0) << 8) | (bytes[at + i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** True when a header found past PTH_Len can be trusted as the record's packet. */
function fitsTheRest(bytes: Uint8Array, at: number, end: number, length: number): boolean {
  const remaining = end - at;
  if (length <= remaining && remaining - length <= PAD_BYTES_ALLOWED) return true;
  return length > remaining && ipVersionAt(bytes, at, end) === 4 && ipv4ChecksumValid(bytes, at);
}

/**
 * Offset of the record's IP packet within [start, end): `start` itself when a plausible header is there,
 * else the first later offset whose header fits the rest of the record, else -1. The scan is linear in
 * the record's bytes, at most one entry (64 KiB).
 */
export function locateIdsPacket(bytes: Uint8Array, start: number, end: number): number {
  const limit = Math.min(end, bytes.length);
  if (ipHeaderAt(bytes, start, limit) >= 0) return start;
  for (let at = start + 1; at + IPV4_MIN_HEADER <= limit; at++) {
    const length = ipHeaderAt(bytes, at, limit);
    if (length >= 0 && fitsTheRest(bytes, at, limit, length)) return at;
  }
  return -1;
}
