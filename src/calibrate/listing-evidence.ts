/**
 * What one IPCS listing record says about each layout profile field: the value the entry's bytes must
 * hold, in the field's own terms (a number, EBCDIC text, a 16-byte address, a TOD time, one flag bit).
 * Coded values the formatter prints as words (device, protocol, socket domain) go back to their codes
 * through data tables; a word the tables do not know gives no evidence rather than a guess.
 *
 * Which listing label speaks for which field is the table below. The trace header labels (Tod Clock,
 * Asid, Full=...) come from the PTHDR itself; addresses, protocol and packet length come from the IP
 * header the formatter decodes, which the PTHDR copies (contract §3) — indirect, and marked so.
 */
import { createRequire } from 'node:module';
import type { HeaderName } from '../ctrace/layout/layout-fields.js';
import { OUTBOUND_BIT } from '../ctrace/layout/layout-compile.js';
import type { ListingFacts, ListingRecord } from './ipcs-listing-parser.js';

export type Expectation =
  | { kind: 'uint'; value: number }
  | { kind: 'text'; text: string }
  | { kind: 'address'; bytes: Uint8Array }
  /** Microseconds since 1970 as the listing shows them (its clock may run ahead of the TOD clock). */
  | { kind: 'time'; listingMicros: number }
  | { kind: 'bit'; bit: string; set: boolean };

export interface FieldEvidence {
  header: HeaderName;
  field: string;
  expect: Expectation;
  /** The value as the listing printed it, for reports. */
  shown: string;
}

/** Kinds of records whose headers differ: data trace puts job and socket facts where the link name is. */
export type RecordKind = 'packet' | 'ids' | 'data';

interface Vocabulary {
  ipProtocols: Record<string, number>;
  socketDomains: Record<string, number>;
  socketTypes: Record<string, number>;
  dataTraceStates: Record<string, number>;
}

const require = createRequire(import.meta.url);
const vocabulary = require('./listing-vocabulary.json') as Vocabulary;
const deviceTable = require('../ctrace/tables/device-types.json') as { codes: Record<string, { name: string }> };

const wordKey = (text: string) => text.trim().toUpperCase().replace(/[\s_]+/g, ' ');

function lookupTable(table: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(table).map(([word, code]) => [wordKey(word), code]));
}

const IP_PROTOCOLS = lookupTable(vocabulary.ipProtocols);
const SOCKET_DOMAINS = lookupTable(vocabulary.socketDomains);
const SOCKET_TYPES = lookupTable(vocabulary.socketTypes);
const DATA_STATES = lookupTable(vocabulary.dataTraceStates);
const DEVICE_CODES = new Map(Object.entries(deviceTable.codes).map(([code, row]) => [wordKey(row.name), Number(code)]));

function coded(table: Map<string, number>, word: string | undefined): Expectation | null {
  const code = word === undefined ? undefined : table.get(wordKey(word));
  return code === undefined ? null : { kind: 'uint', value: code };
}

const uint = (value: number | undefined): Expectation | null => (value === undefined ? null : { kind: 'uint', value });
const text = (value: string | undefined): Expectation | null => (value === undefined ? null : { kind: 'text', text: value });

/** 16 bytes as the PTHDR holds an address: IPv6 as is, IPv4 as ::ffff:a.b.c.d (contract §3, EV). */
export function addressBytes(textForm: string): Uint8Array | null {
  const out = new Uint8Array(16);
  if (!textForm.includes(':')) {
    const parts = textForm.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(parts, 12);
    return out;
  }
  const halves = textForm.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(groups[i]!)) return null;
    const value = parseInt(groups[i]!, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  return out;
}

function address(value: string | undefined): Expectation | null {
  const bytes = value === undefined ? null : addressBytes(value);
  return bytes === null ? null : { kind: 'address', bytes };
}

/** "2002/02/12 23:39:11.873539", as the listing prints a Tod Clock. */
export function formatListingTime(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 19)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

const hex = (digits: number) => (value: number) => value.toString(16).toUpperCase().padStart(digits, '0');

/** One row: which listing value speaks for which field, in which kinds of record. */
interface EvidenceRule {
  header: HeaderName;
  field: string;
  /** The listing label, as the report names the source. */
  label: string;
  kinds: readonly RecordKind[];
  expect(facts: ListingFacts): Expectation | null;
  shown(facts: ListingFacts): string;
}

const ALL: readonly RecordKind[] = ['packet', 'ids', 'data'];
const WIRE: readonly RecordKind[] = ['packet', 'ids'];

