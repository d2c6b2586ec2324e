/**
 * A bounds-checked view of a TCP header (RFC 9293 §3.1) and the options the analysis needs: MSS, window
 * scale, SACK-permitted, SACK blocks and timestamps. Readers fill caller-owned objects, so a per-packet
 * loop allocates nothing; a byte the capture does not hold is never read.
 */

export const TCP_MIN_HEADER = 20;

/** Bits of the 12-bit flags field (byte 12 low nibble + byte 13). */
export const TcpFlags = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** Accurate ECN (formerly NS, RFC 3540). */
  AE: 0x100,
} as const;

/** Option kinds read here (IANA "TCP Option Kind Numbers"), with the only length each may have. */
const Option = {
  END: 0,
  NOP: 1,
  MSS: { kind: 2, length: 4 },
  WINDOW_SCALE: { kind: 3, length: 3 },
  SACK_PERMITTED: { kind: 4, length: 2 },
  SACK: { kind: 5 },
  TIMESTAMP: { kind: 8, length: 10 },
} as const;

/** RFC 7323 §2.3: a larger shift is treated as 14. */
export const MAX_WINDOW_SCALE = 14;
/** At most 4 SACK blocks fit in 40 option bytes (RFC 2018 §3). */
const MAX_SACK_BLOCKS = 4;

/** The fixed header, filled in place by readTcpHeader. */
export class TcpHeader {
  sourcePort = 0;
  destinationPort = 0;
  /** Sequence and acknowledgment numbers as unsigned 32-bit values. */
  seq = 0;
  ack = 0;
  /** Data offset × 4, as the header states it (may be below 20 in a damaged packet). */
  headerLength = 0;
  /** TcpFlags bits (the 3 reserved bits above them are kept too). */
  flags = 0;
  /** The window field as sent, before any scaling. */
  window = 0;
  checksum = 0;
  urgentPointer = 0;
}

/** Options of one segment, filled in place by readTcpOptions; -1 / false / 0 when absent. */
export class TcpOptions {
  mss = -1;
  /** Shift count as sent (may exceed MAX_WINDOW_SCALE; users cap it). */
  windowScale = -1;
  sackPermitted = false;
  sackBlockCount = 0;
  /** Left and right edges of the SACK blocks: [left0, right0, left1, right1, ...]. */
  readonly sackEdges = new Uint32Array(2 * MAX_SACK_BLOCKS);
  hasTimestamp = false;
  timestampValue = 0;
  timestampEcho = 0;
  /** An option length was impossible (below 2, past the header, or wrong for its kind). */
  malformed = false;
  /** The capture ends inside the options: what follows the cut is unknown. */
  truncated = false;

  clear(): void {
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.sackBlockCount = 0;
    this.hasTimestamp = false;
    this.timestampValue = 0;
    this.timestampEcho = 0;
    this.malformed = false;
    this.truncated = false;
  }
}

/** Sets a damage flag and ends the options walk (a helper so each stop reads as one line). */
function mark(out: TcpOptions, damage: 'malformed' | 'truncated'): void {
  out[damage] = true;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/**
 * Reads the fixed 20-byte header at `start`. False (and `out` untouched) when fewer than 20 bytes lie
 * before `end` (or the end of `bytes`).
 */
export function readTcpHeader(bytes: Uint8Array, start: number, end: number, out: TcpHeader): boolean {
  const limit = Math.min(end, bytes.length);
  if (start < 0 || start + TCP_MIN_HEADER > limit) return false;
  out.sourcePort = uint16(bytes, start);
  out.destinationPort = uint16(bytes, start + 2);
  out.seq = uint32(bytes, start + 4);
  out.ack = uint32(bytes, start + 8);
  out.headerLength = ((bytes[start + 12] ?? 0) >> 4) * 4;
  out.flags = uint16(bytes, start + 12) & 0x0fff;
  out.window = uint16(bytes, start + 14);
  out.checksum = uint16(bytes, start + 16);
  out.urgentPointer = uint16(bytes, start + 18);
  return true;
}

/**
 * Reads the options of the header at `tcpStart` whose length is `headerLength`, stopping at the end
 * option, at the first impossible length, or where the capture (`end`) stops.
 */
export function readTcpOptions(bytes: Uint8Array, tcpStart: number, headerLength: number, end: number, out: TcpOptions): void {
  out.clear();
  const optionsEnd = tcpStart + headerLength;
  const limit = Math.min(end, bytes.length);
  let at = tcpStart + TCP_MIN_HEADER;
  while (at < optionsEnd) {
    if (at >= limit) return mark(out, 'truncated');
    const kind = bytes[at] ?? 0;
    if (kind === Option.END) return;
    if (kind === Option.NOP) {
      at += 1;
      continue;
    }
    if (at + 1 >= limit) return mark(out, 'truncated');
    const length = bytes[at + 1] ?? 0;
    if (length < 2 || at + length > optionsEnd) return mark(out, 'malformed');
    if (at + length > limit) return mark(out, 'truncated');
    readOption(bytes, at, kind, length, out);
    at += length;
  }
}

/** One option whose bytes are all present. A wrong length marks the options malformed and is skipped. */
function readOption(bytes: Uint8Array, at: number, kind: number, length: number, out: TcpOptions): void {
  if (kind === Option.MSS.kind) {
    if (length === Option.MSS.length) out.mss = uint16(bytes, at + 2);
    else out.malformed = true;
  } else if (kind === Option.WINDOW_SCALE.kind) {
    if (length === Option.WINDOW_SCALE.length) out.windowScale = bytes[at + 2] ?? 0;
    else out.malformed = true;
  } else if (kind === Option.SACK_PERMITTED.kind) {
    if (length === Option.SACK_PERMITTED.length) out.sackPermitted = true;
    else out.malformed = true;
  } else if (kind === Option.TIMESTAMP.kind) {
    if (length !== Option.TIMESTAMP.length) return mark(out, 'malformed');
    out.hasTimestamp = true;
    out.timestampValue = uint32(bytes, at + 2);
    out.timestampEcho = uint32(bytes, at + 6);
  } else if (kind === Option.SACK.kind) {
    readSackBlocks(bytes, at, length, out);
  }
}

function readSackBlocks(bytes: Uint8Array, at: number, length: number, out: TcpOptions): void {
  if ((length - 2) % 8 !== 0) out.malformed = true;
  const blocks = Math.min(Math.floor((length - 2) / 8), MAX_SACK_BLOCKS);
  for (let i = 0; i < blocks; i++) {
    out.sackEdges[2 * i] = uint32(bytes, at + 2 + 8 * i);
    out.sackEdges[2 * i + 1] = uint32(bytes, at + 6 + 8 * i);
  }
  out.sackBlockCount = blocks;
}
