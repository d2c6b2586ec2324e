/**
 * Reads the listing IBM's formatter prints for `IPCS CTRACE COMP(SYSTCPDA) ... FULL` (also SYSTCPIS, and
 * SHORT/FORMAT listings): one summary line per record, then the trace header lines, the IP header, and
 * the decoded and dumped packet. Only the facts that come from the trace header are kept, per record:
 *
 *     3 MVSJ     PACKET   00000004 23:39:11.873541 Packet Trace         <- record, system, entry ID, CTETIME
 *  To Interface      : TR1        Device: LCS Token Ring   Full=56      <- direction, link, device, length
 *   Tod Clock        : 2002/02/12 23:39:11.873539                       <- PTH_Time
 *   Sequence #       : 0          Flags: Pkt Ver2 Out
 *   Source Port      : 1025       Dest Port: 53    Asid: 001E TCB: 007F62C0
 *  IpHeader: Version : 4          Header Length: 20                    <- the IP section starts
 *   Packet Length    : 56 ...  Protocol: UDP ...  Source : ...  Destination : ...
 *
 * (layout: z/OS Communications Server IP Diagnosis Guide, "FORMAT" report examples for SYSTCPDA packet
 * and data trace and SYSTCPIS). IBM shows no example of a discarded packet: a "Discard : <code>" label in
 * the header is accepted (ASSUMED spelling). Everything after the IP header (protocol decode, hex dump) is
 * skipped. A line that carries a label we read but a value that cannot be what the label says is an
 * error naming the line: a silently misread listing would calibrate the profile wrong.
 *
 * The listing may keep ASA carriage-control characters in column 1 (a print data set downloaded as
 * text): a summary line is tried as it is, then without its first character.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ZctraceError } from '../errors.js';

/** Where IBM's listing says a packet went: "From ..." inbound, "To ..." outbound. */
export type ListingDirection = 'inbound' | 'outbound';

/** The trace-header facts one listing record shows; a fact the record does not show is undefined. */
export interface ListingFacts {
  direction?: ListingDirection;
  /** "To Interface : TR1", "From Link : ETH1". */
  linkName?: string;
  /** Data trace: "To Jobname : USER12". */
  dataJobName?: string;
  deviceName?: string;
  /** The number after Full= or Abbrev=. */
  tracedLength?: number;
  abbreviated?: boolean;
  /** Tod Clock as microseconds since 1970-01-01 in the listing's own clock (GMT or LOCAL). */
  todClockMicros?: number;
  segmentNumber?: number;
  lostRecords?: number;
  flagWords?: string[];
  sourcePort?: number;
  destinationPort?: number;
  asid?: number;
  tcb?: number;
  connectionId?: number;
  discardCode?: number;
  /** IDS records. */
  moduleName?: string;
  idsJobName?: string;
  correlator?: number;
  policyRule?: string;
  /** Data trace records. */
  domainName?: string;
  socketTypeName?: string;
  socketProtocolName?: string;
  stateText?: string;
  /** The IP header section. */
  ipVersion?: number;
  ipPacketLength?: number;
  ipProtocolName?: string;
  ipSource?: string;
  ipDestination?: string;
}

export interface ListingRecord {
  /** Line of the summary line in the listing file (1-based). */
  line: number;
  recordNumber: number;
  systemName: string;
  mnemonic: string;
  /** The entry ID column: CTEFMTID (4 packet trace, 5 data trace) or the IDS probe ID. */
  entryId: number;
  /** The summary time (CTETIME, or PTH_Time with the TOD option) as microseconds into its day. */
  timeOfDayMicros: number;
  description: string;
  facts: ListingFacts;
}

export interface IpcsListing {
  path: string;
  lines: number;
  records: ListingRecord[];
  /** Records whose number repeats an earlier one (the first is kept). */
  duplicateRecords: number;
}

const MICROS_PER_SECOND = 1_000_000;
const SECONDS_PER_DAY = 86_400;

