/**
 * Just enough BER (X.690) to label an SNMP message (RFC 1157, RFC 3416, RFC 3412): the version, the
 * community string of v1/v2c, and the PDU type. Bounds-checked; lengths that do not fit give null.
 */

import { isDefaultSnmpCommunity } from './application-tables.js';

export const SnmpPort = { AGENT: 161, TRAP: 162 } as const;

const Tag = { SEQUENCE: 0x30, INTEGER: 0x02, OCTET_STRING: 0x04 } as const;
/** Context-specific constructed tags of the PDUs: 0xA0 GetRequest .. 0xA8 Report. */
const PDU_TAGS = { first: 0xa0, last: 0xa8 } as const;
/** SNMPv3 carries no community. */
const VERSION_3 = 3;
/** A community longer than this is shown cut. */
const MAX_COMMUNITY = 64;

export interface SnmpMessage {
  /** 0 = v1, 1 = v2c, 3 = v3. */
  version: number;
  /** The community (v1/v2c), or null for v3. */
  community: string | null;
  /** The PDU tag (0xA0..0xA8), or -1 when not reached (v3, or cut short). */
  pduTag: number;
}

interface Element {
  tag: number;
  /** Where the element's value starts and ends. */
  start: number;
  end: number;
}

/** The BER element at `at`: tag, then a short or long (up to 4 bytes) definite length. */
function readElement(bytes: Uint8Array, at: number, limit: number): Element | null {
  if (at + 2 > limit) return null;
  const tag = bytes[at] ?? 0;
  let length = bytes[at + 1] ?? 0;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) return null;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += octets;
  }
  return { tag, start, end: start + length };
}

/** The message at `at`, or null when it is not a well-formed SNMP message. */
export function readSnmpMessage(bytes: Uint8Array, at: number, end: number): SnmpMessage | null {
  const limit = Math.min(end, bytes.length);
  const message = readElement(bytes, at, limit);
  if (message === null || message.tag !== Tag.SEQUENCE) return null;
  const inner = Math.min(message.end, limit);
  const version = readElement(bytes, message.start, inner);
  if (version === null || version.tag !== Tag.INTEGER || version.end - version.start !== 1 || version.end > inner) return null;
  const number = bytes[version.start] ?? 0;
  if (number === VERSION_3) return { version: number, community: null, pduTag: -1 };
  if (number > 1) return null;
  const community = readElement(bytes, version.end, inner);
  if (community === null || community.tag !== Tag.OCTET_STRING || community.end > inner) return null;
  let text = '';
  for (let i = community.start; i < Math.min(community.end, community.start + MAX_COMMUNITY); i++) {
    const byte = bytes[i] ?? 0;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  }
  const pdu = readElement(bytes, community.end, inner);
  const pduTag = pdu !== null && pdu.tag >= PDU_TAGS.first && pdu.tag <= PDU_TAGS.last ? pdu.tag : -1;
  return { version: number, community: text, pduTag };
}

export function isSnmpPort(sourcePort: number, destinationPort: number): boolean {
  const snmp = (port: number): boolean => port === SnmpPort.AGENT || port === SnmpPort.TRAP;
  return snmp(sourcePort) || snmp(destinationPort);
}

/** How a community appears in the report: a default by name, anything else masked (it is a password). */
export function communityText(community: string): string {
  return isDefaultSnmpCommunity(community) ? community : `(${community.length} characters, not shown)`;
}
