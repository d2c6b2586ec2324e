/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit big-endian
 * words. Sums run over byte ranges of an existing buffer and can be chained (pseudo-header, then header,
 * then payload), so a caller building a packet allocates nothing.
 */

/**
 * Adds the 16-bit words of bytes [start, end) to `sum` (an odd last byte counts as its word's high byte)
 * and returns the folded sum, 0..0xffff. Chained ranges must each start on an even offset of the datagram
 * they belong to; every range but the last must have an even length.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let total = sum;
  let at = start;
  for (; at + 1 < end; at += 2) {
    total += ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
    // Fold now and then so the total stays an exact small integer however long the range.
    if (total > 0x7fff_ffff) total = (total & 0xffff) + (total >>> 16);
  }
  if (at < end) total += (bytes[at] ?? 0) << 8;
  return foldSum(total);
}

/** A non-negative integer sum of 16-bit words (below 2^52) folded to 0..0xffff with end-around carry. */
export function foldSum(total: number): number {
  let folded = total;
  while (folded > 0xffff) folded = (folded % 0x10000) + Math.floor(folded / 0x10000);
  return folded;
}

/** The checksum field value for a folded sum (the sum of everything with the field itself zero). */
export function checksumOf(sum: number): number {
  return ~sum & 0xffff;
}

/** True when bytes [start, end), checksum field included, verify (sum to 0xffff). */
export function checksumVerifies(bytes: Uint8Array, start: number, end: number, sum = 0): boolean {
  return onesComplementSum(bytes, start, end, sum) === 0xffff;
}
