/**
 * Small SYSTCPOT and SYSTCPIS data sets for samples/ and tests.
 *
 * OSAENTA: the real Ethernet frames of test/fixtures/real-mixed.pcap as the OSA port of the stack at
 * 198.51.100.1 would have traced them, with what a veth capture lacks added: 802.1Q tags (IPv4 on VLAN
 * 100, IPv6 on VLAN 200), the ARP exchange before the first packet, two frames the OSA discarded, and the
 * IPv6 HTTP transfer traced with ABBREV=200 (cut to 224 bytes).
 *
 * IDS: the two intrusion detection cases of the scenarios spec: a fast TCP scan from 50.79.43.252 (one
 * SYN per port with the same sequence number, window 1024, MSS 1460, TTL 34; probe 03020002, correlator 2,
 * rule ScanEventLowTcp-rule, then the scanner's RST, probe 03020020) and a malformed packet (probe
 * 04010006, rule AttackMalformed-rule, action Attack-action). Packets carry correct checksums.
 */
import { fileURLToPath } from 'node:url';
import { readFrames, buildDataSet } from './trace-from-capture.js';
import { arpFrame, buildOsaentaEntry, withVlanTag } from './osaenta-builder.js';
import { buildIdsEntry } from './ids-builder.js';
import type { CapturedFrame } from '../../src/capture/capture-file-reader.js';
import type { UnixTime } from './packet-trace-builder.js';

const REAL_MIXED = fileURLToPath(new URL('../fixtures/real-mixed.pcap', import.meta.url));

/** PTH_Flag bits as the default layout profile names them: outbound 0x20, discarded 0x08. */
const FLAG_OUTBOUND = 0x20;
const FLAG_DISCARDED = 0x08;

export const OSA_SAMPLE = {
  port: 'OSAPORT1',
  /** Shown as 00-01-00-02. */
  deviceId: 0x00010002,
  localMac: '02:00:5e:10:00:01',
  peerMac: '02:00:5e:10:00:02',
  localIp: '198.51.100.1',
  peerIp: '198.51.100.2',
  ipv4Vlan: 100,
  ipv6Vlan: 200,
  abbrev: 200,
  /** PTH_DevTy: MPC IP AQENET, the QDIO Ethernet device the OSA port serves. */
  deviceType: 39,
  /** Frames (1-based, in the fixture) the OSA discarded, with the code it gave: an IPv4 and an IPv6 echo reply. */
  discards: new Map([
    [4, 7],
    [12, 10],
  ]),
} as const;

const ETHER_TYPE_IPV6 = 0x86dd;
const ARP_LEAD_NS = 2_000_000;

function earlier(time: UnixTime, ns: number): UnixTime {
  const total = time.sec * 1e9 + time.nsec - ns;
  return { sec: Math.floor(total / 1e9), nsec: total % 1e9 };
}

function isIpv6(frame: Uint8Array): boolean {
  return ((frame[12]! << 8) | frame[13]!) === ETHER_TYPE_IPV6;
}

function isFromLocal(frame: Uint8Array): boolean {
  return Array.from(frame.subarray(6, 12), (b) => b.toString(16).padStart(2, '0')).join(':') === OSA_SAMPLE.localMac;
}

/** The ARP request and reply that resolved the peer, just before the first packet. */
function arpEntries(first: UnixTime): Uint8Array[] {
  const s = OSA_SAMPLE;
  const request = arpFrame({ operation: 1, senderMac: s.localMac, senderIp: s.localIp, targetMac: '00:00:00:00:00:00', targetIp: s.peerIp });
  const reply = arpFrame({ operation: 2, senderMac: s.peerMac, senderIp: s.peerIp, targetMac: s.localMac, targetIp: s.localIp });
  return [
    { frame: request, flags: FLAG_OUTBOUND, time: earlier(first, ARP_LEAD_NS) },
    { frame: reply, flags: 0, time: earlier(first, ARP_LEAD_NS / 2) },
  ].map(({ frame, flags, time }) =>
    buildOsaentaEntry({ frame: withVlanTag(frame, s.ipv4Vlan), deviceId: s.deviceId, fields: { linkName: s.port, deviceType: s.deviceType, flags, captureTime: time } }),
  );
}

function osaentaFrameEntry(captured: CapturedFrame): Uint8Array {
  const s = OSA_SAMPLE;
  const v6 = isIpv6(captured.data);
  const discard = s.discards.get(captured.frameNumber);
  const flags = (isFromLocal(captured.data) ? FLAG_OUTBOUND : 0) | (discard === undefined ? 0 : FLAG_DISCARDED);
  return buildOsaentaEntry({
    frame: withVlanTag(captured.data, v6 ? s.ipv6Vlan : s.ipv4Vlan),
    deviceId: s.deviceId,
    fields: { linkName: s.port, deviceType: s.deviceType, flags, captureTime: { sec: captured.timeSec, nsec: captured.timeNsec }, ...(discard === undefined ? {} : { discardCode: discard }) },
    ...(v6 ? { abbrev: s.abbrev } : {}),
  });
}

/** The OSAENTA entries in time order: the ARP exchange, then every fixture frame. */
export async function osaentaSampleEntries(): Promise<Uint8Array[]> {
  const frames = await readFrames(REAL_MIXED);
  const first = frames[0]!;
  return [...arpEntries({ sec: first.timeSec, nsec: first.timeNsec }), ...frames.map(osaentaFrameEntry)];
}

/** The OSAENTA sample as a `binary` FTP download delivers it. */
export async function osaentaSample(): Promise<Uint8Array> {
  return buildDataSet(await osaentaSampleEntries(), 'raw');
}

