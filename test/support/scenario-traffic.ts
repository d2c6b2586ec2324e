/**
 * Traffic for the cases of spec/scenarios.md that the application scenarios (scenario-packets.ts) do not
 * build, with the published addresses, ports, sequence numbers and times (spec/exception-catalog.md E.*):
 * the zero-window stall, duplicate ACKs, the NetBIOS datagram looping into 4114 discards, the OSA port
 * flooded with bad frames (OSAENTA), the IDS fast scan (SYSTCPIS), backscatter and crafted flag
 * combinations; and the way any of them becomes a data set as the z/OS stack would have traced it.
 */
import type { CapturedFrame } from '../../src/capture/capture-file-reader.js';
import { LinkType } from '../../src/capture/link-types.js';
import { type BuiltFrame, TcpConversation, TcpOption } from './tcp-frame-builder.js';
import { buildDataSet, packetEntriesFromFrames, type TracedFrame } from './trace-from-capture.js';
import type { PacketEntrySpec } from './packet-trace-builder.js';
import { buildOsaentaEntry } from './osaenta-builder.js';
import { buildIdsEntry } from './ids-builder.js';
import { ipv4Tcp } from './component-samples.js';
import { echoRequest, frameAt, inTimeOrder, IP_PROTOCOL, ipDatagram, netbiosNameQuery, udpDatagram, unixSeconds, withTcpChecksum } from './scenario-packets.js';

// ---- Frames to data sets --------------------------------------------------------------------------------

/** PTH_DevTy 39: MPC IP AQENET, the OSA-Express QDIO Ethernet link every published case was traced on. */
const MPC_IP_AQENET = 39;
const FLAG_OUTBOUND = 0x20;
const FLAG_DISCARDED = 0x08;

/** Built raw-IP frames as the captured frames the trace builder takes. */
function asCaptured(frames: readonly BuiltFrame[]): CapturedFrame[] {
  return frames.map((frame, i) => ({
    frameNumber: i + 1,
    timeSec: frame.timeSec,
    timeNsec: frame.timeNsec,
    linkType: LinkType.RAW,
    interfaceName: null,
    data: frame.data,
    originalLength: frame.originalLength,
    direction: 'unknown' as const,
    comment: null,
  }));
}

interface PacketTraceOptions {
  /** The traced stack's addresses: packets from them are outbound. */
  local: readonly string[];
  link?: string;
  asid?: number;
  tcb?: number;
  decorate?(traced: TracedFrame, index: number): Partial<PacketEntrySpec>;
}

/**
 * The frame with its IPv4 header checksum computed (RFC 791): the TCP frame builder leaves it 0, and a
 * stack never puts such a header on the wire, so tshark would call every one of them bad.
 */
function withIpv4HeaderChecksum(frame: BuiltFrame): BuiltFrame {
  if ((frame.data[0]! >> 4) !== 4) return frame;
  const data = frame.data.slice();
  const headerLength = (data[0]! & 0x0f) * 4;
  data[10] = data[11] = 0;
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  data[10] = checksum >> 8;
  data[11] = checksum & 0xff;
  return { ...frame, data };
}

/** A SYSTCPDA packet trace of `frames` as the stack at `local` wrote it, downloaded in binary. */
export function packetTrace(frames: readonly BuiltFrame[], options: PacketTraceOptions): Uint8Array {
  const entries = packetEntriesFromFrames(asCaptured(frames.map(withIpv4HeaderChecksum)), {
    localAddresses: [...options.local],
    link: () => ({ name: options.link ?? 'OSAQDIO4', deviceType: MPC_IP_AQENET }),
    ...(options.asid === undefined ? {} : { asid: options.asid }),
    ...(options.tcb === undefined ? {} : { tcb: options.tcb }),
    ...(options.decorate === undefined ? {} : { decorate: options.decorate }),
  });
  return buildDataSet(entries, 'raw');
}

function ipv4Text(ip: Uint8Array, at: number): string {
  return Array.from(ip.subarray(at, at + 4)).join('.');
}

