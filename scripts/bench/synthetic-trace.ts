/**
 * A large synthetic SYSTCPDA packet trace for the benchmark, written together with a reference pcap of the
 * same packets (what a correct conversion must give, and what editcap and tshark are timed on).
 *
 * The traffic: TN3270-style request/response sessions over IPv4 and IPv6, FTP bulk transfers traced with
 * ABBREV (packets cut to 128 bytes), DNS lookups and syslog over UDP; inbound segments now and then
 * discarded by the stack and retransmitted by the peer, outbound segments now and then sent twice.
 * Checksums are left 0, as in the test frame builder: tshark does not check them by default.
 *
 * Speed: every packet shape (protocol, flags, payload length, truncation) is built once with the test
 * builders, as a whole trace entry; each packet copies its shape's entry into the trace buffer and patches
 * times, addresses, ports, sequence numbers and header facts in place. The data set is written as the
 * external writer and an FTP `quote site rdw` download deliver it: 64 KiB trace buffers, zero filled after
 * the last entry, cut into records of 32752 bytes each behind its RDW.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { buildPacketEntry, fullHeaderLength, pthdrSlots } from '../../test/support/packet-trace-builder.js';
import { TcpConversation, type SegmentSpec } from '../../test/support/tcp-frame-builder.js';
import { CTE_HEADER_LENGTH, DEFAULT_RECORD_LENGTH } from '../../test/support/cte-builder.js';
import { Random } from '../../test/support/seeded-random.js';
import { unixTimeToStck } from '../../src/zos/stck.js';
import { MAX_SNAPLEN } from '../../src/capture/capture-writer.js';
import { LinkType } from '../../src/capture/link-types.js';

export interface SyntheticTraceRequest {
  packets: number;
  tracePath: string;
  /** The reference pcap of the same packets; null to skip it. */
  pcapPath: string | null;
  seed: number;
}

export interface SyntheticTraceFacts {
  packets: number;
  traceBytes: number;
  pcapBytes: number;
  /** Packets of each kind, to show what the mix was. */
  tcpPackets: number;
  udpPackets: number;
  ipv6Packets: number;
  discarded: number;
  retransmitted: number;
  truncated: number;
  /** Packet shapes built with the test builders (the rest were patched copies). */
  shapes: number;
}

/** Bumped whenever the generator's output changes, so a cached data set is rebuilt. */
export const GENERATOR_VERSION = 1;

const TRACE_BUFFER_BYTES = 65536;
const RDW_BYTES = 4;
/** Data bytes per record: LRECL 32756 less its RDW (BLKSIZE 32760 holds one record and the BDW). */
const RECORD_DATA_BYTES = DEFAULT_RECORD_LENGTH - RDW_BYTES;
const OUTPUT_CHUNK_BYTES = 8 << 20;
const START_SECOND = 1_700_000_000;
/** The stack writes the entry a few microseconds after it captured the packet. */
const ENTRY_DELAY_MICROS = 5;
/** Flows in progress at any time: packets of different connections interleave as on a busy stack. */
const CONCURRENT_FLOWS = 200;
const ABBREV_LENGTH = 128;
const OUTBOUND_FLAG = 32;
const DISCARD_TCP_DATA = 4101;
const DISCARD_UDP = 12290;
const TCP = 6;
const UDP = 17;
const TcpFlag = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;


// ---- output: buffered file, RDW records, trace buffers --------------------------------------------------

class BufferedFile {
  private readonly fd: number;
  private readonly chunk = Buffer.allocUnsafe(OUTPUT_CHUNK_BYTES);
  private used = 0;
  bytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  put(bytes: Uint8Array, from = 0, to = bytes.length): void {
    this.bytes += to - from;
    while (from < to) {
      const n = Math.min(to - from, OUTPUT_CHUNK_BYTES - this.used);
      this.chunk.set(bytes.subarray(from, from + n), this.used);
      this.used += n;
      from += n;
      if (this.used === OUTPUT_CHUNK_BYTES) this.drain();
    }
  }

  close(): void {
    this.drain();
    closeSync(this.fd);
  }

  private drain(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.chunk, done, this.used - done);
    this.used = 0;
  }
}

/** The logical byte stream cut into records of RECORD_DATA_BYTES, each behind its RDW (LL LL 00 00). */
class RdwRecords {
  private readonly record = new Uint8Array(RDW_BYTES + RECORD_DATA_BYTES);
  private used = 0;

  constructor(private readonly file: BufferedFile) {}

