/**
 * TLS record and hello-message reading (RFC 5246 §6.2, §7.4.1; RFC 8446 §4.1.2, §4.1.3, §4.2.1): the
 * 5-byte record header, a plain alert, and the protocol versions a ClientHello offers and a ServerHello
 * selects (the supported_versions extension when present, else the legacy version field). Pure functions
 * over bytes, bounds-checked.
 */

export const TLS_RECORD_HEADER = 5;
/** RFC 5246 §6.2.3: a record body is at most 2^14 + 2048 bytes. */
export const MAX_RECORD_BODY = 16384 + 2048;
export const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;
export const HandshakeType = { CLIENT_HELLO: 1, SERVER_HELLO: 2 } as const;
/** A handshake message header: type and a 24-bit length. */
export const HANDSHAKE_HEADER = 4;
/** A plain alert body: level and description. */
export const ALERT_LENGTH = 2;
const SUPPORTED_VERSIONS_EXTENSION = 43;
const RANDOM_LENGTH = 32;

function uint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** RFC 8701 GREASE values (0x0a0a, 0x1a1a, ...) are placeholders, never real versions. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

export interface RecordHeader {
  type: number;
  version: number;
  length: number;
}

/**
 * The record header at `at` when it is plausible: a known content type, major version 3, minor 0–4
 * (SSL 3.0 to TLS 1.3) and a length a record may have. Null otherwise.
 */
export function readRecordHeader(bytes: Uint8Array, at: number, end: number): RecordHeader | null {
  if (at < 0 || at + TLS_RECORD_HEADER > Math.min(end, bytes.length)) return null;
  return plausibleRecordHeader(bytes[at] ?? 0, uint16(bytes, at + 1), uint16(bytes, at + 3));
}

export function plausibleRecordHeader(type: number, version: number, length: number): RecordHeader | null {
  const knownType = type >= ContentType.CHANGE_CIPHER_SPEC && type <= ContentType.HEARTBEAT;
  if (!knownType || version >> 8 !== 3 || (version & 0xff) > 4 || length === 0 || length > MAX_RECORD_BODY) return null;
  return { type, version, length };
}

/**
 * The highest version a ClientHello body (after its 4-byte handshake header) offers: the largest
 * non-GREASE entry of supported_versions, else legacy_version. -1 when the body is cut short.
 */
export function clientHelloMaxVersion(body: Uint8Array, start: number, end: number): number {
  const limit = Math.min(end, body.length);
  if (start + 2 + RANDOM_LENGTH + 1 > limit) return -1;
  const legacy = uint16(body, start);
  let at = start + 2 + RANDOM_LENGTH;
  at += 1 + (body[at] ?? 0); // session_id
  if (at + 2 > limit) return -1;
  at += 2 + uint16(body, at); // cipher_suites
  if (at + 1 > limit) return -1;
  at += 1 + (body[at] ?? 0); // compression_methods
  if (at > limit) return -1;
  const supported = findExtension(body, at, limit, SUPPORTED_VERSIONS_EXTENSION);
  if (supported === null) return legacy;
  let best = -1;
  const listEnd = Math.min(supported.start + 1 + (body[supported.start] ?? 0), supported.end);
  for (let v = supported.start + 1; v + 2 <= listEnd; v += 2) {
    const version = uint16(body, v);
    if (!isGrease(version) && version > best) best = version;
  }
  return best >= 0 ? best : legacy;
}

/** The version a ServerHello body selects: supported_versions when present (TLS 1.3), else legacy_version. */
export function serverHelloVersion(body: Uint8Array, start: number, end: number): number {
  const limit = Math.min(end, body.length);
  if (start + 2 + RANDOM_LENGTH + 1 > limit) return -1;
  const legacy = uint16(body, start);
  let at = start + 2 + RANDOM_LENGTH;
  at += 1 + (body[at] ?? 0); // session_id
  at += 2 + 1; // cipher_suite, compression_method
  if (at > limit) return legacy;
  const supported = findExtension(body, at, limit, SUPPORTED_VERSIONS_EXTENSION);
  return supported !== null && supported.end - supported.start >= 2 ? uint16(body, supported.start) : legacy;
}

/** The extension of `type` in the extensions block at `at` (its 2-byte length first), or null. */
function findExtension(bytes: Uint8Array, at: number, limit: number, type: number): { start: number; end: number } | null {
  if (at + 2 > limit) return null; // no extensions (SSL 3.0, early TLS)
  const end = Math.min(at + 2 + uint16(bytes, at), limit);
  for (let cursor = at + 2; cursor + 4 <= end; ) {
    const extensionType = uint16(bytes, cursor);
    const length = uint16(bytes, cursor + 2);
    const start = cursor + 4;
    if (start + length > end) return null;
    if (extensionType === type) return { start, end: start + length };
    cursor = start + length;
  }
  return null;
}
