/**
 * Writes the listing IBM's formatter would print for `IPCS CTRACE COMP(SYSTCPDA) ... FULL` of a data set
 * our tests built, in the layout of IBM's published examples (z/OS Communications Server IP Diagnosis
 * Guide: the FORMAT report of SYSTCPDA and SYSTCPIS, and the DUMP report): a summary line per record, the
 * trace header lines, the IP header decoded from the packet bytes, a short protocol section and the hex
 * dump. Every value written comes from the fixture's intended values (what the test asked the trace
 * builder to put in each header) or from the packet bytes themselves, never from zctrace's decoder.
 *
 * IBM publishes no example of a discarded packet's record: the "Discard :" line written here for a
 * non-zero discard code is the spelling zctrace's parser accepts (an assumption, like the parser's).
 */
export interface ListingTime {
  sec: number;
  nsec: number;
}

export interface ListingIdsFacts {
  mnemonic: string;
  description: string;
  moduleName: string;
  jobName: string;
  connectionId: number;
  correlator: number;
  policyRule: string;
}

export interface ListingRecordSpec {
  recordNumber: number;
  /** CTEFMTID (4 packet trace) or the IDS probe ID. */
  entryId: number;
  /** CTETIME: the summary line's time. */
  entryTime: ListingTime;
  /** PTH_Time: the Tod Clock line. */
  captureTime: ListingTime;
  outbound: boolean;
  linkName: string;
  deviceName: string;
  /** Full=N, or Abbrev=N when `abbreviated`. */
  tracedLength: number;
  abbreviated?: boolean;
  segmentNumber?: number;
  sourcePort: number;
  destinationPort: number;
  asid: number;
  tcb: number;
  /** Written only when non-zero. */
  discardCode?: number;
  /** The traced packet bytes (IP header first). */
  packet: Uint8Array;
  /** An IDS record (SYSTCPIS) instead of a packet trace record. */
  ids?: ListingIdsFacts;
}

export interface ListingOptions {
  systemName?: string;
  dataSetName?: string;
  component?: string;
  /** Seconds the listing's clock runs ahead of the trace's (LOCAL time formatting, leap seconds). */
  clockOffsetSeconds?: number;
  /** Column 1 carries ASA carriage control, as in a print data set downloaded as text. */
  asa?: boolean;
  /** Lines per page when `asa` (a "1" starts each page; every fourth record also starts a page). */
  pageLines?: number;
}

const LABEL_WIDTH = 17;
const VALUE_WIDTH = 17;
const DUMP_BYTES_PER_LINE = 16;
const IP_PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

const hex = (value: number, digits: number) => value.toString(16).toUpperCase().padStart(digits, '0');
const two = (n: number) => String(n).padStart(2, '0');

function shifted(time: ListingTime, seconds: number): Date & { micros: number } {
  const date = new Date((time.sec + seconds) * 1000) as Date & { micros: number };
  date.micros = Math.floor(time.nsec / 1000);
  return date;
}

function dateText(d: Date): string {
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}`;
}

function timeText(d: Date & { micros: number }): string {
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.micros).padStart(6, '0')}`;
}

/** "  Tod Clock        : value" with IBM's column widths. */
function labelled(label: string, value: string, rest = ''): string {
  return `  ${label.padEnd(LABEL_WIDTH)}: ${rest === '' ? value : value.padEnd(VALUE_WIDTH) + rest}`.trimEnd();
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function ipv4Text(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at, at + 4)).join('.');
}

function ipv6Text(b: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(u16(b, at + i).toString(16));
  return groups.join(':');
}

/** Hex dump lines as IBM's DUMP report prints them: offset, four-byte words, then the bytes as text. */
function dumpLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += DUMP_BYTES_PER_LINE) {
    const piece = bytes.subarray(at, at + DUMP_BYTES_PER_LINE);
    const words: string[] = [];
    for (let w = 0; w < piece.length; w += 4) words.push(Buffer.from(piece.subarray(w, w + 4)).toString('hex').toUpperCase());
    const ascii = Array.from(piece, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
    lines.push(` ${hex(at, 6)} ${words.join(' ').padEnd(35)} |${ascii.padEnd(DUMP_BYTES_PER_LINE)}|`);
  }
  return lines;
}