/** Only the frames between two endpoints (TCP or UDP), both directions. */
export function between(frames: readonly BuiltFrame[], a: string, aPort: number, b: string, bPort: number): BuiltFrame[] {
  return frames.filter(({ data }) => {
    const ports = new DataView(data.buffer, data.byteOffset + (data[0]! & 0x0f) * 4);
    const src = `${ipv4Text(data, 12)}:${ports.getUint16(0)}`;
    const dst = `${ipv4Text(data, 16)}:${ports.getUint16(2)}`;
    return (src === `${a}:${aPort}` && dst === `${b}:${bPort}`) || (src === `${b}:${bPort}` && dst === `${a}:${aPort}`);
  });
}

// ---- Zero-window stall (exception-catalog E.11) ---------------------------------------------------------

export const STALL = {
  client: { address: '10.0.52.164', port: 2550 },
  server: { address: '61.8.0.17', port: 80 },
  /** 19:01:58.0869 PST. */
  start: unixSeconds('2005-11-03T03:01:58Z'),
  clientSeq: 49868270,
  /** The server's byte the client acknowledges in row 355. */
  ack355: 2091013511,
  /** The right edge of the client's window all through the stall: nothing is read. */
  rightEdge: 2091022271,
  /** Client window scale (shift 2, as this client offers in E.2); the server offers 0. */
  clientShift: 2,
  serverWindow: 50,
  /** Probe times, seconds after 19:01:00: rows 365, 367, 369, 371, 373, 375. */
  probes: [62.429, 63.5626, 65.7606, 69.8887, 77.953, 94.0273],
  /** Rows 377 and 378: the client opens its window again. */
  reopen: [
    [94.1432, 940],
    [94.1441, 64240],
  ],
} as const;

const HTTP_GET = 'GET /download/netanalysis.zip HTTP/1.1\r\nHost: 61.8.0.17\r\nAccept: */*\r\n\r\n';

/**
 * The stalled HTTP download: handshake, GET, the server's 1460-byte segments while the client's window
 * falls (its application reads nothing), rows 355-379 as published (window 2190 → 1460 → 730 → 0, six
 * 40-byte probes one below the next expected byte at doubling intervals, each answered with window 0,
 * then 940 and 64240), a little more data and the close.
 */
