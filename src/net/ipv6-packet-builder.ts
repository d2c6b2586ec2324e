/**
 * Builds an IPv6 datagram around a payload: the fixed IPv6 header, then a TCP (20 bytes, no options) or
 * UDP header with a correct checksum over the RFC 8200 §8.1 pseudo-header, or the payload bare behind the
 * IPv6 header (any other protocol, or a payload that already starts with its own transport header). Everything is written into one reused buffer, so building a packet
 * allocates nothing once the buffer has grown to the largest packet seen.
 */
import { IPV6_HEADER } from './ip-header.js';
import { TCP_MIN_HEADER } from './tcp-header.js';
import { checksumOf, foldSum, onesComplementSum } from './internet-checksum.js';

export const UDP_HEADER = 8;
/** The IPv6 payload length field is 16 bits (jumbograms aside). */
const MAX_IPV6_PAYLOAD = 0xffff;
const HOP_LIMIT = 64;
const IP_PROTOCOL = { TCP: 6, UDP: 17 } as const;
/** TCP data offset 5 words (no options) in the high nibble. */
const TCP_DATA_OFFSET_NO_OPTIONS = (TCP_MIN_HEADER / 4) << 4;
const INITIAL_BUFFER_BYTES = 2048;

/** The transport facts of one datagram; TCP fields are ignored for other protocols. */
export interface TransportFields {
  /** IP protocol number, the IPv6 next header. */
  protocol: number;
  /** True: write no transport header, whatever the protocol (the payload brings its own, or has none). */
  bare: boolean;
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack: number;
  /** TcpFlags bits. */
  tcpFlags: number;
  window: number;
}

/** Bytes of transport header the builder writes. */
export function transportHeaderLength(transport: Pick<TransportFields, 'protocol' | 'bare'>): number {
  if (transport.bare) return 0;
  if (transport.protocol === IP_PROTOCOL.TCP) return TCP_MIN_HEADER;
  return transport.protocol === IP_PROTOCOL.UDP ? UDP_HEADER : 0;
}

/** The most payload one datagram can carry behind that transport header. */
export function maxPayloadLength(transport: Pick<TransportFields, 'protocol' | 'bare'>): number {
  return MAX_IPV6_PAYLOAD - transportHeaderLength(transport);
}

export class Ipv6PacketBuilder {
  private buffer = new Uint8Array(INITIAL_BUFFER_BYTES);

  /**
   * The datagram from `source` (16 bytes at `sourceAt`) to `destination` carrying payload bytes
   * [payloadStart, payloadEnd), at most maxPayloadLength(transport) of them (the rest is not written). The
   * result is a view into the builder's buffer, valid until the next build.
   */
  build(
    source: Uint8Array,
    sourceAt: number,
    destination: Uint8Array,
    destinationAt: number,
    transport: TransportFields,
    payload: Uint8Array,
    payloadStart: number,
    payloadEnd: number,
  ): Uint8Array {
    const headerLength = transportHeaderLength(transport);
    const payloadLength = Math.max(0, Math.min(payloadEnd - payloadStart, maxPayloadLength(transport)));
    const upperLength = headerLength + payloadLength;
    const out = this.room(IPV6_HEADER + upperLength);
    writeIpv6Header(out, upperLength, transport.protocol, source, sourceAt, destination, destinationAt);
    const transportAt = IPV6_HEADER;
    out.set(payload.subarray(payloadStart, payloadStart + payloadLength), transportAt + headerLength);
    if (headerLength === TCP_MIN_HEADER) writeTcpHeader(out, transportAt, transport);
    else if (headerLength === UDP_HEADER) writeUdpHeader(out, transportAt, transport, upperLength);
    if (headerLength > 0) {
      const sum = onesComplementSum(out, transportAt, transportAt + upperLength, pseudoHeaderSum(out, upperLength, transport.protocol));
      let checksum = checksumOf(sum);
      // UDP over IPv6 must carry a checksum; a computed 0 is sent as all ones (RFC 8200 §8.1).
      if (checksum === 0 && transport.protocol === IP_PROTOCOL.UDP) checksum = 0xffff;
      const checksumAt = transportAt + (headerLength === TCP_MIN_HEADER ? 16 : 6);
      out[checksumAt] = checksum >>> 8;
      out[checksumAt + 1] = checksum & 0xff;
    }
    return out.subarray(0, IPV6_HEADER + upperLength);
  }

  private room(bytes: number): Uint8Array {
    if (this.buffer.length < bytes) this.buffer = new Uint8Array(Math.max(bytes, this.buffer.length * 2));
    return this.buffer;
  }
}

function writeIpv6Header(
  out: Uint8Array,
  payloadLength: number,
  nextHeader: number,
  source: Uint8Array,
  sourceAt: number,
  destination: Uint8Array,
  destinationAt: number,
): void {
  out.fill(0, 0, 4); // version 6, traffic class 0, flow label 0
  out[0] = 0x60;
  out[4] = payloadLength >>> 8;
  out[5] = payloadLength & 0xff;
  out[6] = nextHeader;
  out[7] = HOP_LIMIT;
  out.set(source.subarray(sourceAt, sourceAt + 16), 8);
  out.set(destination.subarray(destinationAt, destinationAt + 16), 24);
}

/** Sum of the pseudo-header: both addresses (already in the IPv6 header), upper-layer length, next header. */
function pseudoHeaderSum(out: Uint8Array, upperLength: number, protocol: number): number {
  const addresses = onesComplementSum(out, 8, IPV6_HEADER);
  return foldSum(addresses + (upperLength >>> 16) + (upperLength & 0xffff) + protocol);
}

function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 8) & 0xff;
  out[at + 1] = value & 0xff;
}

function put32(out: Uint8Array, at: number, value: number): void {
  put16(out, at, value >>> 16);
  put16(out, at + 2, value & 0xffff);
}

function writeTcpHeader(out: Uint8Array, at: number, t: TransportFields): void {
  put16(out, at, t.sourcePort);
  put16(out, at + 2, t.destinationPort);
  put32(out, at + 4, t.seq >>> 0);
  put32(out, at + 8, t.ack >>> 0);
  out[at + 12] = TCP_DATA_OFFSET_NO_OPTIONS | ((t.tcpFlags >>> 8) & 0x01);
  out[at + 13] = t.tcpFlags & 0xff;
  put16(out, at + 14, t.window);
  put16(out, at + 16, 0); // checksum, filled in once the segment is complete
  put16(out, at + 18, 0); // urgent pointer
}

function writeUdpHeader(out: Uint8Array, at: number, t: TransportFields, length: number): void {
  put16(out, at, t.sourcePort);
  put16(out, at + 2, t.destinationPort);
  put16(out, at + 4, length);
  put16(out, at + 6, 0);
}
