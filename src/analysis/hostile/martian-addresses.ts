/**
 * Addresses that must never appear on the wire in the given role (exception-catalog IP-08, RFC 6890's
 * special-purpose registries): a loopback, multicast, reserved or broadcast source, a class E destination.
 * Private (RFC 1918) addresses are normal inside an enterprise and are not listed.
 */

interface Ipv4Range {
  /** Network address as a 32-bit number and the prefix length. */
  network: number;
  bits: number;
  reason: string;
}

const V4_MARTIAN_SOURCES: readonly Ipv4Range[] = [
  { network: 0x00000000, bits: 8, reason: '"this network" (0.0.0.0/8) as a source' },
  { network: 0x7f000000, bits: 8, reason: 'loopback (127.0.0.0/8) on a real interface' },
  { network: 0xe0000000, bits: 4, reason: 'multicast (224.0.0.0/4) as a source' },
  { network: 0xf0000000, bits: 4, reason: 'reserved class E (240.0.0.0/4) or broadcast as a source' },
];

const V4_MARTIAN_DESTINATIONS: readonly Ipv4Range[] = [
  { network: 0x00000000, bits: 8, reason: '"this network" (0.0.0.0/8) as a destination' },
  { network: 0xf0000000, bits: 4, reason: 'reserved class E (240.0.0.0/4) as a destination' },
];

const LIMITED_BROADCAST = 0xffffffff;

function inRange(address: number, range: Ipv4Range): boolean {
  const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
  return ((address & mask) >>> 0) === range.network;
}

/** Why an IPv4 source is impossible, or null. */
export function martianIpv4Source(address: number): string | null {
  return V4_MARTIAN_SOURCES.find((range) => inRange(address >>> 0, range))?.reason ?? null;
}

/** Why an IPv4 destination is impossible, or null (the limited broadcast 255.255.255.255 is fine). */
export function martianIpv4Destination(address: number): string | null {
  if (address >>> 0 === LIMITED_BROADCAST) return null;
  return V4_MARTIAN_DESTINATIONS.find((range) => inRange(address >>> 0, range))?.reason ?? null;
}

export function isIpv4Loopback(address: number): boolean {
  return address >>> 24 === 127;
}

/** Why an IPv6 source is impossible, or null: multicast (ff00::/8) or loopback (::1) on the wire. */
export function martianIpv6Source(w0: number, w1: number, w2: number, w3: number): string | null {
  if (w0 >>> 24 === 0xff) return 'multicast (ff00::/8) as a source';
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 1) return 'loopback (::1) on a real interface';
  return null;
}