export function zeroWindowFrames(): BuiltFrame[] {
  const s = STALL;
  const c = new TcpConversation(s.client, s.server, s.start);
  const ms = (sec: number): number => (sec - 58) * 1000; // times below are seconds after 19:01:00 (start 19:01:58)
  const scale = 1 << s.clientShift;
  const segment = 1460;
  const firstData = s.ack355 - 12 * segment; // twelve segments before row 355
  const serverIsn = firstData - 1;
  const clientIsn = s.clientSeq - 1 - HTTP_GET.length;
  const clientWindow = (ack: number): number => (s.rightEdge - ack) / scale;
  const data = (atSec: number, seq: number, flags = 'A'): void => {
    c.add({ from: 'b', atMs: ms(atSec), flags, seq, ack: s.clientSeq, window: s.serverWindow, length: segment });
  };
  const ack = (atSec: number, ackNumber: number, window: number): void => {
    c.add({ from: 'a', atMs: ms(atSec), flags: 'A', seq: s.clientSeq, ack: ackNumber, window });
  };
  // The SYN's window is not scaled: the client's buffer ends at the same right edge from the start.
  c.add({ from: 'a', atMs: ms(58.0869), flags: 'S', seq: clientIsn, window: s.rightEdge - firstData, options: [...TcpOption.mss(1460), ...TcpOption.windowScale(s.clientShift), 1, 1, ...TcpOption.sackPermitted()] });
  c.add({ from: 'b', atMs: ms(58.2669), flags: 'SA', seq: serverIsn, ack: clientIsn + 1, window: s.serverWindow, options: [...TcpOption.mss(1460), ...TcpOption.windowScale(0), 1, 1, ...TcpOption.sackPermitted()] });
  c.add({ from: 'a', atMs: ms(58.267), flags: 'A', seq: clientIsn + 1, ack: firstData, window: clientWindow(firstData) });
  c.add({ from: 'a', atMs: ms(58.2675), flags: 'PA', seq: clientIsn + 1, ack: firstData, window: clientWindow(firstData), payload: HTTP_GET });
  // Twelve segments in pairs, 6 ms apart as in rows 356-363; the client takes its time to acknowledge each
  // pair (its host is slow, not the network), the last acknowledgement is row 355.
  const firstPair = 58.4475;
  const lastPair = 61.6941;
  const clientDelay = (lastPair - firstPair) / 5 - 0.0127;
  for (let pair = 0, at = firstPair; pair < 6; pair++) {
    const seq = firstData + pair * 2 * segment;
    data(at, seq);
    data(at + 0.0063, seq + segment);
    const acked = seq + 2 * segment;
    const ackAt = pair === 5 ? 61.7005 : at + 0.0063 + clientDelay;
    ack(ackAt, acked, clientWindow(acked));
    at = ackAt + 0.0064;
  }
  // Rows 356-364.
  data(61.7069, 2091013511);
  data(61.7132, 2091014971);
  ack(61.7132, 2091016431, 1460);
  data(61.7239, 2091016431);
  data(61.7302, 2091017891);
  ack(61.7302, 2091019351, 730);
  data(61.7557, 2091019351);
  data(61.7619, 2091020811);
  ack(61.762, s.rightEdge, 0);
  // Rows 365-376: a 40-byte probe (seq one below the next expected byte), answered with window 0.
  for (const at of s.probes) {
    c.add({ from: 'b', atMs: ms(at), flags: 'A', seq: s.rightEdge - 1, ack: s.clientSeq, window: s.serverWindow });
    ack(at + 0.0001, s.rightEdge, 0);
  }
  for (const [at, window] of s.reopen) ack(at, s.rightEdge, window);
  // Row 379 and a few more segments (the published download goes on for 1.5 minutes), then the close.
  for (let i = 0; i < 6; i++) {
    const seq = s.rightEdge + i * segment;
    data(94.4234 + i * 0.0063, seq, i === 5 ? 'PA' : 'A');
    if (i % 2 === 1) ack(94.4234 + i * 0.0063 + 0.0001, seq + segment, 64240);
  }
  const end = s.rightEdge + 6 * segment;
  c.add({ from: 'b', atMs: ms(94.5), flags: 'FA', seq: end, ack: s.clientSeq, window: s.serverWindow });
  c.add({ from: 'a', atMs: ms(94.5001), flags: 'A', seq: s.clientSeq, ack: end + 1, window: 64240 });
  c.add({ from: 'a', atMs: ms(94.51), flags: 'FA', seq: s.clientSeq, ack: end + 1, window: 64240 });
  c.add({ from: 'b', atMs: ms(94.69), flags: 'A', seq: end + 1, ack: s.clientSeq + 1, window: s.serverWindow });
  return c.frames.map(withTcpChecksum);
}

// ---- Duplicate ACKs (exception-catalog PERF-01, E.16 flow 36) ---------------------------------------------

export const DUP_ACKS = {
  client: { address: '192.168.1.105', port: 49330 },
  server: { address: '143.166.11.10', port: 64334 },
  /** Flow 36 starts at epoch 1258594163.408285; the loss is some 21 s into the transfer. */
  start: 1_258_594_185,
  clientSeq: 3392384643,
  clientWindow: 64860,
  serverWindow: 8192,
  segment: 1380,
  /** The segment lost on the way to the client (packet 4209 resends it). */
  lost: 3179870150,
  /** Segments after it, up to 4207's seq 3179901890 (S23). */
  after: 23,
  /** Two more after the retransmission (4210, 4211). */
  tail: 2,
} as const;

