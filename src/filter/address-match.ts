/**
 * Address filters: `10.1.0.0/16`, `10.1.0.0/255.255.0.0`, `2001:db8::/32` or a single address, parsed
 * once into network bytes and a mask, then compared with the address bytes inside a frame without
 * allocating. An IPv4 network matches IPv4 packets and an IPv6 network IPv6 packets, as Wireshark's
 * `ip.addr` and `ipv6.addr` do.
 */
import { ZctraceError } from '../errors.js';
import { formatIpv4, formatIpv6 } from '../net/ip-header.js';

export interface AddressNetwork {
  /** 4 or 16 bytes. */
  readonly length: 4 | 16;
  /** The network address, already masked. */
  readonly network: Uint8Array;
  readonly mask: Uint8Array;
  /** Canonical text, e.g. 10.1.0.0/16. */
  readonly text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function badAddress(text: string, why: string): ZctraceError {
  return new ZctraceError('USAGE', `--ip ${text}: ${why}`);
}

/** The 4 bytes of a dotted quad, or null. */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = IPV4.exec(text);
  if (parts === null) return null;
  const bytes = parts.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? Uint8Array.from(bytes) : null;
}

/** Groups of one side of "::" (an IPv4 tail allowed at the very end), or null. */
function ipv6Groups(side: string, ipv4TailAllowed: boolean): number[] | null {
  if (side === '') return [];
  const parts = side.split(':');
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (ipv4TailAllowed && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

/** The 16 bytes of an IPv6 address in RFC 4291 §2.2 text form (with "::" and a dotted IPv4 tail), or null. */
export function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = ipv6Groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1] ?? '', true) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** An address in either family, or null. */
export function parseIpAddress(text: string): Uint8Array | null {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function prefixMask(length: 4 | 16, bits: number): Uint8Array {
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) mask[i] = bits >= 8 * (i + 1) ? 0xff : bits <= 8 * i ? 0 : (0xff << (8 - (bits - 8 * i))) & 0xff;
  return mask;
}

/** Leading one bits of a mask, or -1 when its ones are not contiguous (255.0.255.0). */
function prefixLength(mask: Uint8Array): number {
  let bits = 0;
  while (bits < mask.length * 8 && ((mask[bits >> 3] ?? 0) & (0x80 >> (bits & 7))) !== 0) bits++;
  for (let rest = bits; rest < mask.length * 8; rest++) if (((mask[rest >> 3] ?? 0) & (0x80 >> (rest & 7))) !== 0) return -1;
  return bits;
}

function formatNetwork(network: Uint8Array, bits: number): string {
  return `${network.length === 4 ? formatIpv4(network, 0) : formatIpv6(network, 0)}/${bits}`;
}

/** `ADDR`, `ADDR/BITS` or (IPv4) `ADDR/DOTTED-MASK`; a USAGE error names what is wrong. */
export function parseAddressNetwork(text: string): AddressNetwork {
  const [addressText = '', maskText, extra] = text.trim().split('/');
  if (extra !== undefined) throw badAddress(text, 'more than one "/"');
  const address = parseIpAddress(addressText);
  if (address === null) throw badAddress(text, `"${addressText}" is not an IPv4 or IPv6 address`);
  const length = address.length === 4 ? 4 : 16;
  let mask: Uint8Array;
  if (maskText === undefined) {
    mask = prefixMask(length, length * 8);
  } else if (/^\d{1,3}$/.test(maskText) && Number(maskText) <= length * 8) {
    mask = prefixMask(length, Number(maskText));
  } else {
    const dotted = length === 4 ? parseIpv4(maskText) : null;
    if (dotted === null || prefixLength(dotted) < 0) {
      throw badAddress(text, `mask "${maskText}" is neither a prefix length 0..${length * 8}${length === 4 ? ' nor a dotted mask like 255.255.255.0' : ''}`);
    }
    mask = dotted;
  }
  const network = address.map((byte, i) => byte & (mask[i] ?? 0));
  return { length, network, mask, text: formatNetwork(network, prefixLength(mask)) };
}

/** True when the `network.length` bytes at `at` lie in the network. */
export function addressInNetwork(bytes: Uint8Array, at: number, network: AddressNetwork): boolean {
  if (at < 0 || at + network.length > bytes.length) return false;
  for (let i = 0; i < network.length; i++) {
    if (((bytes[at + i] ?? 0) & (network.mask[i] ?? 0)) !== network.network[i]) return false;
  }
  return true;
}