/** The IpHeader section, decoded from the packet bytes. */
function ipSection(p: Uint8Array): { lines: string[]; headerLength: number; protocol: number } {
  const version = p[0]! >> 4;
  if (version === 6) {
    const protocol = p[6]!;
    return {
      headerLength: 40,
      protocol,
      lines: [
        ` IpHeader: Version : 6                Traffic Class: ${hex(((p[0]! & 0x0f) << 4) | (p[1]! >> 4), 2)}`,
        labelled('Payload Length', String(u16(p, 4)), `Hop Limit: ${p[7]}`),
        labelled('Next Header', IP_PROTOCOL_NAMES[protocol] ?? String(protocol)),
        labelled('Source', ipv6Text(p, 8)),
        labelled('Destination', ipv6Text(p, 24)),
      ],
    };
  }
  const headerLength = (p[0]! & 0x0f) * 4;
  const protocol = p[9]!;
  const fragment = u16(p, 6);
  return {
    headerLength,
    protocol,
    lines: [
      ` IpHeader: Version : 4                Header Length: ${headerLength}`,
      labelled('Tos', hex(p[1]!, 2), 'QOS: Routine Normal Service'),
      labelled('Packet Length', String(u16(p, 2)), `ID Number: ${hex(u16(p, 4), 4)}`),
      labelled('Fragment', (fragment & 0x4000) !== 0 ? 'DontFragment' : '', `Offset: ${(fragment & 0x1fff) * 8}`),
      labelled('TTL', String(p[8]), `Protocol: ${(IP_PROTOCOL_NAMES[protocol] ?? String(protocol)).padEnd(12)}CheckSum: ${hex(u16(p, 10), 4)} FFFF`),
      labelled('Source', ipv4Text(p, 12)),
      labelled('Destination', ipv4Text(p, 16)),
    ],
  };
}

/** The protocol section and the dump: what follows the IP header (the parser must skip all of it). */
function payloadSection(p: Uint8Array, headerLength: number, protocol: number): string[] {
  const lines: string[] = [''];
  const transport = p.subarray(headerLength);
  let protocolHeader = 0;
  if ((protocol === 6 || protocol === 17) && transport.length >= 8) {
    protocolHeader = protocol === 6 ? Math.min(transport.length, (transport[12]! >> 4) * 4) : 8;
    lines.push(` ${protocol === 6 ? 'TCP' : 'UDP'}`);
    lines.push(labelled('Source Port', `${u16(transport, 0)}  ()`, `Destination Port: ${u16(transport, 2)}  ()`));
  } else if ((protocol === 1 || protocol === 58) && transport.length >= 8) {
    protocolHeader = 8;
    lines.push(` ${protocol === 1 ? 'ICMP' : 'ICMPv6'}`);
    lines.push(labelled('Type/Code', `${transport[0]}/${transport[1]}`, `CheckSum: ${hex(u16(transport, 2), 4)} FFFF`));
  }
  lines.push('', labelled('IP Header', String(headerLength)), ...dumpLines(p.subarray(0, headerLength)));
  if (protocolHeader > 0) lines.push(labelled('Protocol Header', String(protocolHeader)), ...dumpLines(transport.subarray(0, protocolHeader)));
  const data = transport.subarray(protocolHeader);
  if (data.length > 0) lines.push(labelled('Data', String(data.length), `Data Length: ${data.length}`), ...dumpLines(data));
  lines.push('-'.repeat(79));
  return lines;
}

