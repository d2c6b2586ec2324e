/**
 * Labels for Telnet and TN3270 (RFC 854, RFC 1576, RFC 2355) on port 23: option negotiation, TN3270E
 * records (5-byte header: data type, request flag, response flag, sequence number) and 3270 records, which
 * end with IAC EOR; anything else is plain Telnet data.
 */
import { tn3270eDataTypeName } from './application-tables.js';

export const TELNET_PORT = 23;
const IAC = 0xff;
const EOR = 0xef;
const TN3270E_HEADER = 5;
/** RFC 2355 §8.1: the request and response flags take the values 0 to 2. */
const MAX_FLAG = 2;

/** A label for the Telnet payload [start, end), or null when there is none. */
export function describeTelnet(bytes: Uint8Array, start: number, end: number, wireLength: number): string | null {
  if (wireLength <= 0 || start >= end) return null;
  const endsRecord = wireLength === end - start && end - start >= 2 && bytes[end - 2] === IAC && bytes[end - 1] === EOR;
  if (bytes[start] === IAC) return endsRecord ? 'tn3270' : 'telnet negotiation';
  // A cut capture (ABBREV) hides the IAC EOR: the TN3270E header alone then tells the record.
  if (endsRecord || wireLength > end - start) {
    const dataType = tn3270eDataTypeName(bytes[start] ?? 0xff);
    const flagsFit = (bytes[start + 1] ?? 0xff) <= MAX_FLAG && (bytes[start + 2] ?? 0xff) <= MAX_FLAG;
    if (dataType !== null && flagsFit && end - start >= TN3270E_HEADER) return `tn3270e ${dataType}`;
    if (endsRecord) return 'tn3270';
  }
  return `telnet ${wireLength} bytes`;
}