  put(bytes: Uint8Array): void {
    for (let from = 0; from < bytes.length; ) {
      const n = Math.min(bytes.length - from, RECORD_DATA_BYTES - this.used);
      this.record.set(bytes.subarray(from, from + n), RDW_BYTES + this.used);
      this.used += n;
      from += n;
      if (this.used === RECORD_DATA_BYTES) this.emit();
    }
  }

  close(): void {
    if (this.used > 0) this.emit();
  }

  private emit(): void {
    const length = RDW_BYTES + this.used;
    this.record[0] = length >> 8;
    this.record[1] = length & 0xff;
    this.record[2] = 0;
    this.record[3] = 0;
    this.file.put(this.record, 0, length);
    this.used = 0;
  }
}

// ---- packet shapes --------------------------------------------------------------------------------------

/** Where a shape's patchable fields sit, as offsets into its entry. */
interface Shape {
  entry: Uint8Array;
  v6: boolean;
  protocol: number;
  /** TCP flags of the segment (0 for UDP). */
  tcpFlags: number;
  /** Offset of the IP header in the entry (CTE header + PTH_Len). */
  ip: number;
  /** Offset of the TCP/UDP header in the entry. */
  transport: number;
  /** Bytes of the packet in the entry (without the pad byte) and on the wire. */
  traced: number;
  wire: number;
}

const slots = pthdrSlots();
const slot = (name: string): number => CTE_HEADER_LENGTH + slots[name]!.offset;
const At = {
  cteTime: 8,
  captureTime: slot('captureTime'),
  flags: slot('flags'),
  sourceAddress: slot('sourceAddress'),
  destinationAddress: slot('destinationAddress'),
  sourcePort: slot('sourcePort'),
  destinationPort: slot('destinationPort'),
  traceCount: slot('traceCount'),
  discardCode: slot('discardCode'),
  packet: CTE_HEADER_LENGTH + fullHeaderLength(slots),
};

const PLACEHOLDER_V4 = { a: { address: '10.0.0.1', port: 1 }, b: { address: '10.0.0.2', port: 2 } };
const PLACEHOLDER_V6 = { a: { address: '2001:db8:0:0:0:0:0:1', port: 1 }, b: { address: '2001:db8:0:0:0:0:0:2', port: 2 } };

/** IPv4 + UDP around `payload` (a DNS message, or syslog text). */
function udpPacket(payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(20 + 8 + payload.length);
  const view = new DataView(packet.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, packet.length);
  view.setUint8(8, 64);
  view.setUint8(9, UDP);
  view.setUint16(24, 8 + payload.length);
  packet.set(payload, 28);
  return packet;
}

/** A DNS query for `name` (type A, class IN), or its answer with `answers` addresses. */
function dnsMessage(name: string, answers: number): Uint8Array {
  const labels = name.split('.').flatMap((label) => [label.length, ...Buffer.from(label, 'ascii')]);
  const question = [...labels, 0, 0, 1, 0, 1];
  const header = [0, 0, answers > 0 ? 0x81 : 0x01, answers > 0 ? 0x80 : 0x00, 0, 1, 0, answers, 0, 0, 0, 0];
  const records: number[] = [];
  for (let i = 0; i < answers; i++) records.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 10 + i);
  return Uint8Array.from([...header, ...question, ...records]);
}

function syslogMessage(length: number): Uint8Array {
  const text = '<134>Nov 14 22:13:20 MVS1 TCPIP: EZZ4313I INITIALIZATION COMPLETE FOR DEVICE OSAQDIO4 ';
  return Buffer.from(text.repeat(Math.ceil(length / text.length)).slice(0, length), 'ascii');
}

function tcpPacket(v6: boolean, flags: number, payload: number): Uint8Array {
  const ends = v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4;
  const letters = (flags & TcpFlag.SYN ? 'S' : '') + (flags & TcpFlag.FIN ? 'F' : '') + (flags & TcpFlag.PSH ? 'P' : '') + (flags & TcpFlag.ACK ? 'A' : '');
  const spec: SegmentSpec = { from: 'a', atMs: 0, flags: letters, seq: 0, ack: 0, length: payload, window: 65535 };
  if (flags & TcpFlag.SYN) spec.options = [2, 4, 0x05, 0xb4]; // MSS 1460
  const conversation = new TcpConversation(ends.a, ends.b);
  conversation.add(spec);
  return conversation.frames[0]!.data;
}

/** Every packet shape built once, by its key; `build` makes the IP packet the first time. */
class ShapeCache {
  private readonly shapes = new Map<string, Shape>();

