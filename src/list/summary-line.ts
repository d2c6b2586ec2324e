/**
 * The text form of `zctrace list`: one line per packet under one heading line, columns as in IPCS's
 * SUMMARY report (record, time, direction, addresses, flags, seq/ack/window, lengths) with the link and
 * protocol added. Columns have fixed widths so the list lines up as it streams; a wider value (a long
 * IPv6 address) pushes the rest of its line along rather than being cut.
 */
import type { PacketSummary } from './packet-summary.js';

interface Column {
  title: string;
  width: number;
  /** Right-aligned (numbers) or left-aligned (text). */
  right: boolean;
  value(s: PacketSummary): string;
}

/** Direction as IPCS prints it: I inbound, O outbound. */
const DIRECTION_LETTER: Record<PacketSummary['direction'], string> = { inbound: 'I', outbound: 'O', unknown: '-' };

function endpoint(address: string | null, port: number | null): string {
  if (address === null) return '-';
  if (port === null) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** TCP flags (SYN,ACK), or ICMP type/code (8/0). */
function flags(s: PacketSummary): string {
  if (s.tcpFlags !== null) return s.tcpFlags.length === 0 ? '.' : s.tcpFlags.join(',');
  if (s.icmpType !== null) return `${s.icmpType}/${s.icmpCode ?? 0}`;
  return '';
}

function optional(value: number | null): string {
  return value === null ? '' : String(value);
}

/** What else is worth seeing: discard reason, IDS facts, truncation. */
function notes(s: PacketSummary): string {
  const parts: string[] = [];
  if (s.discard !== null) parts.push(`discard=${s.discard.code}/${(s.discard.name ?? s.discard.layer).replace(/\s+/g, '_')}`);
  if (s.probe !== null) parts.push(`probe=${s.probe}`);
  if (s.correlator !== null) parts.push(`correlator=${s.correlator}`);
  if (s.job !== null) parts.push(`job=${s.job}`);
  if (s.captured < s.length) parts.push(`traced=${s.captured}`);
  return parts.join(' ');
}

const COLUMNS: readonly Column[] = [
  { title: 'REC', width: 7, right: true, value: (s) => String(s.record) },
  { title: 'TIME (UTC)', width: 30, right: false, value: (s) => s.time },
  { title: 'D', width: 1, right: false, value: (s) => DIRECTION_LETTER[s.direction] },
  { title: 'LINK', width: 8, right: false, value: (s) => s.link },
  { title: 'PROTO', width: 6, right: false, value: (s) => s.protocolName ?? '-' },
  { title: 'SOURCE', width: 21, right: false, value: (s) => endpoint(s.source, s.sourcePort) },
  { title: 'DESTINATION', width: 21, right: false, value: (s) => endpoint(s.destination, s.destinationPort) },
  { title: 'FLAGS', width: 11, right: false, value: flags },
  { title: 'SEQ', width: 10, right: true, value: (s) => optional(s.seq) },
  { title: 'ACK', width: 10, right: true, value: (s) => optional(s.ack) },
  { title: 'WIN', width: 5, right: true, value: (s) => optional(s.window) },
  { title: 'LEN', width: 5, right: true, value: (s) => String(s.length) },
  { title: 'DATA', width: 5, right: true, value: (s) => optional(s.payloadLength) },
  { title: 'NOTES', width: 0, right: false, value: notes },
];

function cell(column: Column, text: string): string {
  return column.right ? text.padStart(column.width) : text.padEnd(column.width);
}

/** The column heading line; with several inputs an input number column leads (see inputLegend). */
export function summaryHeading(severalInputs: boolean): string {
  const line = COLUMNS.map((c) => cell(c, c.title)).join(' ');
  return `${severalInputs ? 'IN ' : ''}${line}`.trimEnd();
}

/** "#  1 = A.bin" lines naming the inputs by the numbers the IN column shows. */
export function inputLegend(inputs: readonly string[]): string[] {
  return inputs.map((path, i) => `# ${String(i + 1).padStart(2)} = ${path}`);
}

/** One packet's line; `inputNumber` (1-based) leads it when several inputs are listed. */
export function summaryLine(s: PacketSummary, inputNumber: number | null): string {
  const line = COLUMNS.map((c) => cell(c, c.value(s))).join(' ');
  return `${inputNumber === null ? '' : `${String(inputNumber).padStart(2)} `}${line}`.trimEnd();
}