function traceHeader(r: ListingRecordSpec, offsetSeconds: number): string[] {
  const kind = r.ids === undefined ? 'Interface' : 'Link';
  const direction = `${r.outbound ? 'To' : 'From'} ${kind}`;
  const length = `${r.abbreviated ? 'Abbrev' : 'Full'}=${r.tracedLength}`;
  const lines = [` ${direction.padEnd(LABEL_WIDTH + 1)}: ${r.linkName.padEnd(VALUE_WIDTH)}Device: ${r.deviceName.padEnd(VALUE_WIDTH)}${length}`];
  const tod = shifted(r.captureTime, offsetSeconds);
  const todText = `${dateText(tod)} ${timeText(tod)}`;
  if (r.ids !== undefined) {
    lines.push(labelled('Tod Clock', todText, ` Module: ${r.ids.moduleName}`));
    lines.push(labelled('Job Name', r.ids.jobName, `Asid: ${hex(r.asid, 4)} Tcb: ${hex(r.tcb, 8)}`));
    lines.push(labelled('Cid', hex(r.ids.connectionId, 8), `Correlator: ${r.ids.correlator}`));
    lines.push(labelled('Policy', r.ids.policyRule));
  } else {
    lines.push(labelled('Tod Clock', todText));
    lines.push(labelled('Sequence #', String(r.segmentNumber ?? 0), `Flags: Pkt Ver2${r.outbound ? ' Out' : ''}`));
    lines.push(labelled('Source Port', String(r.sourcePort), `Dest Port: ${String(r.destinationPort).padEnd(6)}Asid: ${hex(r.asid, 4)} TCB: ${hex(r.tcb, 8)}`));
  }
  if ((r.discardCode ?? 0) !== 0) lines.push(labelled('Discard', String(r.discardCode)));
  return lines;
}

function summaryLine(r: ListingRecordSpec, systemName: string, offsetSeconds: number): string {
  const mnemonic = r.ids?.mnemonic ?? 'PACKET';
  const description = r.ids?.description ?? 'Packet Trace';
  const time = timeText(shifted(r.entryTime, offsetSeconds));
  return `${String(r.recordNumber).padStart(5)} ${systemName.padEnd(8)} ${mnemonic.padEnd(8)} ${hex(r.entryId >>> 0, 8)} ${time} ${description}`;
}

function preamble(options: Required<Pick<ListingOptions, 'systemName' | 'dataSetName' | 'component'>>): string[] {
  return [
    ' COMPONENT TRACE FULL FORMAT',
    ` SYSNAME(${options.systemName})`,
    ` COMP(${options.component})`,
    ` DSNAME('${options.dataSetName}')`,
    ' OPTIONS((Both Cleanup(500) Domain(53) Dump(65535) Flags() Format(Detail) Gmt Limit(999999999)',
    ' Segment Smtp(25) Speed(10,10) Telnet(23) Userexit() Www(80)',
    ' ))',
  ];
}

/** The whole listing, lines joined with "\n" (a final newline included). */
export function buildIpcsListing(records: readonly ListingRecordSpec[], options: ListingOptions = {}): string {
  const systemName = options.systemName ?? 'MVS1';
  const offset = options.clockOffsetSeconds ?? 0;
  const lines = preamble({ systemName, dataSetName: options.dataSetName ?? 'ZCTRACE.DA.MVS1.TEST', component: options.component ?? 'SYSTCPDA' });
  let currentDate = '';
  const pageStarts = new Set<number>();
  for (const r of records) {
    const date = dateText(shifted(r.entryTime, offset));
    if (date !== currentDate) {
      currentDate = date;
      lines.push('', ` **** ${date}`, '', ' RcdNr Sysname  Mnemonic Entry Id Time Stamp      Description', ' ----- -------- -------- -------- --------------- ' + '-'.repeat(32));
    }
    if (r.recordNumber % 4 === 0) pageStarts.add(lines.length);
    lines.push(summaryLine(r, systemName, offset), ...traceHeader(r, offset));
    const ip = ipSection(r.packet);
    lines.push(...ip.lines, ...payloadSection(r.packet, ip.headerLength, ip.protocol));
  }
  const out = options.asa ? withCarriageControl(lines, options.pageLines ?? 60, pageStarts) : lines;
  return out.join('\n') + '\n';
}

/** Column 1 as a print data set has it: "1" on the first line of each page, a blank otherwise. */
function withCarriageControl(lines: readonly string[], pageLines: number, pageStarts: ReadonlySet<number>): string[] {
  return lines.map((line, i) => `${i % pageLines === 0 || pageStarts.has(i) ? '1' : ' '}${line}`);
}
