/**
 * Wireshark's own tools as test oracles: run tshark and capinfos on a file we wrote and parse what they
 * say. Also a few packets those tools dissect cleanly (correct checksums and lengths), so that any
 * expert warning in a test points at the file, not at the sample.
 */
import { spawnSync } from 'node:child_process';
import type { TraceInterface, CtracePacket, CtraceMeta, Direction } from '../../src/model/trace-packet.js';
import { LinkType } from '../../src/capture/link-types.js';

export interface ToolRun {
  status: number | null;
  stdout: string;
  /** stderr without the lines that say nothing about the file (tshark's "Running as user root" warning). */
  stderr: string;
}

/** stderr lines that are about the environment, never the file. */
const ENVIRONMENT_NOISE = [/^Running as user .* This could be dangerous\.$/];

/** What tshark/capinfos print when a file is bad. */
const READ_ERROR_SIGNS = [/appears to be damaged or corrupt/i, /cut short/i, /isn't a capture file/i, /unknown format/i, /bigger than maximum/i];

export function runTool(command: string, args: readonly string[]): ToolRun {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.error) throw run.error;
  const stderr = run.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !ENVIRONMENT_NOISE.some((noise) => noise.test(line.trim())))
    .join('\n');
  return { status: run.status, stdout: run.stdout, stderr };
}

/** Throws with the tool's words when the run shows a read error. */
export function assertReadClean(run: ToolRun, what: string): void {
  const signs = READ_ERROR_SIGNS.some((sign) => sign.test(run.stderr) || sign.test(run.stdout));
  if (run.status !== 0 || signs || run.stderr !== '') {
    throw new Error(`${what}: exit ${run.status}; stderr: ${run.stderr}; stdout head: ${run.stdout.slice(0, 400)}`);
  }
}

export interface FieldOptions {
  /** Display filter (-Y). */
  filter?: string;
  /** Preferences (-o), e.g. { 'ip.check_checksum': 'TRUE' }. */
  prefs?: Record<string, string>;
}

/** `tshark -r FILE -T fields -e ...`: one row per packet, one string per field ('' when absent). */
export function tsharkFields(file: string, fields: readonly string[], options: FieldOptions = {}): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'quote=n', '-E', 'occurrence=a'];
  for (const field of fields) args.push('-e', field);
  if (options.filter !== undefined) args.push('-Y', options.filter);
  for (const [name, value] of Object.entries(options.prefs ?? {})) args.push('-o', `${name}:${value}`);
  const run = runTool('tshark', args);
  assertReadClean(run, `tshark ${file}`);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/**
 * `capinfos -M FILE` as a map from label ("File type", "Number of packets", ...) to value; a label that
 * repeats ("Packet size limit": file hdr, inferred) gets its values joined by "; ". Interface details
 * ("Name = OSAQDIO1" under "Interface #0 info:") come as "Interface #0 Name".
 */
export function capinfos(file: string): Map<string, string> {
  const run = runTool('capinfos', ['-M', file]);
  assertReadClean(run, `capinfos ${file}`);
  const facts = new Map<string, string>();
  const add = (label: string, value: string): void => {
    const earlier = facts.get(label);
    facts.set(label, earlier === undefined ? value : `${earlier}; ${value}`);
  };
  let section = '';
  for (const line of run.stdout.split('\n')) {
    const heading = /^(Interface #\d+) info:$/.exec(line);
    const detail = /^\s+([^=]+?) = (.*)$/.exec(line);
    const fact = /^([^:\s][^:]*):\s+(.*)$/.exec(line);
    if (heading?.[1] !== undefined) section = heading[1];
    else if (detail?.[1] !== undefined && detail[2] !== undefined && section !== '') add(`${section} ${detail[1]}`, detail[2]);
    else if (fact?.[1] !== undefined && fact[2] !== undefined) add(fact[1].trim(), fact[2].trim());
  }
  return facts;
}

export interface ExpertCounts {
  errors: number;
  warnings: number;
  notes: number;
  chats: number;
  comments: number;
  /** The whole `-z expert` report, for assertion messages. */
  text: string;
}

/** `tshark -r FILE -q -z expert`: how many items of each severity. */
export function tsharkExpert(file: string): ExpertCounts {
  const run = runTool('tshark', ['-r', file, '-q', '-z', 'expert']);
  assertReadClean(run, `tshark -z expert ${file}`);
  const count = (label: string): number => Number(new RegExp(`^${label} \\((\\d+)\\)`, 'm').exec(run.stdout)?.[1] ?? 0);
  return {
    errors: count('Errors'),
    warnings: count('Warns'),
    notes: count('Notes'),
    chats: count('Chats'),
    comments: count('Comments'),
    text: run.stdout,
  };
}

// ---- Sample packets tshark dissects without complaint -------------------------------------------------

/** RFC 1071 ones' complement sum of 16-bit words, folded. */
function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSum(bytes, initial) & 0xffff;
}