  get size(): number {
    return this.shapes.size;
  }

  tcp(v6: boolean, flags: number, payload: number, truncate: boolean): Shape {
    return this.get(`tcp/${v6 ? 6 : 4}/${flags}/${payload}/${truncate}`, v6, TCP, flags, truncate, () => tcpPacket(v6, flags, payload));
  }

  dns(name: string, answers: number): Shape {
    return this.get(`dns/${name}/${answers}`, false, UDP, 0, false, () => udpPacket(dnsMessage(name, answers)));
  }

  syslog(length: number): Shape {
    return this.get(`syslog/${length}`, false, UDP, 0, false, () => udpPacket(syslogMessage(length)));
  }

  private get(key: string, v6: boolean, protocol: number, tcpFlags: number, truncate: boolean, build: () => Uint8Array): Shape {
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = buildShape(build(), v6, protocol, tcpFlags, truncate);
      this.shapes.set(key, shape);
    }
    return shape;
  }
}

function buildShape(packet: Uint8Array, v6: boolean, protocol: number, tcpFlags: number, truncate: boolean): Shape {
  const traced = truncate ? Math.min(ABBREV_LENGTH, packet.length) : packet.length;
  const entry = buildPacketEntry({
    packet,
    truncateTo: traced,
    padByte: traced % 2 === 1,
    fields: {
      headerVersion: 1,
      deviceType: v6 ? 53 : 39,
      linkName: v6 ? 'OSAQDIO6' : 'OSAQDIO4',
      sourceAddress: v6 ? PLACEHOLDER_V6.a.address : PLACEHOLDER_V4.a.address,
      destinationAddress: v6 ? PLACEHOLDER_V6.b.address : PLACEHOLDER_V4.b.address,
      protocol,
      asid: 0x3e,
      tcb: 0x007ff0e8,
    },
  });
  const ip = At.packet;
  return { entry, v6, protocol, tcpFlags, ip, transport: ip + (v6 ? 40 : 20), traced, wire: packet.length };
}

// ---- traffic --------------------------------------------------------------------------------------------

type TcpKind = 'tn3270' | 'tn3270v6' | 'ftpData';
type UdpKind = 'dns' | 'syslog';

/** New TCP flows by kind: mostly small interactive exchanges, some IPv6, some bulk transfers. */
const TCP_KINDS: readonly TcpKind[] = ['tn3270', 'tn3270', 'tn3270', 'tn3270v6', 'ftpData'];
const UDP_KINDS: readonly UdpKind[] = ['dns', 'dns', 'dns', 'syslog'];
/** Share of packets that are UDP (DNS lookups by the stack, syslog it sends). */
const UDP_SHARE = 0.15;
const UDP_FLOWS = 20;
const SERVER_PORTS: Record<TcpKind | UdpKind, number> = { tn3270: 23, tn3270v6: 23, ftpData: 30021, dns: 53, syslog: 514 };
const REQUEST_PAYLOADS = [24, 48, 96, 160];
const RESPONSE_PAYLOADS = [120, 300, 536, 900, 1400];
const DNS_NAMES = ['www.example.com', 'mail.example.org', 'ftp01.corp.example.net', 'batch-gateway-03.datacenter.example.com'];
const SYSLOG_LENGTHS = [120, 200, 300];
const BULK_PAYLOAD = 1460;
/** Chance that an inbound data segment is discarded by the stack (the peer then sends it again). */
const DISCARD_CHANCE = 0.01;
/** Chance that an outbound data segment is sent twice (a retransmission timer fired). */
const RESEND_CHANCE = 0.005;
const UDP_DISCARD_CHANCE = 0.002;

interface Segment {
  fromZos: boolean;
  shape: Shape;
  seq: number;
  ack: number;
  discard: number;
}

interface Ends {
  v6: boolean;
  protocol: number;
  zosAddress: Uint8Array;
  peerAddress: Uint8Array;
  zosPort: number;
  peerPort: number;
  /** The DNS message ID, the same in query and answer. */
  dnsId: number;
}

interface TcpFlow extends Ends {
  kind: TcpKind;
  /** Next sequence number each side sends. */
  zosSeq: number;
  peerSeq: number;
  /** Handshake steps 0..2, data phase 3, then the close. */
  step: number;
  /** Data-phase packets still to send (a multiple of 3: request, response, ACK; or data, data, ACK). */
  turnsLeft: number;
  /** A segment to send again on the flow's next turn (after a discard, or a resend). */
  again: Segment | null;
}