/**
 * The receiving side of flow 36: two segments arrive and are acknowledged (ack 3179870150); the next one
 * is lost, so each of the 23 segments after it is answered with the same acknowledgement (a duplicate ACK
 * whose SACK block grows by 1380 bytes); after the 23rd the sender resends the lost segment (a fast
 * retransmission), the client acknowledges everything, two more segments, the close.
 */
export function duplicateAckFrames(): BuiltFrame[] {
  const d = DUP_ACKS;
  const c = new TcpConversation(d.client, d.server, d.start);
  let t = 0;
  const data = (seq: number, flags = 'A'): void => {
    c.add({ from: 'b', atMs: t, flags, seq, ack: d.clientSeq, window: d.serverWindow, length: d.segment });
  };
  const ack = (ackNumber: number, sack?: [number, number]): void => {
    const options = sack === undefined ? [] : [1, 1, ...TcpOption.sack(sack[0], sack[1])];
    c.add({ from: 'a', atMs: t, flags: 'A', seq: d.clientSeq, ack: ackNumber, window: d.clientWindow, options });
  };
  const seqOf = (k: number): number => d.lost + k * d.segment; // k = 0 is the lost segment
  data(seqOf(-2));
  t += 0.3;
  data(seqOf(-1));
  t += 0.2;
  ack(d.lost);
  for (let k = 1; k <= d.after; k++) {
    t += 0.3;
    data(seqOf(k));
    t += 0.05;
    ack(d.lost, [seqOf(1), seqOf(k + 1)]);
  }
  t += 0.3;
  data(d.lost); // the fast retransmission
  t += 0.05;
  ack(seqOf(d.after + 1));
  for (let k = d.after + 1; k <= d.after + d.tail; k++) {
    t += 0.3;
    data(seqOf(k), k === d.after + d.tail ? 'PA' : 'A');
    t += 0.05;
    ack(seqOf(k + 1));
  }
  const end = seqOf(d.after + d.tail + 1);
  t += 2;
  c.add({ from: 'b', atMs: t, flags: 'FA', seq: end, ack: d.clientSeq, window: d.serverWindow });
  t += 0.1;
  c.add({ from: 'a', atMs: t, flags: 'A', seq: d.clientSeq, ack: end + 1, window: d.clientWindow });
  t += 0.2;
  c.add({ from: 'a', atMs: t, flags: 'FA', seq: d.clientSeq, ack: end + 1, window: d.clientWindow });
  t += 80;
  c.add({ from: 'b', atMs: t, flags: 'A', seq: end + 1, ack: d.clientSeq + 1, window: d.serverWindow });
  return c.frames.map(withTcpChecksum);
}

// ---- NetBIOS broadcasts discarded 4114 (exception-catalog E.10) -------------------------------------------

export const NBNS_LOOP = {
  source: '172.29.96.93',
  destination: '172.29.191.255',
  ipId: 0x0135,
  firstTtl: 127,
  copies: 127,
  /** 12:13:24.2578 PST, copies about 0.8 ms apart. */
  start: unixSeconds('2013-05-14T19:13:24Z'),
  firstMs: 257.8,
  stepMs: 0.8,
  link: 'OSDL',
  discardCode: 4114,
  asid: 0x4f,
  traceCount: 54565746,
} as const;

/** The same NBNS name query 127 times, TTL 127 down to 1, as the stack received and discarded it. */
export function nbnsLoopFrames(): BuiltFrame[] {
  const n = NBNS_LOOP;
  const query = netbiosNameQuery(0x8123, 'AQSGROUP', 0x1d);
  const frames: BuiltFrame[] = [];
  for (let i = 0; i < n.copies; i++) {
    const datagram = udpDatagram(n.source, 137, n.destination, 137, query, { id: n.ipId, ttl: n.firstTtl - i });
    frames.push(frameAt(n.start, n.firstMs + i * n.stepMs, datagram));
  }
  return frames;
}

// ---- OSA flooded with bad packets (exception-catalog C.9, E.10) ---------------------------------------------