export const EVIDENCE_RULES: readonly EvidenceRule[] = [
  { header: 'pthdr', field: 'deviceType', label: 'Device', kinds: WIRE, expect: (f) => coded(DEVICE_CODES, f.deviceName), shown: (f) => f.deviceName ?? '' },
  {
    header: 'pthdr',
    field: 'flags',
    label: 'From/To (direction)',
    kinds: ALL,
    expect: (f) => (f.direction === undefined ? null : { kind: 'bit', bit: OUTBOUND_BIT, set: f.direction === 'outbound' }),
    shown: (f) => f.direction ?? '',
  },
  { header: 'pthdr', field: 'segmentNumber', label: 'Sequence #', kinds: ALL, expect: (f) => uint(f.segmentNumber), shown: (f) => String(f.segmentNumber) },
  { header: 'pthdr', field: 'linkName', label: 'To/From Interface or Link', kinds: WIRE, expect: (f) => text(f.linkName), shown: (f) => f.linkName ?? '' },
  {
    header: 'pthdr',
    field: 'captureTime',
    label: 'Tod Clock',
    kinds: ALL,
    expect: (f) => (f.todClockMicros === undefined ? null : { kind: 'time', listingMicros: f.todClockMicros }),
    shown: (f) => (f.todClockMicros === undefined ? '' : formatListingTime(f.todClockMicros)),
  },
  { header: 'pthdr', field: 'sourceAddress', label: 'Source (IP header)', kinds: WIRE, expect: (f) => address(f.ipSource), shown: (f) => f.ipSource ?? '' },
  {
    header: 'pthdr',
    field: 'destinationAddress',
    label: 'Destination (IP header)',
    kinds: WIRE,
    expect: (f) => address(f.ipDestination),
    shown: (f) => f.ipDestination ?? '',
  },
  { header: 'pthdr', field: 'sourcePort', label: 'Source Port', kinds: WIRE, expect: (f) => uint(f.sourcePort), shown: (f) => String(f.sourcePort) },
  { header: 'pthdr', field: 'destinationPort', label: 'Dest Port', kinds: WIRE, expect: (f) => uint(f.destinationPort), shown: (f) => String(f.destinationPort) },
  {
    header: 'pthdr',
    field: 'protocol',
    label: 'Protocol (IP header)',
    kinds: WIRE,
    expect: (f) => coded(IP_PROTOCOLS, f.ipProtocolName),
    shown: (f) => f.ipProtocolName ?? '',
  },
  {
    header: 'pthdr',
    field: 'packetLength',
    label: 'Packet Length (IPv4 header)',
    kinds: WIRE,
    expect: (f) => (f.ipVersion === undefined || f.ipVersion === 4 ? uint(f.ipPacketLength) : null),
    shown: (f) => String(f.ipPacketLength),
  },
  { header: 'pthdr', field: 'tracedLength', label: 'Full=/Abbrev=', kinds: ALL, expect: (f) => uint(f.tracedLength), shown: (f) => String(f.tracedLength) },
  { header: 'pthdr', field: 'asid', label: 'Asid', kinds: ALL, expect: (f) => uint(f.asid), shown: (f) => (f.asid === undefined ? '' : hex(4)(f.asid)) },
  { header: 'pthdr', field: 'tcb', label: 'TCB', kinds: ALL, expect: (f) => uint(f.tcb), shown: (f) => (f.tcb === undefined ? '' : hex(8)(f.tcb)) },
  {
    header: 'pthdr',
    field: 'connectionId',
    label: 'Cid',
    kinds: ALL,
    expect: (f) => uint(f.connectionId),
    shown: (f) => (f.connectionId === undefined ? '' : hex(8)(f.connectionId)),
  },
  { header: 'pthdr', field: 'discardCode', label: 'Discard', kinds: ALL, expect: (f) => uint(f.discardCode), shown: (f) => String(f.discardCode) },
  { header: 'ids', field: 'correlator', label: 'Correlator', kinds: ['ids'], expect: (f) => uint(f.correlator), shown: (f) => String(f.correlator) },
  { header: 'ids', field: 'moduleName', label: 'Module', kinds: ['ids'], expect: (f) => text(f.moduleName), shown: (f) => f.moduleName ?? '' },
  { header: 'ids', field: 'jobName', label: 'Job Name', kinds: ['ids'], expect: (f) => text(f.idsJobName), shown: (f) => f.idsJobName ?? '' },
  { header: 'ids', field: 'policyRule', label: 'Policy', kinds: ['ids'], expect: (f) => text(f.policyRule), shown: (f) => f.policyRule ?? '' },
  { header: 'dataTrace', field: 'jobName', label: 'To/From Jobname', kinds: ['data'], expect: (f) => text(f.dataJobName), shown: (f) => f.dataJobName ?? '' },
  { header: 'dataTrace', field: 'domain', label: 'Domain', kinds: ['data'], expect: (f) => coded(SOCKET_DOMAINS, f.domainName), shown: (f) => f.domainName ?? '' },
  {
    header: 'dataTrace',
    field: 'socketType',
    label: 'Type',
    kinds: ['data'],
    expect: (f) => coded(SOCKET_TYPES, f.socketTypeName),
    shown: (f) => f.socketTypeName ?? '',
  },
  {
    header: 'dataTrace',
    field: 'protocol',
    label: 'Protocol',
    kinds: ['data'],
    expect: (f) => coded(IP_PROTOCOLS, f.socketProtocolName),
    shown: (f) => f.socketProtocolName ?? '',
  },
  { header: 'dataTrace', field: 'state', label: 'State', kinds: ['data'], expect: (f) => coded(DATA_STATES, f.stateText), shown: (f) => f.stateText ?? '' },
];

/** The listing label that speaks for a field, or null when the listing never shows it. */
export function listingLabelOf(header: HeaderName, field: string): string | null {
  return EVIDENCE_RULES.find((rule) => rule.header === header && rule.field === field)?.label ?? null;
}

/** Data trace records name a job; IDS records a module, correlator or policy; anything else is a packet. */
export function recordKindOf(record: ListingRecord): RecordKind {
  const f = record.facts;
  if (f.dataJobName !== undefined) return 'data';
  if (f.moduleName !== undefined || f.correlator !== undefined || f.policyRule !== undefined || f.idsJobName !== undefined) return 'ids';
  return 'packet';
}

/** Every field value the record shows, in the table's order. */
export function evidenceOf(record: ListingRecord): FieldEvidence[] {
  const kind = recordKindOf(record);
  const out: FieldEvidence[] = [];
  for (const rule of EVIDENCE_RULES) {
    if (!rule.kinds.includes(kind)) continue;
    const expect = rule.expect(record.facts);
    if (expect !== null) out.push({ header: rule.header, field: rule.field, expect, shown: rule.shown(record.facts) });
  }
  return out;
}
