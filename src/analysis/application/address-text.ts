/**
 * Addresses the application decoders find inside messages (DHCP, ICMP redirects, DNS answers), and
 * hardware addresses, as the report writes them. The packet's own addresses are address.ts's.
 */
import { formatIpv4, formatIpv6 } from '../../net/ip-header.js';

/** The address of `length` bytes (4 or 16) at `at`. */
export function addressAt(bytes: Uint8Array, at: number, length: number): string {
  return length === 16 ? formatIpv6(bytes, at) : formatIpv4(bytes, at);
}

/** "00:1b:9e:70:10:42" for the `length` bytes at `at`. */
export function hardwareAddressText(bytes: Uint8Array, at: number, length: number): string {
  const parts: string[] = [];
  for (let i = 0; i < length && at + i < bytes.length; i++) parts.push((bytes[at + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}
