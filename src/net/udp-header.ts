/**
 * A bounds-checked reading of a UDP header (RFC 768) and where its payload lies. The payload ends at the
 * smaller of the UDP length and the IP datagram's end, so Ethernet padding is never read as payload.
 * Filled in place: the per-packet path allocates nothing.
 */

export const UDP_HEADER_LENGTH = 8;

export class UdpHeader {
  sourcePort = 0;
  destinationPort = 0;
  /** The length field: header + payload. */
  length = 0;
  payloadOffset = 0;
  /** End of the payload bytes present (never past the capture). */
  payloadEnd = 0;
  /** Payload bytes on the wire per the lengths, captured or not. */
  payloadLength = 0;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/**
 * Reads the UDP header at `at` of a datagram whose transport part ends at `datagramEnd` on the wire.
 * False when the 8 header bytes are not all captured or the length field is below the header.
 */
export function readUdpHeader(bytes: Uint8Array, at: number, datagramEnd: number, out: UdpHeader): boolean {
  if (at < 0 || at + UDP_HEADER_LENGTH > bytes.length) return false;
  const length = uint16(bytes, at + 4);
  if (length < UDP_HEADER_LENGTH) return false;
  out.sourcePort = uint16(bytes, at);
  out.destinationPort = uint16(bytes, at + 2);
  out.length = length;
  out.payloadOffset = at + UDP_HEADER_LENGTH;
  const wireEnd = Math.min(at + length, datagramEnd);
  out.payloadLength = Math.max(0, wireEnd - out.payloadOffset);
  out.payloadEnd = Math.max(out.payloadOffset, Math.min(wireEnd, bytes.length));
  return true;
}