interface UdpFlow extends Ends {
  kind: UdpKind;
  step: number;
}

export async function writeSyntheticTrace(request: SyntheticTraceRequest): Promise<SyntheticTraceFacts> {
  const generator = new TraceGenerator(request);
  generator.run();
  return generator.facts;
}

class TraceGenerator {
  private readonly random: Random;
  private readonly shapes = new ShapeCache();
  private readonly traceFile: BufferedFile;
  private readonly pcapFile: BufferedFile | null;
  private readonly records: RdwRecords;
  private readonly buffer = new Uint8Array(TRACE_BUFFER_BYTES);
  private readonly view = new DataView(this.buffer.buffer);
  private readonly pcapRecord = Buffer.alloc(16);
  private used = 0;
  private micros = START_SECOND * 1_000_000;
  private readonly epochMicros: number;
  private nextPort = 1024;
  private readonly tcpFlows: TcpFlow[] = [];
  private readonly udpFlows: UdpFlow[] = [];
  readonly facts: SyntheticTraceFacts = {
    packets: 0,
    traceBytes: 0,
    pcapBytes: 0,
    tcpPackets: 0,
    udpPackets: 0,
    ipv6Packets: 0,
    discarded: 0,
    retransmitted: 0,
    truncated: 0,
    shapes: 0,
  };

  constructor(private readonly request: SyntheticTraceRequest) {
    this.random = new Random(request.seed);
    this.traceFile = new BufferedFile(request.tracePath);
    this.pcapFile = request.pcapPath === null ? null : new BufferedFile(request.pcapPath);
    this.records = new RdwRecords(this.traceFile);
    const epoch = unixTimeToStck(0, 0);
    this.epochMicros = epoch.todHigh * 2 ** 20 + epoch.todLow / 4096;
  }

  run(): void {
    this.writePcapHeader();
    for (let i = 0; i < CONCURRENT_FLOWS - UDP_FLOWS; i++) this.tcpFlows.push(this.newTcpFlow());
    for (let i = 0; i < UDP_FLOWS; i++) this.udpFlows.push(this.newUdpFlow());
    while (this.facts.packets < this.request.packets) {
      if (this.random.next() < UDP_SHARE) {
        const index = this.random.below(this.udpFlows.length);
        if (!this.advanceUdp(this.udpFlows[index]!)) this.udpFlows[index] = this.newUdpFlow();
      } else {
        const index = this.random.below(this.tcpFlows.length);
        if (!this.advanceTcp(this.tcpFlows[index]!)) this.tcpFlows[index] = this.newTcpFlow();
      }
    }
    this.flushBuffer();
    this.records.close();
    this.traceFile.close();
    this.pcapFile?.close();
    this.facts.traceBytes = this.traceFile.bytes;
    this.facts.pcapBytes = this.pcapFile?.bytes ?? 0;
    this.facts.shapes = this.shapes.size;
  }

  private ends(v6: boolean, protocol: number, zosIsServer: boolean, serverPort: number): Ends {
    const host = this.random.below(250) + 2;
    this.nextPort = this.nextPort >= 65000 ? 1024 : this.nextPort + 1;
    return {
      v6,
      protocol,
      zosAddress: v6 ? ipv6Address(0x20010db8, 1, 1) : Uint8Array.of(198, 51, 100, 1),
      peerAddress: v6 ? ipv6Address(0x20010db8, 2, host) : Uint8Array.of(203, 0, 113, host),
      zosPort: zosIsServer ? serverPort : this.nextPort,
      peerPort: zosIsServer ? this.nextPort : serverPort,
      dnsId: this.random.below(0x10000),
    };
  }

  private newTcpFlow(): TcpFlow {
    const kind = this.random.pick(TCP_KINDS);
    const turns = kind === 'ftpData' ? 20 + this.random.below(120) : 4 + this.random.below(16);
    return {
      ...this.ends(kind === 'tn3270v6', TCP, true, SERVER_PORTS[kind]),
      kind,
      zosSeq: Math.floor(this.random.next() * 2 ** 32),
      peerSeq: Math.floor(this.random.next() * 2 ** 32),
      step: 0,
      turnsLeft: 3 * turns,
      again: null,
    };
  }

  private newUdpFlow(): UdpFlow {
    const kind = this.random.pick(UDP_KINDS);
    return { ...this.ends(false, UDP, false, SERVER_PORTS[kind]), kind, step: 0 };
  }

