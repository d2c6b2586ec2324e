/**
 * A bounds-checked reading of a DHCP message (RFC 2131 §2, options RFC 2132): the fixed BOOTP fields and
 * the options an analyst needs — message type (53), requested address (50), server identifier (54).
 * Filled in place; addresses stay in the packet as offsets until a finding needs their text.
 */

export const DhcpPort = { SERVER: 67, CLIENT: 68 } as const;

/** op field: BOOTREQUEST from a client, BOOTREPLY from a server (RFC 951). */
export const BootpOp = { REQUEST: 1, REPLY: 2 } as const;

export const DhcpMessageType = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 } as const;

/** The fixed fields end at 236; the magic cookie 99.130.83.99 follows, then the options. */
const FIXED_LENGTH = 236;
const MAGIC_COOKIE = 0x63825363;
const OPTIONS_START = FIXED_LENGTH + 4;
const Option = { PAD: 0, MESSAGE_TYPE: 53, REQUESTED_ADDRESS: 50, SERVER_IDENTIFIER: 54, END: 255 } as const;
const CHADDR_AT = 28;
const MAX_CHADDR = 16;

export class DhcpMessage {
  op = 0;
  hardwareType = 0;
  hardwareLength = 0;
  xid = 0;
  secs = 0;
  flags = 0;
  /** Offsets (into the packet) of ciaddr, yiaddr, siaddr, giaddr and chaddr. */
  clientAddressAt = 0;
  yourAddressAt = 0;
  serverAddressAt = 0;
  relayAddressAt = 0;
  hardwareAddressAt = 0;
  /** Option 53, or -1 for plain BOOTP. */
  messageType = -1;
  /** Offsets of options 50 and 54 (4-byte addresses), -1 when absent. */
  requestedAddressAt = -1;
  serverIdentifierAt = -1;
}

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/**
 * Reads the message at `at`. False when the fixed part or the magic cookie is not all there, or the
 * cookie is wrong (then it is not DHCP). Options are read as far as they are complete.
 */
export function readDhcpMessage(bytes: Uint8Array, at: number, end: number, out: DhcpMessage): boolean {
  const limit = Math.min(end, bytes.length);
  if (at < 0 || at + OPTIONS_START > limit || uint32(bytes, at + FIXED_LENGTH) !== MAGIC_COOKIE) return false;
  out.op = bytes[at] ?? 0;
  out.hardwareType = bytes[at + 1] ?? 0;
  out.hardwareLength = Math.min(bytes[at + 2] ?? 0, MAX_CHADDR);
  out.xid = uint32(bytes, at + 4);
  out.secs = uint16(bytes, at + 8);
  out.flags = uint16(bytes, at + 10);
  out.clientAddressAt = at + 12;
  out.yourAddressAt = at + 16;
  out.serverAddressAt = at + 20;
  out.relayAddressAt = at + 24;
  out.hardwareAddressAt = at + CHADDR_AT;
  out.messageType = out.requestedAddressAt = out.serverIdentifierAt = -1;
  readOptions(bytes, at + OPTIONS_START, limit, out);
  return true;
}

function readOptions(bytes: Uint8Array, start: number, limit: number, out: DhcpMessage): void {
  let cursor = start;
  while (cursor < limit) {
    const code = bytes[cursor] ?? 0;
    if (code === Option.END) return;
    if (code === Option.PAD) {
      cursor++;
      continue;
    }
    if (cursor + 2 > limit) return;
    const length = bytes[cursor + 1] ?? 0;
    const value = cursor + 2;
    if (value + length > limit) return;
    if (code === Option.MESSAGE_TYPE && length === 1) out.messageType = bytes[value] ?? 0;
    else if (code === Option.REQUESTED_ADDRESS && length === 4) out.requestedAddressAt = value;
    else if (code === Option.SERVER_IDENTIFIER && length === 4) out.serverIdentifierAt = value;
    cursor = value + length;
  }
}

/** "0x06E32864", as DHCP tools print a transaction ID. */
export function xidText(xid: number): string {
  return `0x${xid.toString(16).toUpperCase().padStart(8, '0')}`;
}