/** NETSTAT DEVLINKS and STATS figures of the case, divided by SCALE for the sample. */
export const OSA_FLOOD = {
  scale: 500_000,
  inboundPackets: 194_853_959,
  inboundInError: 194_353_459,
  inboundDiscarded: 194_352_011,
  outboundPackets: 387_012,
  port: 'OSDLPORT',
  deviceId: 0x00010002,
  localMac: '02:00:00:29:60:14',
  localIp: '172.29.96.20',
  floodMac: '02:00:00:29:60:5d',
  floodIp: '172.29.96.93',
  /** Not a broadcast address of 172.29.96.0/24, the link's subnet: an invalid destination here. */
  floodDestination: '172.29.191.255',
  pingerMac: '02:00:00:29:60:28',
  pingerIp: '172.29.96.40',
  /**
   * The OSA's discard reason code for these frames. OSA codes (1-4095) are listed in the OSA-Express
   * Customer's Guide, not in zctrace's table, so the report shows the code and the OSA layer only.
   */
  discardCode: 1,
  start: unixSeconds('2013-05-14T19:13:20Z'),
  spanMs: 2000,
} as const;

function macBytes(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

function ethernet(destination: string, source: string, ip: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + ip.length);
  frame.set(macBytes(destination), 0);
  frame.set(macBytes(source), 6);
  frame[12] = 0x08; // IPv4
  frame.set(ip, 14);
  return frame;
}

/** The IPv4 header checksum broken: a header error. */
function withBadHeaderChecksum(ip: Uint8Array): Uint8Array {
  const out = ip.slice();
  out[10] = out[10]! ^ 0x5a;
  return out;
}

export function scaledDown(count: number): number {
  return Math.round(count / OSA_FLOOD.scale);
}

interface OsaFrame {
  frame: Uint8Array;
  atMs: number;
  outbound: boolean;
  discarded: boolean;
}

/**
 * What the OSA port saw, 1 : 500,000: 390 inbound frames of which 389 are broadcast frames carrying a
 * NetBIOS name query to 172.29.191.255 with a broken IP header checksum (discarded by the OSA), and one
 * echo request to the stack that goes through; one outbound frame, the echo reply.
 */
function osaFloodFrames(): OsaFrame[] {
  const o = OSA_FLOOD;
  const bad = scaledDown(o.inboundDiscarded);
  const inbound = scaledDown(o.inboundPackets);
  const frames: OsaFrame[] = [];
  const query = netbiosNameQuery(0x8200, 'AQSGROUP', 0x1d);
  for (let i = 0; i < bad; i++) {
    const ip = withBadHeaderChecksum(udpDatagram(o.floodIp, 137, o.floodDestination, 137, query, { id: 0x1000 + i, ttl: 128 }));
    frames.push({ frame: ethernet('ff:ff:ff:ff:ff:ff', o.floodMac, ip), atMs: (i * o.spanMs) / bad, outbound: false, discarded: true });
  }
  for (let i = bad; i < inbound; i++) {
    const atMs = 1000.2;
    const request = echoRequest(o.pingerIp, o.localIp, 0x0200, 1, { id: 0x2001 });
    frames.push({ frame: ethernet(o.localMac, o.pingerMac, request), atMs, outbound: false, discarded: false });
    const reply = new Uint8Array(request.subarray(20));
    reply[0] = 0; // echo reply: type 0, checksum adjusted by the type's difference (8 → 0)
    const sum = ((reply[2]! << 8) | reply[3]!) + 0x0800;
    const folded = (sum & 0xffff) + (sum >>> 16);
    reply[2] = folded >> 8;
    reply[3] = folded & 0xff;
    const replyIp = ipDatagram(o.localIp, o.pingerIp, IP_PROTOCOL.ICMP, reply, { id: 0x5001 });
    frames.push({ frame: ethernet(o.pingerMac, o.localMac, replyIp), atMs: atMs + 0.05, outbound: true, discarded: false });
  }
  return frames.sort((a, b) => a.atMs - b.atMs);
}