const SUMMARY_LINE = /^\s*(\d{1,10})\s+(\S{1,8})\s+(\S+)\s+([0-9A-Fa-f]{8})\s+(\d{2}):(\d{2}):(\d{2})\.(\d{6})(?:\s+(.*?))?\s*$/;
/** Starts like a summary line (number, system, mnemonic, 8 hex digits, a time): must then parse as one. */
const SUMMARY_LIKE = /^\s*\d{1,10}\s+\S+\s+\S+\s+[0-9A-Fa-f]{8}\s+\d{1,2}:\d/;
/** ASA carriage control in column 1: blank, 0, -, +, 1. */
const ASA_CONTROL = /^[ 0\-+1]/;
const IP_SECTION_START = /\bIpHeader\s*:/i;
/** Lines after which nothing more of the trace header follows (the dump section of a DUMP/FULL listing). */
const DUMP_SECTION_START = /^[0\-+1]?\s*(?:IP Header|Protocol Header|Data)\s*:/i;

const messages = {
  garbled: (line: number, label: string, text: string, expected: string) => `line ${line}: ${label} "${text.trim()}" is not ${expected}`,
  noRecords: (lines: number, ebcdicLike: boolean) =>
    `no CTRACE record found in ${lines} lines: expected the listing of IPCS CTRACE COMP(SYSTCPDA) FULL` +
    (ebcdicLike ? ' (the file looks like EBCDIC: download the listing as text, in ASCII mode)' : ''),
  cannotRead: (why: string) => `cannot read the IPCS listing: ${why}`,
};

type Section = 'header' | 'ip' | 'rest';

/** One label the parser reads: how to see it on a line, and how to read its value (null: garbled). */
interface LabelRule {
  name: string;
  section: Section;
  present: RegExp;
  /** Human words for the error message: what the value should look like. */
  expected: string;
  read(line: string, facts: ListingFacts): boolean;
}

function setOnce<K extends keyof ListingFacts>(facts: ListingFacts, key: K, value: ListingFacts[K]): void {
  if (facts[key] === undefined) facts[key] = value;
}

/** A rule whose value is one regex capture turned into a fact. */
function captureRule<K extends keyof ListingFacts>(
  name: string,
  section: Section,
  present: RegExp,
  value: RegExp,
  expected: string,
  key: K,
  convert: (text: string) => ListingFacts[K] | null,
): LabelRule {
  return {
    name,
    section,
    present,
    expected,
    read(line, facts) {
      const m = value.exec(line);
      const converted = m?.[1] === undefined ? null : convert(m[1]);
      if (converted === null) return false;
      setOnce(facts, key, converted);
      return true;
    },
  };
}

const decimal = (limit: number) => (text: string) => {
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= limit ? value : null;
};
const hex = (text: string) => parseInt(text, 16);
const word = (text: string) => text;

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;

/** Microseconds since 1970 of "yyyy/mm/dd hh:mm:ss.uuuuuu", or null when it is no calendar time. */
export function listingDateTimeMicros(m: readonly string[]): number | null {
  const [year, month, day, hour, minute, second] = m.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  const micros = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms * 1000 + micros;
}

const IPV4_TEXT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_TEXT = /^[0-9A-Fa-f:.]+$/;

function ipText(text: string): string | null {
  const v4 = IPV4_TEXT.exec(text);
  if (v4 !== null) return v4.slice(1).every((part) => Number(part) <= 255) ? text : null;
  return IPV6_TEXT.test(text) && text.includes(':') ? text : null;
}