/** IPv4 + UDP with a correct header checksum and `payloadBytes` of counting payload. */
export function ipv4Udp(payloadBytes: number, id = 1): Uint8Array {
  const packet = new Uint8Array(20 + 8 + payloadBytes);
  const view = new DataView(packet.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, packet.length);
  view.setUint16(4, id);
  view.setUint8(8, 64); // TTL
  view.setUint8(9, 17); // UDP
  packet.set([10, 1, 1, 1, 10, 1, 1, 2], 12);
  view.setUint16(10, internetChecksum(packet.subarray(0, 20)));
  view.setUint16(20, 1024);
  view.setUint16(22, 5000);
  view.setUint16(24, 8 + payloadBytes);
  // UDP checksum 0: "not computed", legal over IPv4.
  for (let i = 0; i < payloadBytes; i += 1) packet[28 + i] = i & 0xff;
  return packet;
}

/** IPv6 + TCP SYN (MSS option) with a correct TCP checksum. */
export function ipv6TcpSyn(): Uint8Array {
  const tcpLength = 24;
  const packet = new Uint8Array(40 + tcpLength);
  const view = new DataView(packet.buffer);
  view.setUint32(0, 0x6000_0000);
  view.setUint16(4, tcpLength);
  view.setUint8(6, 6); // TCP
  view.setUint8(7, 64);
  packet.set([0x20, 0x01, 0x0d, 0xb8], 8);
  packet[23] = 1;
  packet.set([0x20, 0x01, 0x0d, 0xb8], 24);
  packet[39] = 2;
  view.setUint16(40, 40000);
  view.setUint16(42, 23);
  view.setUint32(44, 1_000_000);
  view.setUint8(52, 6 << 4); // data offset 6 words
  view.setUint8(53, 0x02); // SYN
  view.setUint16(54, 65535);
  packet.set([2, 4, 0x05, 0xb4], 60); // MSS 1460
  const pseudo = new Uint8Array(40);
  pseudo.set(packet.subarray(8, 40), 0);
  new DataView(pseudo.buffer).setUint32(32, tcpLength);
  pseudo[39] = 6;
  view.setUint16(56, internetChecksum(packet.subarray(40), onesComplementSum(pseudo)));
  return packet;
}

/** Ethernet II with an 802.1Q tag (VLAN `vlanId`) around an IPv4 UDP packet. */
export function ethernetVlanIpv4(vlanId: number, payloadBytes: number): Uint8Array {
  const ip = ipv4Udp(payloadBytes, 7);
  const frame = new Uint8Array(18 + ip.length);
  frame.set([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02], 0);
  const view = new DataView(frame.buffer);
  view.setUint16(12, 0x8100);
  view.setUint16(14, vlanId & 0x0fff);
  view.setUint16(16, 0x0800);
  frame.set(ip, 18);
  return frame;
}

export const RAW_IP_INTERFACE: TraceInterface = {
  component: 'SYSTCPDA',
  name: 'OSAQDIO1',
  linkType: LinkType.RAW,
  description: 'MPC IP AQENET (SYSTCPDA packet trace)',
};

export const OSA_PORT_INTERFACE: TraceInterface = {
  component: 'SYSTCPOT',
  name: 'OSAPORT1',
  linkType: LinkType.ETHERNET,
  description: 'OSA-Express port (OSAENTA)',
};

export function ctraceMeta(overrides: Partial<CtraceMeta> = {}): CtraceMeta {
  return {
    component: 'SYSTCPDA',
    formatId: 4,
    recordNumber: 1,
    fileOffset: 0,
    flagBits: 0,
    flagNames: [],
    deviceType: null,
    deviceName: null,
    asid: null,
    tcb: null,
    traceCount: null,
    connectionId: null,
    interfaceIndex: null,
    vlanId: null,
    discard: null,
    segments: null,
    truncated: false,
    extra: {},
    ...overrides,
  };
}

export interface SamplePacketSpec {
  data: Uint8Array;
  timeSec?: number;
  timeNsec?: number;
  interface?: TraceInterface;
  direction?: Direction;
  originalLength?: number;
  ctrace?: Partial<CtraceMeta>;
}

export function tracePacket(spec: SamplePacketSpec): CtracePacket {
  return {
    timeSec: spec.timeSec ?? 1_700_000_000,
    timeNsec: spec.timeNsec ?? 0,
    interface: spec.interface ?? RAW_IP_INTERFACE,
    direction: spec.direction ?? 'unknown',
    data: spec.data,
    originalLength: spec.originalLength ?? spec.data.length,
    ctrace: ctraceMeta({ component: (spec.interface ?? RAW_IP_INTERFACE).component ?? 'SYSTCPDA', ...spec.ctrace }),
  };
}
