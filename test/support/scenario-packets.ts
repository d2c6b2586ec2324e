/**
 * Packet builders for the application analysis, and the cases of spec/scenarios.md rebuilt as synthetic
 * traffic (addresses, ports, sequence numbers and times as the case studies publish them, where they do):
 * UDP, ICMP/ICMPv6 errors quoting what they answer, DNS, DHCP, TLS records, SNMP, NetBIOS name service,
 * and scripted TCP sessions with real FTP text. Every frame is raw IP (LINKTYPE_RAW) with correct IP, UDP
 * and ICMP checksums, so tshark dissects it without complaint; the samples reuse these scenarios.
 */
import { type BuiltFrame, type Endpoint, type SegmentSpec, TcpConversation, TcpOption } from './tcp-frame-builder.js';

// ---- Bytes and checksums ------------------------------------------------------------------------------

function addressBytes(address: string): number[] {
  if (address.includes('.')) return address.split('.').map(Number);
  // Full or "::"-shortened IPv6 text.
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]);
}

function sum16(bytes: Uint8Array | number[], initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function checksum(bytes: Uint8Array | number[], initial = 0): number {
  return ~sum16(bytes, initial) & 0xffff;
}

export function textBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function be16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function be32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

// ---- IP, UDP, ICMP ------------------------------------------------------------------------------------

export const IP_PROTOCOL = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

export interface IpOptions {
  id?: number;
  ttl?: number;
  dontFragment?: boolean;
}

/** An IPv4 or IPv6 datagram around `payload` (IPv6 when the source address holds a colon). */
export function ipDatagram(source: string, destination: string, protocol: number, payload: Uint8Array, options: IpOptions = {}): Uint8Array {
  if (source.includes(':')) {
    const header = new Uint8Array(40);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x6000_0000);
    view.setUint16(4, payload.length);
    header[6] = protocol;
    header[7] = options.ttl ?? 64;
    header.set(addressBytes(source), 8);
    header.set(addressBytes(destination), 24);
    return concat(header, payload);
  }
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  header[0] = 0x45;
  view.setUint16(2, 20 + payload.length);
  view.setUint16(4, options.id ?? 0);
  view.setUint16(6, options.dontFragment === true ? 0x4000 : 0);
  header[8] = options.ttl ?? 64;
  header[9] = protocol;
  header.set(addressBytes(source), 12);
  header.set(addressBytes(destination), 16);
  view.setUint16(10, checksum(header));
  return concat(header, payload);
}

/** The pseudo-header sum of RFC 768 / RFC 8200 §8.1 for a transport checksum. */
function pseudoHeaderSum(source: string, destination: string, protocol: number, length: number): number {
  const v6 = source.includes(':');
  const pseudo = v6
    ? [...addressBytes(source), ...addressBytes(destination), ...be32(length), 0, 0, 0, protocol]
    : [...addressBytes(source), ...addressBytes(destination), 0, protocol, ...be16(length)];
  return sum16(pseudo);
}

export function udpDatagram(source: string, sourcePort: number, destination: string, destinationPort: number, payload: Uint8Array, options: IpOptions = {}): Uint8Array {
  const udp = concat([...be16(sourcePort), ...be16(destinationPort), ...be16(8 + payload.length), 0, 0], payload);
  const sum = checksum(udp, pseudoHeaderSum(source, destination, IP_PROTOCOL.UDP, udp.length));
  udp.set(be16(sum === 0 ? 0xffff : sum), 6);
  return ipDatagram(source, destination, IP_PROTOCOL.UDP, udp, options);
}

/**
 * An ICMP (IPv4) or ICMPv6 error from `reporter` about `original`, quoting its first `quoteBytes` bytes
 * (default: the IP header + 8, as RFC 792 asks). `rest` is the 4-byte field after the checksum.
 */
export function icmpError(reporter: string, original: Uint8Array, type: number, code: number, rest = 0, quoteBytes?: number, options: IpOptions = {}): Uint8Array {
  const v6 = (original[0] ?? 0) >> 4 === 6;
  const originalSource = v6 ? formatV6(original, 8) : original.slice(12, 16).join('.');
  const quoteLength = Math.min(original.length, quoteBytes ?? (v6 ? original.length : ((original[0] ?? 0) & 0x0f) * 4 + 8));
  const message = concat([type, code, 0, 0, ...be32(rest)], original.subarray(0, quoteLength));
  const initial = v6 ? pseudoHeaderSum(reporter, originalSource, IP_PROTOCOL.ICMPV6, message.length) : 0;
  message.set(be16(checksum(message, initial)), 2);
  return ipDatagram(reporter, originalSource, v6 ? IP_PROTOCOL.ICMPV6 : IP_PROTOCOL.ICMP, message, options);
}

/**
 * Fills in the TCP checksum of a raw-IP frame built by tcp-frame-builder (which leaves it 0), so the
 * frame reads as a real stack wrote it: no "checksum offload" or bad-checksum remarks about samples.
 */
export function withTcpChecksum(frame: BuiltFrame): BuiltFrame {
  const data = frame.data;
  const v6 = (data[0] ?? 0) >> 4 === 6;
  const headerLength = v6 ? 40 : ((data[0] ?? 0) & 0x0f) * 4;
  if ((v6 ? data[6] : data[9]) !== IP_PROTOCOL.TCP || data.length !== frame.originalLength) return frame;
  const segment = data.subarray(headerLength);
  segment[16] = segment[17] = 0;
  const source = v6 ? formatV6(data, 8) : data.slice(12, 16).join('.');
  const destination = v6 ? formatV6(data, 24) : data.slice(16, 20).join('.');
  segment.set(be16(checksum(segment, pseudoHeaderSum(source, destination, IP_PROTOCOL.TCP, segment.length))), 16);
  return frame;
}

