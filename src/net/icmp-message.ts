/**
 * A bounds-checked reading of an ICMP (RFC 792) or ICMPv6 (RFC 4443) message header: type, code, the
 * 4-byte field after the checksum (next-hop MTU, redirect gateway, parameter-problem pointer), and where an
 * error message quotes the datagram that caused it. Filled in place, so the per-packet path allocates
 * nothing.
 */

/** ICMP for IPv4: the types this reading gives a meaning to. */
export const Icmpv4Type = {
  ECHO_REPLY: 0,
  DESTINATION_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
} as const;

/** ICMPv6 types (RFC 4443, RFC 4861 for redirect). */
export const Icmpv6Type = {
  DESTINATION_UNREACHABLE: 1,
  PACKET_TOO_BIG: 2,
  TIME_EXCEEDED: 3,
  PARAMETER_PROBLEM: 4,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  REDIRECT: 137,
} as const;

/** Type, code and checksum, then the 4-byte type-specific field. */
export const ICMP_HEADER_LENGTH = 8;
/** IPv4 "fragmentation needed" (type 3 code 4, RFC 1191): the next-hop MTU in the low 16 bits. */
const FRAGMENTATION_NEEDED_CODE = 4;
/** ICMPv6 redirect: target address at +8, destination address at +24 (RFC 4861 §4.5). */
const IPV6_REDIRECT_TARGET_AT = 8;
const IPV6_REDIRECT_DESTINATION_AT = 24;

const IPV4_ERROR_TYPES: ReadonlySet<number> = new Set([
  Icmpv4Type.DESTINATION_UNREACHABLE,
  Icmpv4Type.SOURCE_QUENCH,
  Icmpv4Type.REDIRECT,
  Icmpv4Type.TIME_EXCEEDED,
  Icmpv4Type.PARAMETER_PROBLEM,
]);

export class IcmpMessage {
  /** 4 for ICMP, 6 for ICMPv6. */
  ipVersion: 4 | 6 = 4;
  type = -1;
  code = -1;
  /** The 32-bit field after the checksum (bytes 4–7), 0 when not captured. */
  restOfHeader = 0;
  /**
   * Where the quoted (offending) datagram starts for an error message, -1 for other messages. The quote
   * is cut short by design: at least its IP header and 8 bytes (RFC 792), more with RFC 1812/4443.
   */
  quotedOffset = -1;
  /** Next-hop MTU of IPv4 "fragmentation needed" or ICMPv6 "packet too big"; -1 otherwise. */
  mtu = -1;
  /** IPv4 redirect: the gateway address offset; ICMPv6 redirect: the target address offset; -1 otherwise. */
  gatewayOffset = -1;
  /** ICMPv6 redirect: the offset of the destination being redirected; -1 otherwise. */
  redirectDestinationOffset = -1;
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/** True for the types that report a problem with a datagram and quote it. */
export function isIcmpError(ipVersion: 4 | 6, type: number): boolean {
  return ipVersion === 4 ? IPV4_ERROR_TYPES.has(type) : type >= 0 && type < 128;
}

/**
 * Reads the ICMP message at `at` (an ICMPv6 one when `ipVersion` is 6), reading nothing at or past `end`.
 * False when fewer than the type and code bytes are there.
 */
export function readIcmpMessage(bytes: Uint8Array, at: number, end: number, ipVersion: 4 | 6, out: IcmpMessage): boolean {
  const limit = Math.min(end, bytes.length);
  out.ipVersion = ipVersion;
  out.type = out.code = -1;
  out.restOfHeader = 0;
  out.quotedOffset = out.mtu = out.gatewayOffset = out.redirectDestinationOffset = -1;
  if (at < 0 || at + 2 > limit) return false;
  out.type = bytes[at] ?? 0;
  out.code = bytes[at + 1] ?? 0;
  const headerCaptured = at + ICMP_HEADER_LENGTH <= limit;
  if (headerCaptured) out.restOfHeader = uint32(bytes, at + 4);
  if (ipVersion === 4) readIpv4Specifics(at, limit, headerCaptured, out);
  else readIpv6Specifics(at, limit, headerCaptured, out);
  return true;
}

function readIpv4Specifics(at: number, limit: number, headerCaptured: boolean, out: IcmpMessage): void {
  if (!IPV4_ERROR_TYPES.has(out.type)) return;
  if (at + ICMP_HEADER_LENGTH < limit) out.quotedOffset = at + ICMP_HEADER_LENGTH;
  if (!headerCaptured) return;
  if (out.type === Icmpv4Type.DESTINATION_UNREACHABLE && out.code === FRAGMENTATION_NEEDED_CODE) out.mtu = out.restOfHeader & 0xffff;
  if (out.type === Icmpv4Type.REDIRECT) out.gatewayOffset = at + 4;
}

function readIpv6Specifics(at: number, limit: number, headerCaptured: boolean, out: IcmpMessage): void {
  if (out.type === Icmpv6Type.REDIRECT) {
    if (at + IPV6_REDIRECT_DESTINATION_AT + 16 <= limit) {
      out.gatewayOffset = at + IPV6_REDIRECT_TARGET_AT;
      out.redirectDestinationOffset = at + IPV6_REDIRECT_DESTINATION_AT;
    }
    return;
  }
  if (!isIcmpError(6, out.type)) return;
  if (at + ICMP_HEADER_LENGTH < limit) out.quotedOffset = at + ICMP_HEADER_LENGTH;
  if (headerCaptured && out.type === Icmpv6Type.PACKET_TOO_BIG) out.mtu = out.restOfHeader;
}