const HEADER_RULES: LabelRule[] = [
  {
    name: 'direction',
    section: 'header',
    present: /^[0\-+1]?\s*(?:From|To)\s+(?:Interface|Link|Jobname)\b/i,
    expected: 'a direction and a name ("To Interface : TR1")',
    read(line, facts) {
      const m = /^[0\-+1]?\s*(From|To)\s+(Interface|Link|Jobname)\s*:\s*(\S+)/i.exec(line);
      if (m === null) return false;
      setOnce(facts, 'direction', m[1]!.toLowerCase() === 'to' ? 'outbound' : 'inbound');
      if (m[2]!.toLowerCase() === 'jobname') setOnce(facts, 'dataJobName', m[3]!);
      else setOnce(facts, 'linkName', m[3]!);
      return true;
    },
  },
  captureRule('Device', 'header', /\bDevice\s*:/i, /\bDevice\s*:\s*(\S.*?)(?=\s+(?:Full|Abbrev)=|\s{2,}|\s*$)/i, 'a device name', 'deviceName', word),
  {
    name: 'Full/Abbrev',
    section: 'header',
    present: /\b(?:Full|Abbrev)=/i,
    expected: 'a length ("Full=56")',
    read(line, facts) {
      const m = /\b(Full|Abbrev)=(\d{1,10})\b/i.exec(line);
      const length = m === null ? null : decimal(UINT32_MAX)(m[2]!);
      if (length === null) return false;
      setOnce(facts, 'tracedLength', length);
      setOnce(facts, 'abbreviated', m![1]!.toLowerCase() === 'abbrev');
      return true;
    },
  },
  {
    name: 'Tod Clock',
    section: 'header',
    present: /\bTod Clock\s*:/i,
    expected: 'a date and time (yyyy/mm/dd hh:mm:ss.uuuuuu)',
    read(line, facts) {
      const m = /\bTod Clock\s*:\s*(\d{4})\/(\d{2})\/(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\.(\d{6})(?!\d)/i.exec(line);
      const micros = m === null ? null : listingDateTimeMicros(m.slice(1));
      if (micros === null) return false;
      setOnce(facts, 'todClockMicros', micros);
      return true;
    },
  },
  captureRule('Sequence #', 'header', /\b(?:Sequence|Segment)\s*#\s*:/i, /\b(?:Sequence|Segment)\s*#\s*:\s*(\d{1,5})\b/i, 'a number', 'segmentNumber', decimal(UINT16_MAX)),
  captureRule('Lost Records', 'header', /\bLost Records\s*:/i, /\bLost Records\s*:\s*(\d{1,10})\b/i, 'a number', 'lostRecords', decimal(UINT32_MAX)),
  {
    name: 'Flags',
    section: 'header',
    present: /\bFlags\s*:/i,
    expected: 'flag words',
    read(line, facts) {
      const m = /\bFlags\s*:\s*(.*?)\s*$/i.exec(line);
      setOnce(facts, 'flagWords', m === null || m[1] === '' ? [] : m[1]!.split(/\s+/));
      return true;
    },
  },
  captureRule('Source Port', 'header', /\bSource Port\s*:/i, /\bSource Port\s*:\s*(\d{1,5})\b/i, 'a port number', 'sourcePort', decimal(UINT16_MAX)),
  captureRule('Dest Port', 'header', /\bDest(?:ination)? Port\s*:/i, /\bDest(?:ination)? Port\s*:\s*(\d{1,5})\b/i, 'a port number', 'destinationPort', decimal(UINT16_MAX)),
  captureRule('Asid', 'header', /\bAsid\s*:/i, /\bAsid\s*:\s*([0-9A-Fa-f]{1,4})\b/i, '1 to 4 hex digits', 'asid', hex),
  captureRule('TCB', 'header', /\bTcb\s*:/i, /\bTcb\s*:\s*([0-9A-Fa-f]{1,8})\b/i, '1 to 8 hex digits', 'tcb', hex),
  captureRule('Cid', 'header', /\bCid\s*:/i, /\bCid\s*:\s*([0-9A-Fa-f]{1,8})\b/i, '1 to 8 hex digits', 'connectionId', hex),
  captureRule('Discard', 'header', /\bDiscard\s*:/i, /\bDiscard\s*:\s*(\d{1,5})\b/i, 'a discard reason code', 'discardCode', decimal(UINT16_MAX)),
  captureRule('Module', 'header', /\bModule\s*:/i, /\bModule\s*:\s*(\S+)/i, 'a module name', 'moduleName', word),
  captureRule('Job Name', 'header', /\bJob Name\s*:/i, /\bJob Name\s*:\s*(\S+)/i, 'a job name', 'idsJobName', word),
  captureRule('Correlator', 'header', /\bCorrelator\s*:/i, /\bCorrelator\s*:\s*(\d{1,10})\b/i, 'a number', 'correlator', decimal(UINT32_MAX)),
  captureRule('Policy', 'header', /\bPolicy\s*:/i, /\bPolicy\s*:\s*(\S+)/i, 'a policy rule name', 'policyRule', word),
  captureRule('Domain', 'header', /\bDomain\s*:/i, /\bDomain\s*:\s*(\S+)/i, 'a socket domain', 'domainName', word),
  captureRule('Type', 'header', /\bType\s*:/i, /\bType\s*:\s*(\S+)/i, 'a socket type', 'socketTypeName', word),
  captureRule('Protocol', 'header', /\bProtocol\s*:/i, /\bProtocol\s*:\s*(\S+)/i, 'a protocol name', 'socketProtocolName', word),
  captureRule('State', 'header', /\bState\s*:/i, /\bState\s*:\s*(\S.*?)\s*$/i, 'a data trace state', 'stateText', word),
];

const IP_RULES: LabelRule[] = [
  captureRule('Version', 'ip', /\bVersion\s*:/i, /\bVersion\s*:\s*(\d)\b/i, 'an IP version', 'ipVersion', decimal(6)),
  captureRule('Packet Length', 'ip', /\bPacket Length\s*:/i, /\bPacket Length\s*:\s*(\d{1,5})\b/i, 'a length', 'ipPacketLength', decimal(UINT16_MAX)),
  captureRule('Protocol', 'ip', /\bProtocol\s*:/i, /\bProtocol\s*:\s*(\S+)/i, 'a protocol name', 'ipProtocolName', word),
];

/** "Source :" / "Destination :" of the IP section: an address, or blank (IBM's SNA example leaves it so). */
function addressRule(name: string, key: 'ipSource' | 'ipDestination'): LabelRule {
  return {
    name,
    section: 'ip',
    present: new RegExp(`^[0\\-+1]?\\s*${name}\\s*:`, 'i'),
    expected: 'an IPv4 or IPv6 address',
    read(line, facts) {
      const text = new RegExp(`^[0\\-+1]?\\s*${name}\\s*:\\s*(\\S*)`, 'i').exec(line)?.[1] ?? '';
      if (text === '') return true;
      const address = ipText(text);
      if (address === null) return false;
      setOnce(facts, key, address);
      return true;
    },
  };
}

const IP_ADDRESS_RULES = [addressRule('Source', 'ipSource'), addressRule('Destination', 'ipDestination')];

/**
 * The synchronous core: feed lines in order, then `finish`. Throws BAD_RECORD ZctraceErrors naming the
 * listing file and line.
 */
export class IpcsListingParser {
  private readonly records: ListingRecord[] = [];
  private readonly seen = new Set<number>();
  private duplicates = 0;
  private current: ListingRecord | null = null;
  private section: Section = 'rest';
  private lineCount = 0;
  private highBytes = 0;
  private totalChars = 0;

  constructor(private readonly path: string) {}

  line(text: string): void {
    const lineNumber = ++this.lineCount;
    this.countCharacters(text);
    const summary = this.summaryOf(text, lineNumber);
    if (summary !== null) {
      this.startRecord(summary);
      return;
    }
    if (this.current === null || this.section === 'rest') return;
    if (DUMP_SECTION_START.test(text)) {
      this.section = 'rest';
      return;
    }
    if (this.section === 'header' && IP_SECTION_START.test(text)) this.section = 'ip';
    if (this.section === 'header') this.readLabels(text, lineNumber, HEADER_RULES);
    else {
      this.readLabels(text, lineNumber, IP_RULES);
      this.readLabels(text, lineNumber, IP_ADDRESS_RULES);
      // The destination address is the last line of the IP header: what follows is the payload decode.
      if (IP_ADDRESS_RULES[1]!.present.test(text)) this.section = 'rest';
    }
  }

  finish(): IpcsListing {
    if (this.records.length === 0) {
      const ebcdicLike = this.totalChars > 0 && this.highBytes / this.totalChars > 0.3;
      throw new ZctraceError('BAD_RECORD', messages.noRecords(this.lineCount, ebcdicLike), this.path);
    }
    return { path: this.path, lines: this.lineCount, records: this.records, duplicateRecords: this.duplicates };
  }

  private countCharacters(text: string): void {
    this.totalChars += text.length;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) this.highBytes++;
  }

  /**
   * The summary line's record, trying the line as it is and without an ASA control character. When both
   * read ("110000 MVS1 ..." is record 110000, or record 10000 after a page eject), the record number
   * nearer the one expected next wins: records are listed in order.
   */
  private summaryOf(text: string, lineNumber: number): ListingRecord | null {
    const asIs = this.parseSummary(text, lineNumber);
    const stripped = ASA_CONTROL.test(text) ? this.parseSummary(text.slice(1), lineNumber) : null;
    if (asIs !== null && stripped !== null) {
      const expected = (this.records.at(-1)?.recordNumber ?? 0) + 1;
      return Math.abs(stripped.recordNumber - expected) < Math.abs(asIs.recordNumber - expected) ? stripped : asIs;
    }
    if (asIs !== null || stripped !== null) return asIs ?? stripped;
    if (SUMMARY_LIKE.test(text) || (ASA_CONTROL.test(text) && SUMMARY_LIKE.test(text.slice(1)))) {
      throw this.garbled(lineNumber, 'summary line', text, 'record number, system, mnemonic, entry ID and time (hh:mm:ss.uuuuuu)');
    }
    return null;
  }

  private parseSummary(text: string, lineNumber: number): ListingRecord | null {
    const m = SUMMARY_LINE.exec(text);
    if (m === null) return null;
    const [hour, minute, second] = [Number(m[5]), Number(m[6]), Number(m[7])];
    if (hour > 23 || minute > 59 || second > 60) return null;
    const seconds = Math.min(hour * 3600 + minute * 60 + second, SECONDS_PER_DAY - 1);
    return {
      line: lineNumber,
      recordNumber: Number(m[1]),
      systemName: m[2]!,
      mnemonic: m[3]!,
      entryId: parseInt(m[4]!, 16),
      timeOfDayMicros: seconds * MICROS_PER_SECOND + Number(m[8]),
      description: m[9] ?? '',
      facts: {},
    };
  }

  private startRecord(record: ListingRecord): void {
    if (this.seen.has(record.recordNumber)) {
      this.duplicates++;
      this.current = null;
      this.section = 'rest';
      return;
    }
    this.seen.add(record.recordNumber);
    this.records.push(record);
    this.current = record;
    this.section = 'header';
  }

  private readLabels(text: string, lineNumber: number, rules: readonly LabelRule[]): void {
    const facts = this.current!.facts;
    for (const rule of rules) {
      if (!rule.present.test(text)) continue;
      if (!rule.read(text, facts)) throw this.garbled(lineNumber, rule.name, text, rule.expected);
    }
  }

  private garbled(lineNumber: number, label: string, text: string, expected: string): ZctraceError {
    const shown = text.length > 100 ? `${text.slice(0, 100)}…` : text;
    return new ZctraceError('BAD_RECORD', messages.garbled(lineNumber, label, shown, expected), this.path);
  }
}

/** Reads and parses a listing file line by line (latin1: any byte is a character; CRLF or LF). */
export async function readIpcsListing(path: string): Promise<IpcsListing> {
  const parser = new IpcsListingParser(path);
  const stream = createReadStream(path, { encoding: 'latin1' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new ZctraceError('IO', messages.cannotRead((error as Error).message), path);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const text of lines) parser.line(text);
  } catch (error) {
    if (error instanceof ZctraceError) throw error;
    throw new ZctraceError('IO', messages.cannotRead((error as Error).message), path);
  } finally {
    lines.close();
    stream.destroy();
  }
  return parser.finish();
}