  /** A DNS query and its answer, or one syslog message; false when the flow has ended. */
  private advanceUdp(flow: UdpFlow): boolean {
    const step = flow.step++;
    if (flow.kind === 'syslog') {
      this.send(flow, { fromZos: true, shape: this.shapes.syslog(this.random.pick(SYSLOG_LENGTHS)), seq: 0, ack: 0, discard: 0 });
      return false;
    }
    const name = DNS_NAMES[flow.dnsId % DNS_NAMES.length]!;
    const answer = step === 1;
    const discard = answer && this.random.next() < UDP_DISCARD_CHANCE ? DISCARD_UDP : 0;
    this.send(flow, { fromZos: !answer, shape: this.shapes.dns(name, answer ? 1 + (flow.dnsId % 3) : 0), seq: 0, ack: 0, discard });
    return !answer;
  }

  /** Handshake (the peer connects), the data phase, then the peer closes; false when the flow has ended. */
  private advanceTcp(flow: TcpFlow): boolean {
    if (flow.again !== null) {
      const segment = flow.again;
      flow.again = null;
      this.facts.retransmitted++;
      this.send(flow, { ...segment, discard: 0 });
      return true;
    }
    const v6 = flow.v6;
    const step = flow.step;
    if (step < 3) {
      flow.step++;
      const flags = [TcpFlag.SYN, TcpFlag.SYN | TcpFlag.ACK, TcpFlag.ACK][step]!;
      return this.segment(flow, step === 1, this.shapes.tcp(v6, flags, 0, false), step === 2 ? 0 : 1);
    }
    if (flow.turnsLeft > 0) {
      flow.turnsLeft--;
      return flow.kind === 'ftpData' ? this.bulkData(flow) : this.interactive(flow);
    }
    flow.step++;
    if (step === 3) return this.segment(flow, false, this.shapes.tcp(v6, TcpFlag.FIN | TcpFlag.ACK, 0, false), 1);
    if (step === 4) return this.segment(flow, true, this.shapes.tcp(v6, TcpFlag.FIN | TcpFlag.ACK, 0, false), 1);
    this.segment(flow, false, this.shapes.tcp(v6, TcpFlag.ACK, 0, false), 0);
    return false;
  }

  /** One turn of a request/response session: request in, response out, the peer's ACK. */
  private interactive(flow: TcpFlow): boolean {
    const turn = flow.turnsLeft % 3;
    if (turn === 2) {
      const payload = this.random.pick(REQUEST_PAYLOADS);
      const discard = this.random.next() < DISCARD_CHANCE ? DISCARD_TCP_DATA : 0;
      return this.segment(flow, false, this.shapes.tcp(flow.v6, TcpFlag.PSH | TcpFlag.ACK, payload, false), payload, discard);
    }
    if (turn === 1) {
      const payload = this.random.pick(RESPONSE_PAYLOADS);
      return this.segment(flow, true, this.shapes.tcp(flow.v6, TcpFlag.PSH | TcpFlag.ACK, payload, false), payload);
    }
    return this.segment(flow, false, this.shapes.tcp(flow.v6, TcpFlag.ACK, 0, false), 0);
  }

  /** FTP data from z/OS, traced with ABBREV (cut to 128 bytes); the peer ACKs every other segment. */
  private bulkData(flow: TcpFlow): boolean {
    if (flow.turnsLeft % 3 === 0) return this.segment(flow, false, this.shapes.tcp(flow.v6, TcpFlag.ACK, 0, false), 0);
    return this.segment(flow, true, this.shapes.tcp(flow.v6, TcpFlag.ACK, BULK_PAYLOAD, true), BULK_PAYLOAD);
  }

  /**
   * Sends a TCP segment from one side and advances that side's sequence number by `consumes`. A
   * discarded segment is sent again on the flow's next turn; now and then an outbound data segment is too.
   */
  private segment(flow: TcpFlow, fromZos: boolean, shape: Shape, consumes: number, discard = 0): boolean {
    const seq = fromZos ? flow.zosSeq : flow.peerSeq;
    const ack = (shape.tcpFlags & TcpFlag.ACK) === 0 ? 0 : fromZos ? flow.peerSeq : flow.zosSeq;
    const segment: Segment = { fromZos, shape, seq, ack, discard };
    this.send(flow, segment);
    if (fromZos) flow.zosSeq = (flow.zosSeq + consumes) >>> 0;
    else flow.peerSeq = (flow.peerSeq + consumes) >>> 0;
    const resend = fromZos && shape.traced > ABBREV_LENGTH / 2 && this.random.next() < RESEND_CHANCE;
    if (discard !== 0 || resend) flow.again = segment;
    return true;
  }

