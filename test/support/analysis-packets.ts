/**
 * Packets for analysis tests: IPv4 datagrams (UDP, ICMP, raw payload, fragments) with correct header
 * checksums, IPv6 datagrams, TCP conversations from the TCP frame builder turned into TracePackets, and a helper that
 * runs them through the real analysis pipeline and returns the Report.
 */
import type { Direction, TraceInterface, TracePacket, CtraceMeta } from '../../src/model/trace-packet.js';
import type { Finding } from '../../src/analysis/finding.js';
import type { Report } from '../../src/report/report-model.js';
import type { BuiltFrame } from './tcp-frame-builder.js';
import { AnalysisPipeline } from '../../src/analysis/analysis-pipeline.js';
import { withOverrides } from '../../src/analysis/thresholds.js';
import { LinkType } from '../../src/capture/link-types.js';
import { ctraceMeta } from './tshark.js';

export const BASE_SEC = 1_700_000_000;

function addressBytes(address: string): number[] {
  return address.split('.').map(Number);
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Spec {
  source: string;
  destination: string;
  protocol: number;
  payload: Uint8Array;
  id?: number;
  ttl?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In bytes (a multiple of 8 for a well-formed fragment). */
  fragmentOffset?: number;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const bytes = new Uint8Array(20 + spec.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, bytes.length);
  view.setUint16(4, spec.id ?? 1);
  const flags = (spec.dontFragment ? 0x4000 : 0) | (spec.moreFragments ? 0x2000 : 0) | ((spec.fragmentOffset ?? 0) >> 3);
  view.setUint16(6, flags);
  view.setUint8(8, spec.ttl ?? 64);
  view.setUint8(9, spec.protocol);
  bytes.set(addressBytes(spec.source), 12);
  bytes.set(addressBytes(spec.destination), 16);
  view.setUint16(10, checksum(bytes.subarray(0, 20)));
  bytes.set(spec.payload, 20);
  return bytes;
}

/** Eight 16-bit groups of an IPv6 address in text ("2001:db8::9"), written here rather than by the code under test. */
function ipv6AddressBytes(text: string): Uint8Array {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

/** An IPv6 datagram without extension headers (hop limit 64). */
export function ipv6(source: string, destination: string, nextHeader: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(40 + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x60000000);
  view.setUint16(4, payload.length);
  bytes[6] = nextHeader;
  bytes[7] = 64;
  bytes.set(ipv6AddressBytes(source), 8);
  bytes.set(ipv6AddressBytes(destination), 24);
  bytes.set(payload, 40);
  return bytes;
}

export function udp(sourcePort: number, destinationPort: number, payload: Uint8Array | number = 0): Uint8Array {
  const body = typeof payload === 'number' ? new Uint8Array(payload) : payload;
  const bytes = new Uint8Array(8 + body.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint16(4, bytes.length);
  bytes.set(body, 8);
  return bytes;
}

/** An ICMP message: type, code, the 4-byte rest of header (0) and a body (an echo payload or the quoted datagram). */
export function icmp(type: number, code: number, body: Uint8Array = new Uint8Array(8)): Uint8Array {
  const bytes = new Uint8Array(8 + body.length);
  bytes[0] = type;
  bytes[1] = code;
  bytes.set(body, 8);
  new DataView(bytes.buffer).setUint16(2, checksum(bytes));
  return bytes;
}

/** A bare TCP header (20 bytes) with the given flag bits, for datagrams built outside a conversation. */
export function tcpHeader(sourcePort: number, destinationPort: number, flags: number, seq = 1000, ack = 0): Uint8Array {
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint32(4, seq >>> 0);
  view.setUint32(8, ack >>> 0);
  view.setUint8(12, 5 << 4);
  view.setUint8(13, flags);
  view.setUint16(14, 1024);
  return bytes;
}

export const TEST_INTERFACE: TraceInterface = { component: 'SYSTCPDA', name: 'OSAQDIO4', linkType: LinkType.RAW, description: 'MPC IP AQENET (SYSTCPDA packet trace)' };

export interface PacketOptions {
  /** Seconds after BASE_SEC. */
  at?: number;
  direction?: Direction;
  interface?: TraceInterface;
  /** CTRACE facts; `null` for a packet as read from a pcap. */
  ctrace?: Partial<CtraceMeta> | null;
  originalLength?: number;
}

let records = 0;

export function packet(data: Uint8Array, options: PacketOptions = {}): TracePacket {
  const at = options.at ?? 0;
  const sec = Math.floor(at);
  const meta = options.ctrace === null ? null : ctraceMeta({ recordNumber: ++records, ...(options.ctrace ?? {}) });
  return {
    timeSec: BASE_SEC + sec,
    timeNsec: Math.round((at - sec) * 1e9),
    interface: options.interface ?? TEST_INTERFACE,
    direction: options.direction ?? 'unknown',
    data,
    originalLength: options.originalLength ?? data.length,
    ctrace: meta,
  };
}

/** Frames from the TCP frame builder as packets; `direction` says, per frame, how the trace saw it. */
export function packetsOf(frames: readonly BuiltFrame[], options: { direction?: (index: number) => Direction; ctrace?: Partial<CtraceMeta> | null } = {}): TracePacket[] {
  return frames.map((frame, i) => ({
    ...packet(frame.data, { direction: options.direction?.(i) ?? 'unknown', ctrace: options.ctrace, originalLength: frame.originalLength }),
    timeSec: frame.timeSec,
    timeNsec: frame.timeNsec,
  }));
}

/** Runs packets (sorted by time) through the analysis and returns the report; `config` as a --config file holds it. */
export function analyze(packets: readonly TracePacket[], config: Record<string, unknown> = {}): Report {
  const pipeline = new AnalysisPipeline(withOverrides(config));
  const sorted = [...packets].sort((a, b) => a.timeSec - b.timeSec || a.timeNsec - b.timeNsec);
  for (const p of sorted) pipeline.observe(p, 0);
  return pipeline.finish([{ path: 'test', kind: 'pcap', summary: null }]);
}

export function findingsOf(report: Report, rule: string): Finding[] {
  return report.findings.filter((f) => f.rule === rule);
}

/** Findings at warning or error severity, as "rule: title" lines (for readable assertion messages). */
export function seriousFindings(report: Report): string[] {
  return report.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => `${f.rule}: ${f.title}`);
}