// ---- IDS ------------------------------------------------------------------------------------------------

export interface Ipv4TcpSpec {
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
  seq: number;
  /** TCP flag bits: 0x02 SYN, 0x04 RST, 0x10 ACK. */
  flags: number;
  window: number;
  ttl: number;
  id: number;
  mss?: number;
  /** Payload bytes (zeros) after the TCP header. */
  payloadLength?: number;
}

function ones(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** An IPv4 TCP segment with correct IP and TCP checksums (RFC 791, RFC 9293). */
export function ipv4Tcp(spec: Ipv4TcpSpec): Uint8Array {
  const tcpHeaderLength = spec.mss === undefined ? 20 : 24;
  const tcpLength = tcpHeaderLength + (spec.payloadLength ?? 0);
  const packet = new Uint8Array(20 + tcpLength);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  view.setUint16(4, spec.id);
  packet[8] = spec.ttl;
  packet[9] = 6;
  packet.set(spec.source.split('.').map(Number), 12);
  packet.set(spec.destination.split('.').map(Number), 16);
  view.setUint16(10, ~ones(packet.subarray(0, 20)) & 0xffff);
  view.setUint16(20, spec.sourcePort);
  view.setUint16(22, spec.destinationPort);
  view.setUint32(24, spec.seq);
  packet[32] = (tcpHeaderLength / 4) << 4;
  packet[33] = spec.flags;
  view.setUint16(34, spec.window);
  if (spec.mss !== undefined) packet.set([2, 4, spec.mss >> 8, spec.mss & 0xff], 40);
  const pseudo = new Uint8Array(12);
  pseudo.set(packet.subarray(12, 20), 0);
  pseudo[9] = 6;
  new DataView(pseudo.buffer).setUint16(10, tcpLength);
  view.setUint16(36, ~ones(packet.subarray(20), ones(pseudo)) & 0xffff);
  return packet;
}

export const IDS_SCAN = {
  scanner: '50.79.43.252',
  scannerPort: 53,
  target: '192.86.33.199',
  ports: [53, 256, 23, 1720, 113, 993, 1025, 3389, 3306, 8080, 143, 1723],
  seq: 1998194860,
  window: 1024,
  mss: 1460,
  ttl: 34,
  probe: 0x03020002,
  rstProbe: 0x03020020,
  correlator: 2,
  rule: 'ScanEventLowTcp-rule',
  link: 'OSAQDIO4',
  deviceType: 39,
  job: 'TCPIP',
  asid: 0x0031,
  /** The first SYN; the others follow every 150 ms, a fast scan. */
  start: { sec: 1_489_586_531, nsec: 250_000_000 },
  intervalNs: 150_000_000,
} as const;

export const IDS_MALFORMED = {
  source: '164.216.140.182',
  destination: '251.238.107.85',
  probe: 0x04010006,
  correlator: 3,
  rule: 'AttackMalformed-rule',
  action: 'Attack-action',
  time: { sec: 1_489_590_000, nsec: 500_000_000 },
} as const;

const TCP_SYN = 0x02;
const TCP_RST = 0x04;

function scanRecord(index: number, packet: Uint8Array, probeId: number): Uint8Array {
  const s = IDS_SCAN;
  const total = s.start.nsec + index * s.intervalNs;
  return buildIdsEntry({
    probeId,
    packet,
    correlator: s.correlator,
    policyRule: s.rule,
    jobName: s.job,
    fields: { linkName: s.link, deviceType: s.deviceType, asid: s.asid, captureTime: { sec: s.start.sec + Math.floor(total / 1e9), nsec: total % 1e9 } },
  });
}

/** The scan: a SYN to each port, then the scanner's RST to the last one. */
export function idsScanEntries(): Uint8Array[] {
  const s = IDS_SCAN;
  const base = { source: s.scanner, destination: s.target, sourcePort: s.scannerPort, window: s.window, ttl: s.ttl };
  const entries = s.ports.map((port, i) =>
    scanRecord(i, ipv4Tcp({ ...base, destinationPort: port, seq: s.seq, flags: TCP_SYN, id: 0x3a00 + i * 0x11, mss: s.mss }), s.probe),
  );
  const last = s.ports[s.ports.length - 1]!;
  const rst = ipv4Tcp({ ...base, destinationPort: last, seq: s.seq + 1, flags: TCP_RST, window: 0, id: 0x3a00 + s.ports.length * 0x11 });
  entries.push(scanRecord(s.ports.length, rst, s.rstProbe));
  return entries;
}

/** The malformed-packet attack record. */
export function idsMalformedEntry(): Uint8Array {
  const m = IDS_MALFORMED;
  const packet = ipv4Tcp({ source: m.source, destination: m.destination, sourcePort: 40123, destinationPort: 23, seq: 7_700_001, flags: TCP_SYN, window: 8192, ttl: 51, id: 0x1c2d });
  return buildIdsEntry({
    probeId: m.probe,
    packet,
    correlator: m.correlator,
    policyRule: m.rule,
    actionName: m.action,
    jobName: IDS_SCAN.job,
    fields: { linkName: IDS_SCAN.link, deviceType: IDS_SCAN.deviceType, asid: IDS_SCAN.asid, captureTime: m.time },
  });
}

/** The IDS sample as a `binary` FTP download delivers it: the scan, then the malformed packet. */
export function idsSample(): Uint8Array {
  return buildDataSet([...idsScanEntries(), idsMalformedEntry()], 'raw');
}
