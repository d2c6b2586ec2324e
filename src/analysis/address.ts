/**
 * Addresses as the detectors hold them (32-bit words) turned into map keys and display text. An IPv4
 * address keys as its number, so per-packet lookups build no string; IPv6 keys as a short hex string.
 */
import { formatIpv4, formatIpv6 } from '../net/ip-header.js';
import type { TrackedConnection } from './connection-table.js';

/** A packet's addresses as big-endian words (IPv4: word 0 only), as PacketLayers and TcpPacketView hold them. */
export interface AddressWords {
  ipVersion: number;
  source0: number;
  source1: number;
  source2: number;
  source3: number;
  destination0: number;
  destination1: number;
  destination2: number;
  destination3: number;
}

export type HostKey = number | string;

const scratch = new Uint8Array(16);
const scratchView = new DataView(scratch.buffer);

export function addressText(version: number, w0: number, w1: number, w2: number, w3: number): string {
  scratchView.setUint32(0, w0 >>> 0);
  if (version !== 6) return formatIpv4(scratch, 0);
  scratchView.setUint32(4, w1 >>> 0);
  scratchView.setUint32(8, w2 >>> 0);
  scratchView.setUint32(12, w3 >>> 0);
  return formatIpv6(scratch, 0);
}

/**
 * An IPv4 address keys as its word read as a signed 32-bit integer: V8 keeps that as a small integer, where
 * an unsigned value from 128.0.0.0 up would be a heap number allocated on every packet.
 */
export function hostKey(version: number, w0: number, w1: number, w2: number, w3: number): HostKey {
  return version === 6 ? `${(w0 >>> 0).toString(16)}:${(w1 >>> 0).toString(16)}:${(w2 >>> 0).toString(16)}:${(w3 >>> 0).toString(16)}` : w0 | 0;
}

/** The address a host key stands for, as text. */
export function hostKeyText(key: HostKey): string {
  if (typeof key === 'number') return addressText(4, key, 0, 0, 0);
  const [w0, w1, w2, w3] = key.split(':').map((word) => parseInt(word, 16));
  return addressText(6, w0 ?? 0, w1 ?? 0, w2 ?? 0, w3 ?? 0);
}

export function sourceKey(d: AddressWords): HostKey {
  return hostKey(d.ipVersion, d.source0, d.source1, d.source2, d.source3);
}

export function destinationKey(d: AddressWords): HostKey {
  return hostKey(d.ipVersion, d.destination0, d.destination1, d.destination2, d.destination3);
}

export function sourceText(d: AddressWords): string {
  return addressText(d.ipVersion, d.source0, d.source1, d.source2, d.source3);
}

export function destinationText(d: AddressWords): string {
  return addressText(d.ipVersion, d.destination0, d.destination1, d.destination2, d.destination3);
}

/** "10.1.1.1:21", "[2001:db8::1]:21"; the bare address when there is no port. */
export function endpointText(address: string, port: number): string {
  if (port < 0) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function sameSourceAndDestination(d: AddressWords): boolean {
  return d.source0 === d.destination0 && d.source1 === d.destination1 && d.source2 === d.destination2 && d.source3 === d.destination3;
}

/** The address of side A (its first sender; for TCP the originator when its SYN was seen) or B of a connection. */
export function connectionHost(c: TrackedConnection, sideA: boolean): string {
  return sideA ? addressText(c.ipVersion, c.a0, c.a1, c.a2, c.a3) : addressText(c.ipVersion, c.b0, c.b1, c.b2, c.b3);
}

export function connectionHostKey(c: TrackedConnection, sideA: boolean): HostKey {
  return sideA ? hostKey(c.ipVersion, c.a0, c.a1, c.a2, c.a3) : hostKey(c.ipVersion, c.b0, c.b1, c.b2, c.b3);
}

/** "10.1.1.1:21": the address and port of side A or B. */
export function connectionEndpoint(c: TrackedConnection, sideA: boolean): string {
  return endpointText(connectionHost(c, sideA), sideA ? c.portA : c.portB);
}

/** The two endpoints of a connection as text: A and B. */
export function connectionEndpoints(c: TrackedConnection): { a: string; b: string } {
  return { a: connectionEndpoint(c, true), b: connectionEndpoint(c, false) };
}

/** "10.0.52.164:2550 → 61.8.0.17:80", A first. */
export function connectionText(c: TrackedConnection): string {
  const { a, b } = connectionEndpoints(c);
  return `${a} → ${b}`;
}
