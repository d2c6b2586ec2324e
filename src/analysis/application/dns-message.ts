/**
 * A bounds-checked reading of a DNS message (RFC 1035 §4.1): the 12-byte header with its flags, and the
 * first question's name and type, following compression pointers a bounded number of times. The header
 * is filled in place; only the name allocates, and only for messages an analyzer keeps.
 */

export const DNS_PORT = 53;
export const DNS_HEADER_LENGTH = 12;
/** RFC 1035 §2.3.4: a name is at most 255 bytes on the wire. */
const MAX_NAME_BYTES = 255;
/** More jumps than labels a name can hold means a pointer loop. */
const MAX_POINTER_JUMPS = 127;
const POINTER_MASK = 0xc0;

const Flag = { RESPONSE: 0x8000, AUTHORITATIVE: 0x0400, TRUNCATED: 0x0200, RECURSION_DESIRED: 0x0100, RECURSION_AVAILABLE: 0x0080 } as const;

export class DnsHeader {
  id = 0;
  flags = 0;
  questions = 0;
  answers = 0;
  authorities = 0;
  additionals = 0;

  get isResponse(): boolean {
    return (this.flags & Flag.RESPONSE) !== 0;
  }

  get opcode(): number {
    return (this.flags >> 11) & 0x0f;
  }

  get authoritative(): boolean {
    return (this.flags & Flag.AUTHORITATIVE) !== 0;
  }

  get truncated(): boolean {
    return (this.flags & Flag.TRUNCATED) !== 0;
  }

  get recursionDesired(): boolean {
    return (this.flags & Flag.RECURSION_DESIRED) !== 0;
  }

  get recursionAvailable(): boolean {
    return (this.flags & Flag.RECURSION_AVAILABLE) !== 0;
  }

  get rcode(): number {
    return this.flags & 0x000f;
  }
}

export interface DnsQuestion {
  /** Labels joined by dots, no trailing dot; "<Root>" for the root. */
  name: string;
  type: number;
  /** Offset just past the question. */
  end: number;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** Reads the header of the message at `at`; false when its 12 bytes are not all before `end`. */
export function readDnsHeader(bytes: Uint8Array, at: number, end: number, out: DnsHeader): boolean {
  if (at < 0 || at + DNS_HEADER_LENGTH > Math.min(end, bytes.length)) return false;
  out.id = uint16(bytes, at);
  out.flags = uint16(bytes, at + 2);
  out.questions = uint16(bytes, at + 4);
  out.answers = uint16(bytes, at + 6);
  out.authorities = uint16(bytes, at + 8);
  out.additionals = uint16(bytes, at + 10);
  return true;
}

/** A label's byte as text: printable ASCII as is, others as \DDD (the master-file escape of RFC 1035 §5.1). */
function labelChar(byte: number): string {
  if (byte > 0x20 && byte < 0x7f && byte !== 0x2e && byte !== 0x5c) return String.fromCharCode(byte);
  return `\\${String(byte).padStart(3, '0')}`;
}

/**
 * The name at `at` in the message starting at `messageStart`: its text and the offset after it (after
 * the first pointer, if any). Null when it runs past `end`, loops, or exceeds 255 bytes.
 */
export function readDnsName(bytes: Uint8Array, messageStart: number, at: number, end: number): { name: string; next: number } | null {
  const limit = Math.min(end, bytes.length);
  const labels: string[] = [];
  let cursor = at;
  let next = -1;
  let nameBytes = 0;
  for (let jumps = 0; ; ) {
    if (cursor >= limit) return null;
    const length = bytes[cursor] ?? 0;
    if (length === 0) {
      if (next < 0) next = cursor + 1;
      break;
    }
    if ((length & POINTER_MASK) === POINTER_MASK) {
      if (cursor + 2 > limit || ++jumps > MAX_POINTER_JUMPS) return null;
      if (next < 0) next = cursor + 2;
      cursor = messageStart + (uint16(bytes, cursor) & 0x3fff);
      continue;
    }
    if ((length & POINTER_MASK) !== 0 || cursor + 1 + length > limit) return null; // reserved label types
    nameBytes += length + 1;
    if (nameBytes > MAX_NAME_BYTES) return null;
    let label = '';
    for (let i = cursor + 1; i <= cursor + length; i++) label += labelChar(bytes[i] ?? 0);
    labels.push(label);
    cursor += length + 1;
  }
  return { name: labels.length === 0 ? '<Root>' : labels.join('.'), next };
}

/** The first question of the message at `at` (its header already read as having one), or null. */
export function readFirstQuestion(bytes: Uint8Array, at: number, end: number): DnsQuestion | null {
  const name = readDnsName(bytes, at, at + DNS_HEADER_LENGTH, end);
  if (name === null || name.next + 4 > Math.min(end, bytes.length)) return null;
  return { name: name.name, type: uint16(bytes, name.next), end: name.next + 4 };
}

/**
 * Where a DNS message starts in a TCP segment's payload (RFC 1035 §4.2.2: after a 2-byte length), or -1
 * when the payload does not begin one: too short, or a length below a header.
 */
export function tcpDnsMessageStart(bytes: Uint8Array, payloadStart: number, payloadEnd: number): number {
  if (payloadStart + 2 + DNS_HEADER_LENGTH > Math.min(payloadEnd, bytes.length)) return -1;
  return uint16(bytes, payloadStart) >= DNS_HEADER_LENGTH ? payloadStart + 2 : -1;
}