/** An ICMP echo request (type 8) or ICMPv6 one (type 128). */
export function echoRequest(source: string, destination: string, id: number, sequence: number, options: IpOptions = {}): Uint8Array {
  const v6 = source.includes(':');
  const message = new Uint8Array([v6 ? 128 : 8, 0, 0, 0, ...be16(id), ...be16(sequence), ...textBytes('zctrace-echo-data')]);
  const initial = v6 ? pseudoHeaderSum(source, destination, IP_PROTOCOL.ICMPV6, message.length) : 0;
  message.set(be16(checksum(message, initial)), 2);
  return ipDatagram(source, destination, v6 ? IP_PROTOCOL.ICMPV6 : IP_PROTOCOL.ICMP, message, options);
}

function formatV6(bytes: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push((((bytes[at + 2 * i] ?? 0) << 8) | (bytes[at + 2 * i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

// ---- DNS ----------------------------------------------------------------------------------------------

export const DnsType = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;

export interface DnsSpec {
  id: number;
  name: string;
  type?: number;
  response?: boolean;
  rcode?: number;
  /** Flags other than QR and RCODE: authoritative, truncated, recursion desired/available. */
  authoritative?: boolean;
  truncated?: boolean;
  recursionAvailable?: boolean;
  /** IPv4 answers (A records) for the question, in a response. */
  answers?: string[];
}

function dnsName(name: string): number[] {
  return [...name.split('.').filter((label) => label !== '').flatMap((label) => [label.length, ...textBytes(label)]), 0];
}

export function dnsMessage(spec: DnsSpec): Uint8Array {
  const response = spec.response === true;
  let flags = 0x0100; // RD
  if (response) flags |= 0x8000;
  if (spec.authoritative === true) flags |= 0x0400;
  if (spec.truncated === true) flags |= 0x0200;
  if (spec.recursionAvailable ?? response) flags |= 0x0080;
  flags |= (spec.rcode ?? 0) & 0x0f;
  const answers = spec.answers ?? [];
  const header = [...be16(spec.id), ...be16(flags), ...be16(1), ...be16(answers.length), 0, 0, 0, 0];
  const question = [...dnsName(spec.name), ...be16(spec.type ?? DnsType.A), ...be16(1)];
  const records = answers.flatMap((address) => [0xc0, 12, ...be16(DnsType.A), ...be16(1), ...be32(300), ...be16(4), ...addressBytes(address)]);
  return new Uint8Array([...header, ...question, ...records]);
}

// ---- DHCP ---------------------------------------------------------------------------------------------

export const DhcpType = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 } as const;

export interface DhcpSpec {
  type: number;
  xid: number;
  /** "00:1b:9e:70:10:42" */
  clientMac: string;
  secs?: number;
  broadcast?: boolean;
  clientAddress?: string;
  yourAddress?: string;
  serverAddress?: string;
  requestedAddress?: string;
  serverIdentifier?: string;
  leaseSeconds?: number;
  subnetMask?: string;
  router?: string;
}

export function dhcpMessage(spec: DhcpSpec): Uint8Array {
  const reply = spec.type === DhcpType.OFFER || spec.type === DhcpType.ACK || spec.type === DhcpType.NAK;
  const fixed = new Uint8Array(236);
  const view = new DataView(fixed.buffer);
  fixed[0] = reply ? 2 : 1;
  fixed[1] = 1; // Ethernet
  fixed[2] = 6;
  view.setUint32(4, spec.xid >>> 0);
  view.setUint16(8, spec.secs ?? 0);
  view.setUint16(10, spec.broadcast === true ? 0x8000 : 0);
  fixed.set(addressBytes(spec.clientAddress ?? '0.0.0.0'), 12);
  fixed.set(addressBytes(spec.yourAddress ?? '0.0.0.0'), 16);
  fixed.set(addressBytes(spec.serverAddress ?? '0.0.0.0'), 20);
  const mac = spec.clientMac.split(':').map((h) => parseInt(h, 16));
  fixed.set(mac, 28);
  const options: number[] = [99, 130, 83, 99, 53, 1, spec.type];
  if (!reply) options.push(61, 7, 1, ...mac); // client identifier: hardware type + address
  if (spec.requestedAddress !== undefined) options.push(50, 4, ...addressBytes(spec.requestedAddress));
  if (spec.serverIdentifier !== undefined) options.push(54, 4, ...addressBytes(spec.serverIdentifier));
  if (spec.leaseSeconds !== undefined) options.push(51, 4, ...be32(spec.leaseSeconds));
  if (spec.subnetMask !== undefined) options.push(1, 4, ...addressBytes(spec.subnetMask));
  if (spec.router !== undefined) options.push(3, 4, ...addressBytes(spec.router));
  options.push(255);
  while (236 + options.length < 300) options.push(0); // BOOTP's minimum message (RFC 951)
  return concat(fixed, options);
}

// ---- TLS ----------------------------------------------------------------------------------------------

export const TlsVersion = { SSL3: 0x0300, TLS10: 0x0301, TLS11: 0x0302, TLS12: 0x0303, TLS13: 0x0304 } as const;

export function tlsRecord(type: number, version: number, body: Uint8Array | number[]): Uint8Array {
  return concat([type, ...be16(version), ...be16(body.length)], body);
}

function handshake(type: number, body: number[]): number[] {
  return [type, 0, ...be16(body.length), ...body];
}

/**
 * A ClientHello record; `supportedVersions` adds the RFC 8446 extension (with a GREASE value first) and
 * `padding` an RFC 7685 padding extension of that many bytes (to make a hello span segments).
 */
export function clientHello(legacyVersion: number, supportedVersions?: number[], padding = 0): Uint8Array {
  const extensions: number[] = [];
  if (padding > 0) extensions.push(...be16(21), ...be16(padding), ...new Array<number>(padding).fill(0));
  if (supportedVersions !== undefined) {
    const list = [0x0a, 0x0a, ...supportedVersions.flatMap(be16)];
    extensions.push(...be16(43), ...be16(list.length + 1), list.length, ...list);
  }
  const serverName = textBytes('zos.example.com');
  const sni = [0, ...be16(serverName.length), ...serverName];
  extensions.push(...be16(0), ...be16(sni.length + 2), ...be16(sni.length), ...sni);
  const body = [...be16(legacyVersion), ...new Array<number>(32).fill(0x5a), 0, ...be16(4), 0xc0, 0x2f, 0x00, 0x9c, 1, 0, ...be16(extensions.length), ...extensions];
  return tlsRecord(22, TlsVersion.TLS10, handshake(1, body));
}

/** A ServerHello record; `selectedVersion` adds supported_versions (TLS 1.3 style). */
export function serverHello(legacyVersion: number, selectedVersion?: number): Uint8Array {
  const extensions = selectedVersion === undefined ? [] : [...be16(43), ...be16(2), ...be16(selectedVersion)];
  const body = [...be16(legacyVersion), ...new Array<number>(32).fill(0x3c), 0, 0xc0, 0x2f, 0, ...be16(extensions.length), ...extensions];
  return tlsRecord(22, legacyVersion, handshake(2, body));
}

export function tlsAlert(version: number, level: number, description: number): Uint8Array {
  return tlsRecord(21, version, [level, description]);
}

// ---- SNMP and NetBIOS name service -------------------------------------------------------------------

function ber(tag: number, content: number[]): number[] {
  if (content.length < 0x80) return [tag, content.length, ...content];
  return [tag, 0x82, ...be16(content.length), ...content];
}

/** An SNMP v1 (0) or v2c (1) GetRequest (PDU tag 0xA0) for sysDescr.0 with `community`. */
export function snmpGetRequest(community: string, version = 0, requestId = 1): Uint8Array {
  const oid = [0x2b, 6, 1, 2, 1, 1, 1, 0];
  const varbind = ber(0x30, [...ber(0x06, oid), 0x05, 0x00]);
  const pdu = ber(0xa0, [...ber(0x02, [requestId]), ...ber(0x02, [0]), ...ber(0x02, [0]), ...ber(0x30, varbind)]);
  return new Uint8Array(ber(0x30, [...ber(0x02, [version]), ...ber(0x04, [...textBytes(community)]), ...pdu]));
}

/** The start of an SNMPv3 message: version 3 and a header, no community. */
export function snmpV3Message(): Uint8Array {
  const globalData = ber(0x30, [...ber(0x02, [1]), ...ber(0x02, [0x05, 0xdc]), ...ber(0x04, [0x04]), ...ber(0x02, [3])]);
  return new Uint8Array(ber(0x30, [...ber(0x02, [3]), ...globalData, ...ber(0x04, []), ...ber(0x30, [])]));
}

/** An NBNS name query (RFC 1002 §4.2.12) for `name` with suffix `suffix`, broadcast. */
export function netbiosNameQuery(id: number, name: string, suffix: number): Uint8Array {
  const padded = name.toUpperCase().padEnd(15, ' ').slice(0, 15);
  const raw = [...textBytes(padded), suffix];
  const encoded = raw.flatMap((byte) => [0x41 + (byte >> 4), 0x41 + (byte & 0x0f)]);
  return new Uint8Array([...be16(id), 0x01, 0x10, ...be16(1), 0, 0, 0, 0, 0, 0, 32, ...encoded, 0, ...be16(0x20), ...be16(1)]);
}

// ---- Frames and timelines -----------------------------------------------------------------------------

/** A frame of raw IP at `atMs` milliseconds after `startSec`. */
export function frameAt(startSec: number, atMs: number, data: Uint8Array): BuiltFrame {
  const totalNs = Math.round(atMs * 1e6);
  return { data, originalLength: data.length, timeSec: startSec + Math.floor(totalNs / 1e9), timeNsec: totalNs % 1e9 };
}

/** Frames from several builders put in time order (equal times keep the order they were added in). */
export function inTimeOrder(...groups: BuiltFrame[][]): BuiltFrame[] {
  return groups
    .flat()
    .map((frame, order) => ({ frame, order }))
    .sort((x, y) => x.frame.timeSec - y.frame.timeSec || x.frame.timeNsec - y.frame.timeNsec || x.order - y.order)
    .map(({ frame }) => frame);
}

/** "2009-02-28T02:35:10Z" as Unix seconds. */
export function unixSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/**
 * A TCP connection written as a script: each call adds one segment and keeps sequence and
 * acknowledgment numbers right, so a case reads like the trace it rebuilds.
 */
export class TcpScript {
  readonly conversation: TcpConversation;
  private nextA: number;
  private nextB: number;

  constructor(
    a: Endpoint,
    b: Endpoint,
    startSec: number,
    isnA: number,
    isnB: number,
  ) {
    this.conversation = new TcpConversation(a, b, startSec);
    this.nextA = isnA;
    this.nextB = isnB;
  }

  get frames(): BuiltFrame[] {
    return this.conversation.frames;
  }

  /** SYN (with MSS and SACK-permitted), SYN-ACK and ACK at `atMs`, `atMs + rttMs`, `atMs + 2·rttMs`. */
  handshake(atMs: number, rttMs = 1, mss = 1460): this {
    return this.syn(atMs, mss).synAck(atMs + rttMs, mss).ack('a', atMs + 2 * rttMs);
  }

  syn(atMs: number, mss = 1460): this {
    this.add('a', atMs, 'S', { options: [...TcpOption.mss(mss), ...TcpOption.sackPermitted()], ack: 0 });
    return this;
  }

  /** The same SYN again (a retransmission: same ISN). */
  synAgain(atMs: number, mss = 1460): this {
    this.nextA = (this.nextA - 1) >>> 0;
    return this.syn(atMs, mss);
  }

  synAck(atMs: number, mss = 1460): this {
    this.add('b', atMs, 'SA', { options: [...TcpOption.mss(mss), ...TcpOption.sackPermitted()] });
    return this;
  }

  /** A data segment (PSH+ACK) from `from`. */
  send(from: 'a' | 'b', atMs: number, payload: string | Uint8Array, flags = 'PA'): this {
    this.add(from, atMs, flags, { payload: typeof payload === 'string' ? textBytes(payload) : payload });
    return this;
  }

  /** The last `length` bytes `from` sent, sent again (a retransmission). */
  resend(from: 'a' | 'b', atMs: number, payload: string | Uint8Array): this {
    const bytes = typeof payload === 'string' ? textBytes(payload) : payload;
    if (from === 'a') this.nextA = (this.nextA - bytes.length) >>> 0;
    else this.nextB = (this.nextB - bytes.length) >>> 0;
    return this.send(from, atMs, bytes);
  }

  ack(from: 'a' | 'b', atMs: number): this {
    this.add(from, atMs, 'A', {});
    return this;
  }

  fin(from: 'a' | 'b', atMs: number): this {
    this.add(from, atMs, 'FA', {});
    return this;
  }

  rst(from: 'a' | 'b', atMs: number, withAck = true): this {
    this.add(from, atMs, withAck ? 'RA' : 'R', {});
    return this;
  }

  private add(from: 'a' | 'b', atMs: number, flags: string, extra: Partial<SegmentSpec>): void {
    const seq = from === 'a' ? this.nextA : this.nextB;
    const ack = flags.includes('A') ? (from === 'a' ? this.nextB : this.nextA) : 0;
    const frame = this.conversation.add({ from, atMs, flags, seq, ack, ...extra });
    withTcpChecksum(this.conversation.frames[frame - 1]!);
    let advance = extra.payload?.length ?? 0;
    if (flags.includes('S') || flags.includes('F')) advance += 1;
    if (from === 'a') this.nextA = (this.nextA + advance) >>> 0;
    else this.nextB = (this.nextB + advance) >>> 0;
  }
}

// ---- The scenarios of spec/scenarios.md ---------------------------------------------------------------

export interface Scenario {
  name: string;
  frames: BuiltFrame[];
}

const CRLF = '\r\n';

/**
 * "FTP PORT, no data connection" (exception-catalog E.3, 2009-02-28, z/OS 137.72.43.207): the client sends
 * PORT 137,72,43,137,40,196 (port 10436), the server answers 200 and retransmits it at growing intervals,
 * no SYN to 10436 ever appears. Around it, the trace's background: NetBIOS broadcasts, TN3270 traffic,
 * and SNMP GetRequests to the stack itself answered by ICMP port unreachable.
 */
export function ftpPortNoDataConnection(): Scenario {
  const start = unixSeconds('2009-02-28T02:35:10Z');
  const client = { address: '137.72.43.137', port: 10432 };
  const server = { address: '137.72.43.207', port: 21 };
  const ms = (sec: number): number => sec * 1000; // times below are seconds after 02:35:10
  const ftp = new TcpScript(client, server, start, 1257181311, 452077195);
  ftp.syn(ms(3.7644), 1460).synAck(ms(3.765), 1460).ack('a', ms(3.7659));
  ftp.send('b', ms(3.8898), `220-FTPD1 IBM FTP CS V1R9 at ZOS.EXAMPLE.COM, 02:35:13 on 2009-02-28.${CRLF}`);
  ftp.ack('a', ms(4.043));
  ftp.send('b', ms(4.0435), `220 Connection will close if idle for more than 5 minutes.${CRLF}`);
  ftp.ack('a', ms(4.2617));
  ftp.send('a', ms(8.1661), `USER ftpuser${CRLF}`);
  ftp.send('b', ms(8.179), `331 Send password please.${CRLF}`);
  ftp.ack('a', ms(8.3075));
  ftp.send('a', ms(10.6157), `PASS secret1${CRLF}`);
  ftp.send('b', ms(11.3641), `230 FTPUSER is logged on.  Working directory is "FTPUSER.".${CRLF}`);
  ftp.ack('a', ms(11.4799));
  ftp.send('a', ms(13.5899), `TYPE I${CRLF}`);
  ftp.send('b', ms(13.5935), `200 Representation type is Image${CRLF}`);
  ftp.ack('a', ms(13.776));
  ftp.send('a', ms(19.5343), `PORT 137,72,43,137,40,196${CRLF}`);
  const ok = `200 Port request OK.${CRLF}`;
  ftp.send('b', ms(19.5379), ok);
  for (const at of [20.3898, 22.1407, 25.5118, 32.23, 45.6398, 72.7005, 126.9704]) ftp.resend('b', ms(at), ok);

  const background: BuiltFrame[] = [];
  const nbns = netbiosNameQuery(0x8123, 'ZOSGROUP', 0x1d);
  [0.5649, 1.2775].forEach((at, i) => background.push(frameAt(start, ms(at), udpDatagram('137.72.43.45', 137, '137.72.43.255', 137, nbns, { id: 0x0135 + i }))));
  const snmpAt = [[1.6239, 14280], [4.3524, 14278], [6.756, 14282]] as const;
  for (const [at, port] of snmpAt) {
    const request = udpDatagram('137.72.43.207', port, '137.72.43.207', 161, snmpGetRequest('public'), { id: port });
    background.push(frameAt(start, ms(at), request), frameAt(start, ms(at + 0.0007), icmpError('137.72.43.207', request, 3, 3)));
  }
  const tn3270 = new TcpScript({ address: '137.72.43.142', port: 1215 }, { address: '137.72.43.207', port: 23 }, start, 4206849998, 424249748);
  tn3270.send('b', ms(1.2518), concat([0x00, 0x00, 0x00, 0x00, 0x01, 0xf5, 0xc3], new Uint8Array(90).fill(0x40), [0xff, 0xef]));
  tn3270.ack('a', ms(1.2712));
  tn3270.send('a', ms(2.0784), new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0xff, 0xef]));
  return { name: 'FTP PORT, no data connection', frames: inTimeOrder(ftp.frames, background, tn3270.frames) };
}

/** The control part of E.5 before PASV: a long multi-line 230 welcome in several segments. */
function welcomeLines(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`230-Welcome line ${String(i + 1).padStart(3, '0')}: usage of this system is monitored and logged.`);
  return lines.join(CRLF) + CRLF;
}

/**
 * "FTP PASV, SYN unanswered" (E.5): 227 Entering Passive Mode (192,233,80,108,89,23) → port 22807; the
 * client's SYNs from 1539 at 0, 3, 9, 21 and 45 s get no answer; it gives up (FIN, 221, RST) and its
 * stack retries twice more.
 */
export function ftpPasvSynUnanswered(): Scenario {
  const start = unixSeconds('2009-03-03T19:52:00Z'); // 13:52 CST
  const client = { address: '207.33.247.67', port: 1538 };
  const server = { address: '192.233.80.108', port: 21 };
  const ms = (sec: number): number => sec * 1000;
  const ftp = new TcpScript(client, server, start, 3120000000, 1810000000);
  ftp.handshake(ms(7.9));
  ftp.send('b', ms(8.0), `220 ftp.example.net FTP server ready.${CRLF}`);
  ftp.send('a', ms(8.1), `USER anonymous${CRLF}`);
  ftp.send('b', ms(8.2), `331 Guest login ok, send your e-mail address.${CRLF}`);
  ftp.send('a', ms(8.3), `PASS guest@example.org${CRLF}`);
  // The welcome reply is long: several segments, the last line carrying "230 " ends it.
  const welcome = welcomeLines(30) + `230 Guest login ok, access restrictions apply.${CRLF}`;
  ftp.send('b', ms(8.3421), welcome.slice(0, 75));
  ftp.send('b', ms(8.4624), welcome.slice(75, 1500), 'A');
  ftp.ack('a', ms(8.4626));
  ftp.send('b', ms(8.8335), welcome.slice(1500));
  ftp.send('a', ms(8.8353), `REST 0${CRLF}`);
  ftp.send('b', ms(8.896), `350 Restarting at 0. Send STORE or RETRIEVE to initiate transfer.${CRLF}`);
  ftp.send('a', ms(8.8971), `SYST${CRLF}`);
  ftp.send('b', ms(8.9561), `215 UNIX Type: L8${CRLF}`);
  ftp.send('a', ms(8.9596), `PWD${CRLF}`);
  ftp.send('b', ms(9.019), `257 "/" is current directory.${CRLF}`);
  ftp.send('a', ms(9.02), `PASV${CRLF}`);
  ftp.ack('b', ms(9.1183));
  ftp.send('b', ms(9.1395), `227 Entering Passive Mode (192,233,80,108,89,23)${CRLF}`);
  ftp.ack('a', ms(9.3234));
  const data = new TcpScript({ address: '207.33.247.67', port: 1539 }, { address: '192.233.80.108', port: 22807 }, start, 3200000000, 0);
  data.syn(ms(9.146));
  for (const at of [12.1284, 18.1635, 30.2134, 54.262]) data.synAgain(ms(at));
  ftp.fin('a', ms(54.2933));
  ftp.ack('b', ms(54.3481));
  ftp.send('b', ms(54.3528), `221 Goodbye.${CRLF}`);
  ftp.rst('a', ms(54.353), false);
  for (const at of [57.2535, 63.2785]) data.synAgain(ms(at));
  return { name: 'FTP PASV, SYN unanswered', frames: inTimeOrder(ftp.frames, data.frames) };
}

/**
 * "Good PASV" (E.4, 2009-03-03, as published: seq/ack/windows): 227 (137,72,43,207,14,95) → port 3679,
 * the client connects within 11 ms, data flows, both sides FIN. Must not be flagged.
 */
export function ftpGoodPasv(): Scenario {
  const start = unixSeconds('2009-03-03T02:42:16Z');
  const client = { address: '137.72.43.137', port: 21157 };
  const server = { address: '137.72.43.207', port: 21 };
  const c = new TcpConversation(client, server, start);
  const seg = (from: 'a' | 'b', atMs: number, seq: number, ack: number, window: number, payload: string): void => {
    c.add({ from, atMs, flags: 'PA', seq, ack, window, payload });
  };
  seg('a', 209.7, 3883430947, 617330248, 64154, `TYPE I${CRLF}`);
  seg('b', 213.6, 617330248, 3883430955, 32760, `200 Representation type is Image (binary)${CRLF}`); // 43 bytes, as published
  seg('a', 214.2, 3883430955, 617330291, 64143, `PASV${CRLF}`);
  seg('b', 220.7, 617330291, 3883430961, 32762, `227 Entering Passive Mode (137,72,43,207,14,95)${CRLF}`);
  seg('a', 222.3, 3883430961, 617330340, 64131, `LIST${CRLF}`);
  const d = new TcpConversation({ address: '137.72.43.137', port: 21158 }, { address: '137.72.43.207', port: 3679 }, start);
  d.add({ from: 'a', atMs: 223.4, flags: 'S', seq: 3534575276, window: 65535, options: TcpOption.mss(1460) });
  d.add({ from: 'b', atMs: 233.1, flags: 'SA', seq: 617396255, ack: 3534575277, window: 32768, options: TcpOption.mss(1460) });
  d.add({ from: 'a', atMs: 233.15, flags: 'A', seq: 3534575277, ack: 617396256, window: 64240 });
  seg('b', 279.9, 617330340, 3883430967, 32762, `125 List started OK${CRLF}`);
  c.add({ from: 'a', atMs: 407.9, flags: 'A', seq: 3883430967, ack: 617330361, window: 64126 });
  d.add({ from: 'b', atMs: 446.5, flags: 'A', seq: 617396256, ack: 3534575277, window: 32768, length: 1460 });
  d.add({ from: 'b', atMs: 446.7, flags: 'PA', seq: 617397716, ack: 3534575277, window: 32768, length: 1417 });
  d.add({ from: 'a', atMs: 446.8, flags: 'A', seq: 3534575277, ack: 617399133, window: 63520 });
  d.add({ from: 'a', atMs: 446.85, flags: 'A', seq: 3534575277, ack: 617399133, window: 64240 });
  d.add({ from: 'b', atMs: 449.1, flags: 'FA', seq: 617399133, ack: 3534575277, window: 32768 });
  d.add({ from: 'a', atMs: 449.3, flags: 'A', seq: 3534575277, ack: 617399134, window: 64240 });
  d.add({ from: 'a', atMs: 449.5, flags: 'FA', seq: 3534575277, ack: 617399134, window: 64240 });
  d.add({ from: 'b', atMs: 452.4, flags: 'A', seq: 617399134, ack: 3534575278, window: 32768 });
  seg('b', 460.0, 617330361, 3883430967, 32762, `250 List completed successfully.${CRLF}`);
  return { name: 'Good PASV', frames: inTimeOrder(c.frames, d.frames).map(withTcpChecksum) };
}

/** User names a password-guessing tool cycles through (E.6, CleverView logon failures). */
export const BRUTE_FORCE_USERS = ['ADMIN', 'ROOT', 'SYSTEM', 'ANONYMOUS', 'LOGIN', 'FTP', 'USER', 'ADMINISTRATOR', 'LOCAL', 'GUEST'];

/**
 * "FTP brute force" (E.6): 69.181.135.56 opens 30 control sessions to 67.161.39.46:21 within about 2 s,
 * source ports 1285, 1288, 1291... (step 3); each session lasts about 0.3 s: the 220 banner, a USER from
 * the cycle, and 530 (to USER as "User ID is unknown", or to PASS); the first is a banner grab ended by RST.
 */
export function ftpBruteForce(sessions = 30, users = BRUTE_FORCE_USERS): Scenario {
  const start = unixSeconds('2016-01-05T22:21:31Z'); // 16:21:31 CST
  const frames: BuiltFrame[][] = [];
  for (let i = 0; i < sessions; i++) {
    const t0 = 953.1 + i * 65; // ms
    const s = new TcpScript({ address: '69.181.135.56', port: 1285 + 3 * i }, { address: '67.161.39.46', port: 21 }, start, 3093229813 + i * 7919, 2147941734 + i * 104729);
    s.syn(t0).synAck(t0 + 0.1).ack('a', t0 + 12);
    s.send('b', t0 + 12.6, `220 FTP server (Version 6.00) ready.${CRLF}`);
    if (i === 0) {
      s.rst('a', t0 + 17);
    } else {
      const user = users[(i - 1) % users.length]!;
      s.send('a', t0 + 90, `USER ${user}${CRLF}`);
      if (i % 3 === 0) {
        s.send('b', t0 + 150, `530 User ID is unknown.${CRLF}`);
      } else {
        s.send('b', t0 + 120, `331 Password required for ${user}.${CRLF}`);
        s.send('a', t0 + 180, `PASS ${user.toLowerCase()}123${CRLF}`);
        s.send('b', t0 + 240, `530 Login incorrect.${CRLF}`);
      }
      s.fin('a', t0 + 290).fin('b', t0 + 291).ack('a', t0 + 292);
    }
    frames.push(s.frames);
  }
  return { name: 'FTP brute force', frames: inTimeOrder(...frames) };
}

/**
 * "DNS errors" (E.8, 2003-04-01 07:24:50 CST): clients of 192.168.0.254 get Name Error and Server Failure;
 * 192.168.200.12 asks 192.168.200.51 again and again from ports 1183 (4 sends) and 1187 (3 sends) without
 * an answer; a Server Failure arrives for a query the trace never saw.
 */
export function dnsErrors(): Scenario {
  const start = unixSeconds('2003-04-01T13:24:50Z');
  const frames: BuiltFrame[] = [];
  const at = (sec: number, data: Uint8Array): void => {
    frames.push(frameAt(start, sec * 1000, data));
  };
  const query = (sec: number, client: string, port: number, server: string, id: number, name: string, type: number = DnsType.A): void => {
    at(sec, udpDatagram(client, port, server, 53, dnsMessage({ id, name, type }), { id: 0x4000 + id }));
  };
  const answer = (sec: number, server: string, client: string, port: number, id: number, name: string, rcode: number, type: number = DnsType.A, answers: string[] = []): void => {
    at(sec, udpDatagram(server, 53, client, port, dnsMessage({ id, name, type, response: true, rcode, authoritative: rcode === 3, answers }), { id: 0xb998 + id }));
  };
  const ptr = '109.1.168.192.in-addr.arpa';
  query(0.3078, '192.168.1.100', 2541, '192.168.0.254', 31, ptr, DnsType.PTR);
  answer(0.3867, '192.168.0.254', '192.168.1.100', 2541, 31, ptr, 3, DnsType.PTR);
  query(1.5927, '192.168.1.106', 1920, '192.168.0.254', 7, 'intranet.corp.example');
  answer(1.7502, '192.168.0.254', '192.168.1.106', 1920, 7, 'intranet.corp.example', 2);
  query(2.3261, '192.168.200.12', 1178, '192.168.200.51', 101, 'mvs1.example.com');
  answer(2.3265, '192.168.200.51', '192.168.200.12', 1178, 101, 'mvs1.example.com', 0, DnsType.A, ['192.168.200.20']);
  query(2.346, '192.168.200.12', 1179, '192.168.200.51', 102, 'mvs2.example.com');
  answer(2.3464, '192.168.200.51', '192.168.200.12', 1179, 102, 'mvs2.example.com', 0, DnsType.A, ['192.168.200.21']);
  for (const sec of [4.6302, 5.6304, 7.6333, 9.6361]) query(sec, '192.168.200.12', 1183, '192.168.200.51', 103, 'tso.example.com');
  query(5.3164, '192.168.1.100', 2542, '192.168.0.254', 32, 'printer1.corp.example');
  answer(5.3958, '192.168.0.254', '192.168.1.100', 2542, 32, 'printer1.corp.example', 3);
  for (const sec of [6.8673, 7.8638, 9.8666]) query(sec, '192.168.200.12', 1187, '192.168.200.51', 104, 'cics.example.com');
  query(8.596, '192.168.1.105', 4555, '192.168.0.254', 8, 'intranet.corp.example');
  answer(8.6765, '192.168.0.254', '192.168.1.105', 4555, 8, 'intranet.corp.example', 2);
  query(9.6627, '192.168.1.100', 2543, '192.168.0.254', 33, 'fileserver.corp.example');
  answer(9.7416, '192.168.0.254', '192.168.1.100', 2543, 33, 'fileserver.corp.example', 3);
  query(10.1717, '192.168.1.108', 1274, '192.168.0.254', 9, 'intranet.corp.example');
  answer(10.2506, '192.168.0.254', '192.168.1.108', 1274, 9, 'intranet.corp.example', 2);
  answer(11.8321, '192.168.200.51', '192.168.200.12', 1173, 99, 'old.example.com', 2);
  return { name: 'DNS errors', frames: inTimeOrder(frames) };
}

/**
 * "DNS through a routing problem" (E.9): 207.33.247.70:1030 asks 204.156.128.1, .10 and .20 in turn for
 * www.netanalysis.org; each query is answered about 1.8 s later by ICMP TTL exceeded in transit from
 * router 207.33.247.65, quoting the query's IP header and UDP header.
 */
export function dnsRoutingProblem(): Scenario {
  const start = unixSeconds('2003-04-02T20:01:29Z'); // 14:01:29 CST
  const servers = ['204.156.128.1', '204.156.128.10', '204.156.128.20'];
  const sends = [0.0704, 5.58, 11.1193, 16.6194, 20.1244, 23.6244, 27.1293, 32.6343, 38.1421, 43.6644, 50.1694, 56.6693];
  const frames: BuiltFrame[] = [];
  sends.forEach((sec, i) => {
    const server = servers[i % servers.length]!;
    const query = udpDatagram('207.33.247.70', 1030, server, 53, dnsMessage({ id: 0x0100 + i, name: 'www.netanalysis.org' }), { id: 0x2a00 + i, ttl: 1 });
    frames.push(frameAt(start, sec * 1000, query));
    frames.push(frameAt(start, (sec + 1.8166) * 1000, icmpError('207.33.247.65', query, 11, 0, 0, undefined, { ttl: 254, id: 0x6000 + i })));
  });
  return { name: 'DNS through a routing problem', frames: inTimeOrder(frames) };
}

/**
 * "DHCP normal and decline" (E.7): DISCOVER, OFFER 192.168.1.4, REQUEST, ACK with xid 0x06E32864; then a
 * second client's exchange for 192.168.0.104 (xid 0xED63F236) ending with its DECLINE ("already in use").
 */
export function dhcpNormalAndDecline(): Scenario {
  return { name: 'DHCP normal and decline', frames: inTimeOrder(dhcpNormal().frames, dhcpDecline().frames) };
}

export function dhcpNormal(startIso = '2010-01-10T09:38:18Z'): Scenario {
  const start = unixSeconds(startIso);
  const mac = '00:0c:29:1f:74:06';
  const xid = 0x06e32864;
  const lease = { serverIdentifier: '192.168.1.1', leaseSeconds: 86400, subnetMask: '255.255.255.0', router: '192.168.1.1' };
  return {
    name: 'DHCP normal',
    frames: [
      frameAt(start, 352.5, udpDatagram('0.0.0.0', 68, '255.255.255.255', 67, dhcpMessage({ type: DhcpType.DISCOVER, xid, clientMac: mac }))),
      frameAt(start, 384.5, udpDatagram('192.168.1.1', 67, '192.168.1.4', 68, dhcpMessage({ type: DhcpType.OFFER, xid, clientMac: mac, yourAddress: '192.168.1.4', ...lease }))),
      frameAt(start, 384.6, udpDatagram('0.0.0.0', 68, '255.255.255.255', 67, dhcpMessage({ type: DhcpType.REQUEST, xid, clientMac: mac, requestedAddress: '192.168.1.4', serverIdentifier: '192.168.1.1' }))),
      frameAt(start, 464.5, udpDatagram('192.168.1.1', 67, '192.168.1.4', 68, dhcpMessage({ type: DhcpType.ACK, xid, clientMac: mac, yourAddress: '192.168.1.4', ...lease }))),
    ],
  };
}

export function dhcpDecline(startIso = '2010-01-10T23:25:03Z'): Scenario {
  const start = unixSeconds(startIso);
  const mac = '00:1b:9e:70:10:42';
  const xid = 0xed63f236;
  const server = { serverIdentifier: '192.168.0.1', leaseSeconds: 86400, subnetMask: '255.255.255.0', router: '192.168.0.1' };
  const broadcast = (from: string, port: number, message: Uint8Array): Uint8Array => udpDatagram(from, port, '255.255.255.255', port === 68 ? 67 : 68, message);
  return {
    name: 'DHCP decline',
    frames: [
      frameAt(start, 710.4, broadcast('0.0.0.0', 68, dhcpMessage({ type: DhcpType.DISCOVER, xid, clientMac: mac, broadcast: true }))),
      frameAt(start, 724.1, broadcast('192.168.0.1', 67, dhcpMessage({ type: DhcpType.OFFER, xid, clientMac: mac, yourAddress: '192.168.0.104', broadcast: true, ...server }))),
      frameAt(start, 729.9, broadcast('0.0.0.0', 68, dhcpMessage({ type: DhcpType.REQUEST, xid, clientMac: mac, requestedAddress: '192.168.0.104', serverIdentifier: '192.168.0.1', broadcast: true }))),
      frameAt(start, 736.8, broadcast('192.168.0.1', 67, dhcpMessage({ type: DhcpType.ACK, xid, clientMac: mac, yourAddress: '192.168.0.104', broadcast: true, ...server }))),
      frameAt(
        start,
        1648.9,
        broadcast('0.0.0.0', 68, dhcpMessage({ type: DhcpType.DECLINE, xid, clientMac: mac, secs: 3328, broadcast: true, clientAddress: '192.168.0.104', requestedAddress: '192.168.0.104', serverIdentifier: '192.168.0.1' })),
      ),
    ],
  };
}

/**
 * "Normal FTP session (baseline)": handshake with MSS 536 and SACK permitted, 220 banner,
 * USER/PASS/TYPE/PORT, the server's data connection from port 20, RETR, 226, QUIT, FIN both ways. Must
 * produce no exceptions.
 */
export function normalFtpSession(): Scenario {
  const start = unixSeconds('2009-02-28T03:10:00Z');
  const client = { address: '137.72.43.117', port: 4408 };
  const server = { address: '137.72.43.207', port: 21 };
  const ftp = new TcpScript(client, server, start, 810000000, 920000000);
  ftp.handshake(0, 0.6, 536);
  ftp.send('b', 20, `220-FTPD1 IBM FTP CS at ZOS.EXAMPLE.COM${CRLF}220 Connection will close if idle for more than 5 minutes.${CRLF}`);
  ftp.ack('a', 60);
  ftp.send('a', 1200, `USER ftpuser${CRLF}`);
  ftp.send('b', 1210, `331 Send password please.${CRLF}`);
  ftp.send('a', 2400, `PASS secret1${CRLF}`);
  ftp.send('b', 2800, `230 FTPUSER is logged on.  Working directory is "FTPUSER.".${CRLF}`);
  ftp.send('a', 3000, `TYPE I${CRLF}`);
  ftp.send('b', 3004, `200 Representation type is Image${CRLF}`);
  ftp.send('a', 3200, `PORT 137,72,43,117,17,58${CRLF}`); // 17×256+58 = 4410
  ftp.send('b', 3204, `200 Port request OK.${CRLF}`);
  ftp.send('a', 3400, `RETR 'FTPUSER.DATA'${CRLF}`);
  const data = new TcpScript({ address: '137.72.43.207', port: 20 }, { address: '137.72.43.117', port: 4410 }, start, 300000000, 400000000);
  data.handshake(3410, 0.5, 536);
  ftp.send('b', 3420, `125 Sending data set FTPUSER.DATA${CRLF}`);
  for (let i = 0; i < 4; i++) data.send('a', 3430 + i, 'x'.repeat(536), 'A');
  data.ack('b', 3436);
  data.fin('a', 3440).ack('b', 3441).fin('b', 3442).ack('a', 3443);
  ftp.send('b', 3450, `250 Transfer completed successfully.${CRLF}`);
  ftp.send('a', 4000, `QUIT${CRLF}`);
  ftp.send('b', 4005, `221 Quit command received. Goodbye.${CRLF}`);
  ftp.fin('b', 4006).fin('a', 4010).ack('b', 4011);
  return { name: 'Normal FTP session', frames: inTimeOrder(ftp.frames, data.frames) };
}

/** Every scenario of spec/scenarios.md built here, for tests and samples that take them all. */
export function applicationScenarios(): Scenario[] {
  return [ftpPortNoDataConnection(), ftpPasvSynUnanswered(), ftpGoodPasv(), ftpBruteForce(), dnsErrors(), dnsRoutingProblem(), dhcpNormalAndDecline(), normalFtpSession()];
}

// ---- Smaller FTP fixtures -------------------------------------------------------------------------------

/** One line of an FTP control dialogue: 'c' from the client, 's' from the server. */
export type FtpLine = readonly ['c' | 's', string];

export interface FtpSessionOptions {
  /** How the session ends: both FIN (default), a client RST, or left open. */
  close?: 'fin' | 'rst' | 'open';
  /** Milliseconds between lines (default 20). */
  stepMs?: number;
  isnClient?: number;
  isnServer?: number;
}

/**
 * An FTP control session from `client` to `server` starting `atMs` after `startSec`: handshake, a 220
 * banner, the lines in turn (one segment each), then the close. Returns the script (to add more) and the
 * time of its last packet.
 */
export function ftpControlSession(client: Endpoint, server: Endpoint, startSec: number, atMs: number, lines: readonly FtpLine[], options: FtpSessionOptions = {}): { script: TcpScript; endMs: number } {
  const step = options.stepMs ?? 20;
  const script = new TcpScript(client, server, startSec, options.isnClient ?? 1_000_000 + client.port * 1000, options.isnServer ?? 2_000_000 + client.port * 1000);
  script.handshake(atMs);
  let t = atMs + 5;
  script.send('b', t, `220 FTP server ready.${CRLF}`);
  for (const [from, text] of lines) {
    t += step;
    script.send(from === 'c' ? 'a' : 'b', t, `${text}${CRLF}`);
  }
  t += step;
  if (options.close === 'rst') script.rst('a', t);
  else if (options.close !== 'open') {
    script.fin('a', t).fin('b', t + 1).ack('a', t + 2);
    t += 2;
  }
  return { script, endMs: t };
}