export function osaFloodDataSet(): Uint8Array {
  const o = OSA_FLOOD;
  const entries = osaFloodFrames().map(({ frame, atMs, outbound, discarded }) => {
    const total = Math.round(atMs * 1e6);
    return buildOsaentaEntry({
      frame,
      deviceId: o.deviceId,
      fields: {
        linkName: o.port,
        deviceType: MPC_IP_AQENET,
        flags: (outbound ? FLAG_OUTBOUND : 0) | (discarded ? FLAG_DISCARDED : 0),
        captureTime: { sec: o.start + Math.floor(total / 1e9), nsec: total % 1e9 },
        ...(discarded ? { discardCode: o.discardCode } : {}),
      },
    });
  });
  return buildDataSet(entries, 'raw');
}

// ---- IDS scan (exception-catalog E.12) ------------------------------------------------------------------

export const IDS_FAST_SCAN = {
  scanner: '50.79.43.252',
  scannerPort: 53,
  target: '192.86.33.199',
  /** Records 4-15: destination port and time (ms after 15:39:35 PDT, 2016-06-22). */
  probes: [
    [53, 105.9],
    [256, 106.8],
    [23, 111.7],
    [1720, 111.8],
    [113, 113.0],
    [993, 116.9],
    [1025, 117.0],
    [3389, 117.0],
    [3306, 117.0],
    [8080, 163.2],
    [143, 166.3],
    [1723, 166.3],
  ],
  /** Record 16: the scanner's RST to port 21 (which answered its SYN: an open port). */
  rst: { port: 21, atMs: 171.6 },
  start: unixSeconds('2016-06-22T22:39:35Z'),
  seq: 1998194860,
  window: 1024,
  mss: 1460,
  ttl: 34,
  firstIpId: 0x9807,
  probeId: 0x03020002,
  rstProbeId: 0x03020020,
  correlator: 2,
  rule: 'ScanEventLowTcp-rule',
  link: 'OSAQDIO4',
  job: 'TCPIP',
  asid: 0x0031,
} as const;

export function idsScanDataSet(): Uint8Array {
  const s = IDS_FAST_SCAN;
  const record = (packet: Uint8Array, probeId: number, atMs: number): Uint8Array => {
    const total = Math.round(atMs * 1e6);
    return buildIdsEntry({
      probeId,
      packet,
      correlator: s.correlator,
      policyRule: s.rule,
      jobName: s.job,
      fields: { linkName: s.link, deviceType: MPC_IP_AQENET, asid: s.asid, captureTime: { sec: s.start + Math.floor(total / 1e9), nsec: total % 1e9 } },
    });
  };
  const base = { source: s.scanner, destination: s.target, sourcePort: s.scannerPort, ttl: s.ttl };
  const entries = s.probes.map(([port, atMs], i) =>
    record(ipv4Tcp({ ...base, destinationPort: port, seq: s.seq, flags: 0x02, window: s.window, id: s.firstIpId + i, mss: s.mss }), s.probeId, atMs),
  );
  const rst = ipv4Tcp({ ...base, destinationPort: s.rst.port, seq: s.seq + 1, flags: 0x04, window: 0, id: s.firstIpId + s.probes.length });
  entries.push(record(rst, s.rstProbeId, s.rst.atMs));
  return buildDataSet(entries, 'raw');
}

// ---- SYN-ACK to a scanner: backscatter (exception-catalog E.14i, SCAN-14) ----------------------------------

/** Our stack is one of the spoofed addresses: private addresses stand for the published host names. */
export const BACKSCATTER = {
  local: '10.44.0.21',
  /** major.irc.host: SYN-ACKs from 6666/6667, ack 674711610, MSS 1460, retransmitted with the same ISNs. */
  ircHost: '172.30.66.67',
  /** firstclass.server.edu: RSTs from port 510. */
  firstclass: '172.30.51.10',
  /** auction.this.com: RSTs from port 23. */
  auction: '172.30.23.23',
  toolAck: 674711610,
  day: '2000-02-21',
} as const;