  /** Places one packet: its shape's entry copied into the trace buffer and patched, and its pcap record. */
  private send(flow: Ends, s: Segment): void {
    const shape = s.shape;
    const length = shape.entry.length;
    if (this.used + length > TRACE_BUFFER_BYTES) this.flushBuffer();
    this.micros += 1 + this.random.below(200);
    const at = this.used;
    const b = this.buffer;
    const view = this.view;
    b.set(shape.entry, at);
    this.used += length;
    const count = ++this.facts.packets;
    this.putTod(at + At.cteTime, this.micros + ENTRY_DELAY_MICROS);
    this.putTod(at + At.captureTime, this.micros);
    b[at + At.flags] = s.fromZos ? OUTBOUND_FLAG : 0;
    view.setUint32(at + At.traceCount, count);
    view.setUint16(at + At.discardCode, s.discard);
    const source = s.fromZos ? flow.zosAddress : flow.peerAddress;
    const destination = s.fromZos ? flow.peerAddress : flow.zosAddress;
    const sourcePort = s.fromZos ? flow.zosPort : flow.peerPort;
    const destinationPort = s.fromZos ? flow.peerPort : flow.zosPort;
    this.putAddress16(at + At.sourceAddress, source);
    this.putAddress16(at + At.destinationAddress, destination);
    view.setUint16(at + At.sourcePort, sourcePort);
    view.setUint16(at + At.destinationPort, destinationPort);
    const ip = at + shape.ip;
    const t = at + shape.transport;
    b.set(source, ip + (shape.v6 ? 8 : 12));
    b.set(destination, ip + (shape.v6 ? 24 : 16));
    if (!shape.v6) view.setUint16(ip + 4, count & 0xffff); // IP identification
    view.setUint16(t, sourcePort);
    view.setUint16(t + 2, destinationPort);
    if (shape.protocol === TCP) {
      view.setUint32(t + 4, s.seq);
      view.setUint32(t + 8, s.ack);
    } else if (destinationPort === SERVER_PORTS.dns || sourcePort === SERVER_PORTS.dns) {
      view.setUint16(t + 8, flow.dnsId);
    }
    this.count(shape, s);
    this.writePcapRecord(ip, shape);
  }

  private count(shape: Shape, s: Segment): void {
    if (shape.protocol === TCP) this.facts.tcpPackets++;
    else this.facts.udpPackets++;
    if (shape.v6) this.facts.ipv6Packets++;
    if (s.discard !== 0) this.facts.discarded++;
    if (shape.traced < shape.wire) this.facts.truncated++;
  }

  /** STCK of a whole microsecond: microseconds since 1900 shifted left by 12. */
  private putTod(at: number, unixMicros: number): void {
    const micros = unixMicros + this.epochMicros;
    this.view.setUint32(at, Math.floor(micros / 2 ** 20));
    this.view.setUint32(at + 4, (micros % 2 ** 20) * 4096);
  }

  /** A PTHDR address: IPv6 as is, IPv4 as ::ffff:a.b.c.d (the shape already holds the ::ffff: prefix). */
  private putAddress16(at: number, address: Uint8Array): void {
    this.buffer.set(address, address.length === 16 ? at : at + 12);
  }

  private flushBuffer(): void {
    if (this.used === 0) return;
    this.buffer.fill(0, this.used);
    this.records.put(this.buffer);
    this.used = 0;
  }

  /** Classic pcap, little-endian, microseconds, raw IP: what `zctrace convert -o x.pcap` writes. */
  private writePcapHeader(): void {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(MAX_SNAPLEN, 16);
    header.writeUInt32LE(LinkType.RAW, 20);
    this.pcapFile?.put(header);
  }

  private writePcapRecord(ipAt: number, shape: Shape): void {
    if (this.pcapFile === null) return;
    const record = this.pcapRecord;
    record.writeUInt32LE(Math.floor(this.micros / 1_000_000), 0);
    record.writeUInt32LE(this.micros % 1_000_000, 4);
    record.writeUInt32LE(shape.traced, 8);
    record.writeUInt32LE(shape.wire, 12);
    this.pcapFile.put(record);
    this.pcapFile.put(this.buffer, ipAt, ipAt + shape.traced);
  }
}

function ipv6Address(prefix: number, subnet: number, host: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, prefix);
  view.setUint16(6, subnet);
  view.setUint16(14, host);
  return bytes;
}
