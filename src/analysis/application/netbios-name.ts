/**
 * NetBIOS name service messages (RFC 1002 §4.2, UDP 137), read just far enough to label them: request or
 * response, opcode, broadcast flag and the first-level-decoded name with its 16th-byte suffix.
 */
import { DnsHeader, readDnsHeader } from './dns-message.js';

export const NETBIOS_NAME_PORT = 137;
/** A first-level encoded NetBIOS name: 16 bytes as 32 letters 'A'..'P' (RFC 1001 §14.1). */
const ENCODED_NAME_LENGTH = 32;
const BROADCAST_FLAG = 0x0010;

export interface NetbiosNameMessage {
  response: boolean;
  opcode: number;
  broadcast: boolean;
  /** "WORKGROUP<1d>", or null when the question is not readable. */
  name: string | null;
}

const header = new DnsHeader();

/** The message at `at`, or null when its header is not all there. */
export function readNetbiosNameMessage(bytes: Uint8Array, at: number, end: number): NetbiosNameMessage | null {
  if (!readDnsHeader(bytes, at, end, header)) return null;
  const questionAt = at + 12;
  const entries = header.questions > 0 ? header.questions : header.answers;
  return {
    response: header.isResponse,
    opcode: header.opcode,
    broadcast: (header.flags & BROADCAST_FLAG) !== 0,
    name: entries > 0 ? decodeName(bytes, questionAt, Math.min(end, bytes.length)) : null,
  };
}

/** Pairs of letters 'A'+high nibble, 'A'+low nibble; the 16th byte is the service suffix. */
function decodeName(bytes: Uint8Array, at: number, limit: number): string | null {
  if ((bytes[at] ?? 0) !== ENCODED_NAME_LENGTH || at + 1 + ENCODED_NAME_LENGTH > limit) return null;
  let name = '';
  let suffix = 0;
  for (let i = 0; i < 16; i++) {
    const high = (bytes[at + 1 + 2 * i] ?? 0) - 0x41;
    const low = (bytes[at + 2 + 2 * i] ?? 0) - 0x41;
    if (high < 0 || high > 15 || low < 0 || low > 15) return null;
    const byte = (high << 4) | low;
    if (i === 15) suffix = byte;
    else name += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return `${name.trimEnd()}<${suffix.toString(16).padStart(2, '0')}>`;
}
