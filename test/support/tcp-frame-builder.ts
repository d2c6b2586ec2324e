/**
 * Hand-made TCP segments for analysis tests: a two-endpoint conversation that turns one line per segment
 * into raw IPv4 or IPv6 frames (LINKTYPE_RAW), and a tiny classic-pcap writer so tshark can judge the
 * same frames. Checksums are left 0: tshark does not check them by default and the analysis ignores them.
 */
import { writeFileSync } from 'node:fs';

export interface BuiltFrame {
  data: Uint8Array;
  originalLength: number;
  timeSec: number;
  timeNsec: number;
}

export interface SegmentSpec {
  /** Which endpoint sends: 'a' or 'b'. */
  from: 'a' | 'b';
  /** Milliseconds after the conversation's start time (fractions allowed). */
  atMs: number;
  /** Letters of the flags: S, A, P, F, R, U. */
  flags: string;
  seq: number;
  ack?: number;
  window?: number;
  /** Payload bytes (filled with a counting pattern). */
  length?: number;
  /** The payload itself (text is sent as Latin-1 bytes); when given, `length` is its length. */
  payload?: string | Uint8Array;
  /** Raw option bytes (padded with NOPs to a multiple of 4). */
  options?: readonly number[];
  /** Overrides the data offset nibble (to build damaged headers). */
  dataOffsetWords?: number;
  /** Overrides the IPv4 total length / IPv6 payload length field. */
  ipLengthField?: number;
  /** Bytes after the IP datagram (Ethernet-style padding). */
  trailer?: number;
  /** Keep only this many bytes of the frame (as a snap length does); originalLength stays whole. */
  captureBytes?: number;
}

export interface Endpoint {
  /** IPv4 dotted quad or a full IPv6 address written as 8 hex groups. */
  address: string;
  port: number;
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

/** TCP option bytes. */
export const TcpOption = {
  mss: (value: number): number[] => [2, 4, value >> 8, value & 0xff],
  windowScale: (shift: number): number[] => [3, 3, shift],
  sackPermitted: (): number[] => [4, 2],
  timestamps: (value: number, echo: number): number[] => [8, 10, ...be32(value), ...be32(echo)],
  sack: (...edges: number[]): number[] => [5, 2 + 4 * edges.length, ...edges.flatMap(be32)],
  nop: (): number[] => [1],
};

function be32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function addressBytes(address: string): number[] {
  if (address.includes('.')) return address.split('.').map(Number);
  return address.split(':').flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]);
}

export class TcpConversation {
  readonly frames: BuiltFrame[] = [];

  constructor(
    private readonly a: Endpoint,
    private readonly b: Endpoint,
    private readonly startSec = 1_700_000_000,
    /** IPv6 only: put a hop-by-hop extension header before TCP. */
    private readonly ipv6HopByHop = false,
  ) {}

  /** Adds one segment and returns its 1-based frame number. */
  add(spec: SegmentSpec): number {
    const [from, to] = spec.from === 'a' ? [this.a, this.b] : [this.b, this.a];
    const tcp = tcpBytes(from.port, to.port, spec);
    const ip = from.address.includes('.') ? ipv4(from, to, tcp, spec) : ipv6(from, to, tcp, spec, this.ipv6HopByHop);
    const whole = new Uint8Array(ip.length + (spec.trailer ?? 0));
    whole.set(ip);
    const totalNs = Math.round(spec.atMs * 1e6);
    this.frames.push({
      data: whole.subarray(0, Math.min(whole.length, spec.captureBytes ?? whole.length)),
      originalLength: whole.length,
      timeSec: this.startSec + Math.floor(totalNs / 1e9),
      timeNsec: totalNs % 1e9,
    });
    return this.frames.length;
  }
}

function tcpBytes(sourcePort: number, destinationPort: number, spec: SegmentSpec): Uint8Array {
  const options = [...(spec.options ?? [])];
  while (options.length % 4 !== 0) options.push(1);
  const header = 20 + options.length;
  const payload = typeof spec.payload === 'string' ? Uint8Array.from(spec.payload, (ch) => ch.charCodeAt(0) & 0xff) : spec.payload;
  const bytes = new Uint8Array(header + (payload?.length ?? spec.length ?? 0));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint32(4, spec.seq >>> 0);
  view.setUint32(8, (spec.ack ?? 0) >>> 0);
  let flags = 0;
  for (const letter of spec.flags) flags |= FLAG_BITS[letter] ?? 0;
  view.setUint8(12, (spec.dataOffsetWords ?? header / 4) << 4);
  view.setUint8(13, flags);
  view.setUint16(14, spec.window ?? 65535);
  bytes.set(options, 20);
  if (payload !== undefined) bytes.set(payload, header);
  else for (let i = header; i < bytes.length; i++) bytes[i] = 0x41 + ((i - header) % 26);
  return bytes;
}

function ipv4(from: Endpoint, to: Endpoint, tcp: Uint8Array, spec: SegmentSpec): Uint8Array {
  const bytes = new Uint8Array(20 + tcp.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, spec.ipLengthField ?? bytes.length);
  view.setUint16(6, 0x4000); // DF
  view.setUint8(8, 64);
  view.setUint8(9, 6);
  bytes.set(addressBytes(from.address), 12);
  bytes.set(addressBytes(to.address), 16);
  bytes.set(tcp, 20);
  return bytes;
}

function ipv6(from: Endpoint, to: Endpoint, tcp: Uint8Array, spec: SegmentSpec, hopByHop: boolean): Uint8Array {
  const extension = hopByHop ? 8 : 0;
  const bytes = new Uint8Array(40 + extension + tcp.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x6000_0000);
  view.setUint16(4, spec.ipLengthField ?? extension + tcp.length);
  view.setUint8(6, hopByHop ? 0 : 6);
  view.setUint8(7, 64);
  bytes.set(addressBytes(from.address), 8);
  bytes.set(addressBytes(to.address), 24);
  if (hopByHop) bytes.set([6, 0, 1, 4, 0, 0, 0, 0], 40); // next: TCP; PadN
  bytes.set(tcp, 40 + extension);
  return bytes;
}

/** Writes frames as a little-endian, nanosecond classic pcap file. */
export function writePcap(path: string, linkType: number, frames: readonly BuiltFrame[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b23c4d, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [header];
  for (const frame of frames) {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(frame.timeSec, 0);
    record.writeUInt32LE(frame.timeNsec, 4);
    record.writeUInt32LE(frame.data.length, 8);
    record.writeUInt32LE(frame.originalLength, 12);
    parts.push(record, Buffer.from(frame.data));
  }
  writeFileSync(path, Buffer.concat(parts));
}