export function backscatterFrames(): BuiltFrame[] {
  const b = BACKSCATTER;
  const at = (time: string): number => unixSeconds(`${b.day}T${time}Z`);
  const frames: BuiltFrame[] = [];
  const synAcks = [
    // [their port, our port, window, ISN, first time, retransmitted after (s)]
    [6666, 1578, 4096, 1822395560, '05:41:36.107', 61.2],
    [6667, 1578, 61440, 311457256, '05:42:02.530', 74.5],
    [6666, 1433, 4096, 1074583123, '05:42:40.861', 92.0],
    [6667, 1433, 61440, 2056091293, '05:43:10.342', 60.4],
  ] as const;
  for (const [theirPort, ourPort, window, isn, time, again] of synAcks) {
    const c = new TcpConversation({ address: b.ircHost, port: theirPort }, { address: b.local, port: ourPort }, at(time));
    c.add({ from: 'a', atMs: 0, flags: 'SA', seq: isn, ack: b.toolAck, window, options: TcpOption.mss(1460) });
    c.add({ from: 'a', atMs: again * 1000, flags: 'SA', seq: isn, ack: b.toolAck, window, options: TcpOption.mss(1460) });
    frames.push(...c.frames);
  }
  const resets = [
    [b.firstclass, 510, 7002, '06:20:51.570058'],
    [b.auction, 23, 1985, '12:52:10.211'],
    [b.auction, 23, 1554, '12:54:37.644'],
    [b.auction, 23, 1409, '12:55:38.093'],
    [b.firstclass, 510, 6666, '13:55:27.737433'],
    [b.firstclass, 510, 32771, '23:30:53.567215'],
  ] as const;
  for (const [sender, theirPort, ourPort, time] of resets) {
    const c = new TcpConversation({ address: sender, port: theirPort }, { address: b.local, port: ourPort }, at(time));
    c.add({ from: 'a', atMs: 0, flags: 'RA', seq: 0, ack: b.toolAck, window: 0 });
    frames.push(...c.frames);
  }
  return inTimeOrder(frames).map(withTcpChecksum);
}

// ---- Illegal flag combinations (exception-catalog SCAN-05..08, E.16 nmap OS probes) -------------------------

export const CRAFTED = {
  scanner: '10.20.6.125',
  target: '10.20.0.125',
  /** A closed port of the target, as nmap's OS probes use. */
  closedPort: 41089,
  /** The ISN shared by the tool's probes (E.16 tcpISeqN 2449289213). */
  isn: 2449289213,
  start: unixSeconds('2014-11-18T12:20:00Z'),
} as const;

/** [flags, the scenario's words, what the report calls it, source port, window, answered with RST-ACK?] */
export const CRAFTED_PROBES = [
  ['SF', 'SYN+FIN', 'SYN+FIN', 56862, 31337, true],
  ['SR', 'SYN+RST', 'SYN+RST', 56863, 31337, false],
  ['F', 'FIN without ACK', 'FIN without ACK', 56864, 1024, true],
  ['', 'no flags at all', 'NULL', 56865, 1024, true],
  ['FSRPAU', 'all flags (XMAS)', 'XMAS', 56866, 65535, false],
] as const;

/** One crafted segment of each kind to a closed port; the target answers with RST-ACK where RFC 9293 says so. */
export function illegalFlagFrames(): BuiltFrame[] {
  const c = CRAFTED;
  const frames: BuiltFrame[] = [];
  CRAFTED_PROBES.forEach(([flags, , , sourcePort, window, answered], i) => {
    const t = new TcpConversation({ address: c.scanner, port: sourcePort }, { address: c.target, port: c.closedPort }, c.start);
    t.add({ from: 'a', atMs: i * 120, flags, seq: c.isn, window });
    const consumed = (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0);
    if (answered) t.add({ from: 'b', atMs: i * 120 + 0.4, flags: 'RA', seq: 0, ack: (c.isn + consumed) >>> 0, window: 0 });
    frames.push(...t.frames);
  });
  return frames.map(withTcpChecksum);
}
