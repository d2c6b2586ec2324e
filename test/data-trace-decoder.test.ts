/**
 * SYSTCPDA data trace (format 5): socket data records become packets on a "socket data (job NAME)"
 * interface, behind synthesized IPv6/TCP/UDP headers whose sequence numbers, checksums and lengths are
 * checked here by an independent reading of the bytes (RFC 8200, RFC 9293, RFC 768), not by the product.
 */
import { expect } from 'chai';
import { createDataTraceDecoder, createDataTraceEntryCheck } from '../src/ctrace/data-trace-decoder.js';
import { createComponentDecoder } from '../src/ctrace/component-decoders.js';
import { defaultLayoutProfile, layoutProfileFromObject, type LayoutProfile } from '../src/ctrace/layout/layout-profile.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { packetComment } from '../src/capture/packet-comment.js';
import { LinkType } from '../src/capture/link-types.js';
import type { CtracePacket } from '../src/model/trace-packet.js';
import type { RecordDecoder } from '../src/ctrace/record-decoder.js';
import type { SocketStreamLimits } from '../src/ctrace/socket-stream-synthesizer.js';
import { buildDataEntry, Domain, FlowState, flagMask, SockType, type DataEntrySpec, type DataTraceLayoutOverride } from './support/data-trace-builder.js';
import { buildPacketEntry, ip16Bytes, toCteEntry, type PthdrValues } from './support/packet-trace-builder.js';
import { buildCte } from './support/cte-builder.js';

const codePage = resolveCodePage('1047');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const OUTBOUND = flagMask('outbound');
const CONFIDENTIAL = flagMask('confidential');
const CLEAR_TEXT = flagMask('clear-text');
const SERVER = '198.51.100.2';
const CLIENT = '198.51.100.1';
const TCP_FLAG = { FIN: 0x01, PSH: 0x08, ACK: 0x10 } as const;
/** IPv6 "No Next Header" (RFC 8200 §4.7). */
const NO_NEXT_HEADER = 59;

// ---- An independent reading of what the decoder wrote ----------------------------------------------------

function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

interface Synthesized {
  nextHeader: number;
  source: Uint8Array;
  destination: Uint8Array;
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack: number;
  tcpFlags: number;
  window: number;
  payload: Uint8Array;
  /** The transport checksum verifies over the IPv6 pseudo-header (RFC 8200 §8.1). */
  checksumOk: boolean;
  udpLength: number;
  udpChecksum: number;
}

function readSynthesized(packet: Uint8Array): Synthesized {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  expect(packet[0]! >> 4, 'IP version').to.equal(6);
  const payloadLength = view.getUint16(4);
  expect(packet.length, 'IPv6 payload length matches the bytes').to.equal(40 + payloadLength);
  const nextHeader = packet[6]!;
  const upper = packet.subarray(40);
  const pseudo = new Uint8Array(40);
  pseudo.set(packet.subarray(8, 40));
  new DataView(pseudo.buffer).setUint32(32, upper.length);
  pseudo[39] = nextHeader;
  const checksumOk = onesComplementSum(upper, onesComplementSum(pseudo)) === 0xffff;
  const base = { nextHeader, source: packet.slice(8, 24), destination: packet.slice(24, 40), checksumOk, udpLength: 0, udpChecksum: 0 };
  if (nextHeader === 6) {
    const dataOffset = (upper[12]! >> 4) * 4;
    return {
      ...base,
      sourcePort: view.getUint16(40),
      destinationPort: view.getUint16(42),
      seq: view.getUint32(44),
      ack: view.getUint32(48),
      tcpFlags: upper[13]!,
      window: view.getUint16(54),
      payload: upper.slice(dataOffset),
    };
  }
  if (nextHeader === 17) {
    return {
      ...base,
      sourcePort: view.getUint16(40),
      destinationPort: view.getUint16(42),
      seq: 0,
      ack: 0,
      tcpFlags: 0,
      window: 0,
      payload: upper.slice(8),
      udpLength: view.getUint16(44),
      udpChecksum: view.getUint16(46),
    };
  }
  return { ...base, sourcePort: 0, destinationPort: 0, seq: 0, ack: 0, tcpFlags: 0, window: 0, payload: upper.slice() };
}

const ascii = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// ---- Records --------------------------------------------------------------------------------------------

const FTPD1 = { jobName: 'FTPD1', domain: Domain.INET, socketType: SockType.STREAM, protocol: 6 };
let clock = 0;

interface RecordOptions {
  data?: string;
  outbound?: boolean;
  state?: number;
  flags?: number;
  cid?: number;
  dataLength?: number;
  clientPort?: number;
  fields?: PthdrValues;
  socket?: DataEntrySpec['socket'];
  layout?: DataTraceLayoutOverride;
  headerLength?: number;
}

/** A record of the FTP control connection as server job FTPD1 sees it; source and destination follow the data. */
function ftpRecord(options: RecordOptions = {}): Uint8Array {
  const outbound = options.outbound ?? true;
  const clientPort = options.clientPort ?? 44740;
  clock += 1;
  return buildDataEntry({
    data: text(options.data ?? ''),
    socket: { ...FTPD1, state: options.state ?? FlowState.DATA, ...options.socket },
    ...(options.dataLength === undefined ? {} : { dataLength: options.dataLength }),
    ...(options.layout === undefined ? {} : { layout: options.layout }),
    ...(options.headerLength === undefined ? {} : { headerLength: options.headerLength }),
    fields: {
      flags: (outbound ? OUTBOUND : 0) | (options.flags ?? 0),
      sourceAddress: outbound ? SERVER : CLIENT,
      destinationAddress: outbound ? CLIENT : SERVER,
      sourcePort: outbound ? 21 : clientPort,
      destinationPort: outbound ? clientPort : 21,
      connectionId: options.cid ?? 0xabcd,
      asid: 0x3e,
      captureTime: { sec: 1_700_000_000 + clock, nsec: 250_000 },
      ...options.fields,
    },
  });
}

function decoderWith(profile: LayoutProfile = defaultLayoutProfile(), streamLimits?: SocketStreamLimits): RecordDecoder {
  return createDataTraceDecoder({ profile, codePage, leapSeconds: 0, ...(streamLimits === undefined ? {} : { streamLimits }) });
}

/** Decodes in order; packets keep copies of their bytes (the decoder reuses its buffer). */
function decodeAll(decoder: RecordDecoder, entries: Uint8Array[]): CtracePacket[] {
  const packets: CtracePacket[] = [];
  entries.forEach((cte, i) => {
    const packet = decoder.decode(toCteEntry(cte, i + 1, i * 1000));
    if (packet !== null) packets.push({ ...packet, data: packet.data.slice() });
  });
  return packets;
}

describe('SYSTCPDA data trace (format 5)', () => {
  describe('a socket data record', () => {
    it('becomes a TCP segment carrying the data, on the job\'s "socket data" interface, labelled as not wire traffic', () => {
      const [packet] = decodeAll(decoderWith(), [ftpRecord({ data: '220 ready\r\n' })]);
      expect(packet!.interface.name).to.equal('socket data (job FTPD1)');
      expect(packet!.interface.description).to.match(/^socket data \(job FTPD1\)/).and.to.include('not wire traffic');
      expect(packet!.interface.linkType).to.equal(LinkType.RAW);
      expect(packet!.direction).to.equal('outbound');
      expect(packet!.timeSec).to.equal(1_700_000_000 + clock);
      expect(packet!.originalLength).to.equal(packet!.data.length);
      const s = readSynthesized(packet!.data);
      expect(s.nextHeader).to.equal(6);
      expect(Buffer.from(s.source).equals(Buffer.from(ip16Bytes(SERVER))), 'PTH_Src as traced (IPv4-mapped)').to.equal(true);
      expect(Buffer.from(s.destination).equals(Buffer.from(ip16Bytes(CLIENT)))).to.equal(true);
      expect([s.sourcePort, s.destinationPort]).to.deep.equal([21, 44740]);
      expect(ascii(s.payload)).to.equal('220 ready\r\n');
      expect(s.tcpFlags).to.equal(TCP_FLAG.ACK | TCP_FLAG.PSH);
      expect(s.window).to.be.greaterThan(0);
      expect(s.checksumOk, 'TCP checksum').to.equal(true);
      expect(packetComment(packet!)).to.match(/ data=socket job=FTPD1 sock=AF_INET,stream,TCP cid=0000ABCD state=data$/);
      expect(packetComment(packet!)).to.include('flags=outbound').and.include('asid=003E');
    });

    it('keeps sequence and acknowledgment numbers consistent each way, from flow start to flow end', () => {
      const packets = decodeAll(decoderWith(), [
        ftpRecord({ state: FlowState.START }),
        ftpRecord({ data: '220 ready\r\n' }),
        ftpRecord({ data: 'USER anonymous\r\n', outbound: false }),
        ftpRecord({ data: '331 Password required\r\n' }),
        ftpRecord({ data: 'QUIT\r\n', outbound: false }),
        ftpRecord({ state: FlowState.END }),
      ]);
      const [start, greeting, user, reply, quit, end] = packets.map((p) => readSynthesized(p.data));
      // The flow start has no data: the addresses with "no next header", no TCP segment to misread.
      expect([start!.nextHeader, start!.payload.length]).to.deep.equal([NO_NEXT_HEADER, 0]);
      expect(Buffer.from(start!.source).equals(Buffer.from(ip16Bytes(SERVER)))).to.equal(true);
      // Inbound data comes from the client end, and acknowledges everything the server sent.
      expect([user!.sourcePort, user!.destinationPort]).to.deep.equal([44740, 21]);
      expect(Buffer.from(user!.source).equals(Buffer.from(ip16Bytes(CLIENT)))).to.equal(true);
      expect(user!.ack).to.equal((greeting!.seq + 11) >>> 0);
      expect(reply!.seq).to.equal((greeting!.seq + 11) >>> 0);
      expect(reply!.ack).to.equal((user!.seq + 16) >>> 0);
      expect(greeting!.ack).to.equal(user!.seq);
      expect(quit!.seq).to.equal((user!.seq + 16) >>> 0);
      expect(quit!.ack).to.equal((reply!.seq + 23) >>> 0);
      // The flow end is a FIN from the server at its next sequence number.
      expect(end!.tcpFlags).to.equal(TCP_FLAG.FIN | TCP_FLAG.ACK);
      expect(end!.seq).to.equal((reply!.seq + 23) >>> 0);
      expect(end!.ack).to.equal((quit!.seq + 6) >>> 0);
      for (const s of [greeting, user, reply, quit, end]) expect(s!.checksumOk).to.equal(true);
      expect(packets.map((p) => p.ctrace.extra['state'])).to.deep.equal(['start', 'data', 'data', 'data', 'data', 'end']);
    });
  });

  describe('AT-TLS', () => {
    it('a confidential record carries no payload and no TCP segment, takes no sequence space and says how much was withheld', () => {
      const decoder = decoderWith();
      const packets = decodeAll(decoder, [
        ftpRecord({ data: '220 ready\r\n', flags: CLEAR_TEXT }),
        ftpRecord({ data: '', dataLength: 37, flags: CONFIDENTIAL }),
        // Bytes present under the confidential flag are not shown either.
        ftpRecord({ data: 'secret', flags: CONFIDENTIAL }),
        ftpRecord({ data: '331 Password required\r\n', flags: CLEAR_TEXT }),
      ]);
      const [clear, withheld, present, next] = packets.map((p) => readSynthesized(p.data));
      expect([withheld!.nextHeader, withheld!.payload.length]).to.deep.equal([NO_NEXT_HEADER, 0]);
      expect([present!.nextHeader, present!.payload.length]).to.deep.equal([NO_NEXT_HEADER, 0]);
      expect(packets[1]!.originalLength).to.equal(packets[1]!.data.length);
      expect(packetComment(packets[1]!)).to.match(/ tls=confidential withheld=37$/);
      expect(packetComment(packets[2]!)).to.match(/ tls=confidential withheld=6$/);
      expect(next!.seq, 'withheld bytes never enter the stream').to.equal((clear!.seq + 11) >>> 0);
      expect(ascii(next!.payload)).to.equal('331 Password required\r\n');
      expect(packetComment(packets[0]!)).to.match(/ tls=clear$/);
      expect(packets[0]!.ctrace.flagNames).to.include('clear-text');
      expect(decoder.stats()).to.include({ socketConfidentialRecords: 2, socketBytesWithheld: 43, socketDataPackets: 4 });
    });

    it('a record traced short shows what is there and counts the rest as withheld', () => {
      const [packet] = decodeAll(decoderWith(), [ftpRecord({ data: 'RETR ftp-f', dataLength: 19 })]);
      expect(ascii(readSynthesized(packet!.data).payload)).to.equal('RETR ftp-f');
      expect(packetComment(packet!)).to.match(/ withheld=9$/);
      expect(packetComment(packet!)).not.to.include('tls=');
    });
  });

  describe('connection state', () => {
    it('a flow end forgets the connection: the ID used again starts new sequence numbers', () => {
      const decoder = decoderWith();
      const packets = decodeAll(decoder, [
        ftpRecord({ data: '221 Goodbye\r\n' }),
        ftpRecord({ state: FlowState.END }),
        ftpRecord({ data: '220 ready\r\n' }),
      ]);
      const [first, fin, again] = packets.map((p) => readSynthesized(p.data));
      expect(fin!.seq).to.equal((first!.seq + 13) >>> 0);
      expect(again!.seq).not.to.equal((fin!.seq + 1) >>> 0);
      expect(decoder.stats()).to.include({ socketStreamsOpened: 2, socketStreamsClosed: 1 });
    });

    it('a connection ID seen with other endpoints is a new connection', () => {
      const decoder = decoderWith();
      decodeAll(decoder, [ftpRecord({ data: 'a' }), ftpRecord({ data: 'b', clientPort: 50000 })]);
      expect(decoder.stats()).to.include({ socketStreamsOpened: 2, socketStreamsReplaced: 1 });
    });

    it('remembers at most the configured number of connections, and forgets idle ones', () => {
      const decoder = decoderWith(defaultLayoutProfile(), { maxStreams: 2, idleSeconds: 60 });
      const packets = decodeAll(decoder, [
        ftpRecord({ data: 'one', cid: 1, clientPort: 40001 }),
        ftpRecord({ data: 'two', cid: 2, clientPort: 40002 }),
        ftpRecord({ data: 'three', cid: 3, clientPort: 40003 }), // pushes out connection 1
        ftpRecord({ data: 'one again', cid: 1, clientPort: 40001 }),
      ]);
      expect(decoder.stats()).to.include({ socketStreamsEvicted: 2, socketStreamsOpened: 4 });
      const [one, , , oneAgain] = packets.map((p) => readSynthesized(p.data));
      expect(oneAgain!.seq, 'forgotten: its sequence numbers start afresh').not.to.equal((one!.seq + 3) >>> 0);
      clock += 3600;
      decodeAll(decoder, [ftpRecord({ data: 'later', cid: 9, clientPort: 40009 })]);
      expect(decoder.stats().socketStreamsEvicted, 'the two idle ones went').to.equal(4);
    });
  });

  describe('socket kinds', () => {
    it('a datagram socket becomes UDP with its length and a checksum that verifies (IPv6 endpoints kept as traced)', () => {
      const entry = buildDataEntry({
        data: text('query'),
        socket: { jobName: 'RESOLVER', domain: Domain.INET6, socketType: SockType.DATAGRAM, protocol: 17, state: FlowState.DATA },
        fields: { flags: OUTBOUND, sourceAddress: '2001:db8::1', destinationAddress: '2001:db8::53', sourcePort: 1053, destinationPort: 53 },
      });
      const start = buildDataEntry({
        data: new Uint8Array(0),
        socket: { jobName: 'RESOLVER', domain: Domain.INET6, socketType: SockType.DATAGRAM, protocol: 17, state: FlowState.START },
        fields: { flags: OUTBOUND, sourceAddress: '2001:db8::1', destinationAddress: '2001:db8::53', sourcePort: 1053, destinationPort: 53 },
      });
      const [marker, packet] = decodeAll(decoderWith(), [start, entry]);
      expect(readSynthesized(marker!.data).nextHeader, 'no empty datagram is invented for the flow start').to.equal(NO_NEXT_HEADER);
      const s = readSynthesized(packet!.data);
      expect(s.nextHeader).to.equal(17);
      expect([s.sourcePort, s.destinationPort, s.udpLength]).to.deep.equal([1053, 53, 8 + 5]);
      expect(s.udpChecksum).not.to.equal(0);
      expect(s.checksumOk).to.equal(true);
      expect(ascii(s.payload)).to.equal('query');
      expect(Buffer.from(s.destination).equals(Buffer.from(ip16Bytes('2001:db8::53')))).to.equal(true);
      expect(packet!.interface.name).to.equal('socket data (job RESOLVER)');
      expect(packetComment(packet!)).to.include('sock=AF_INET6,datagram,UDP');
    });

    it('a raw socket carries its data bare behind the IPv6 header, under its own protocol', () => {
      const entry = buildDataEntry({
        data: Uint8Array.from([8, 0, 0, 0, 0, 1, 0, 1]),
        socket: { jobName: 'PING', domain: Domain.INET, socketType: SockType.RAW, protocol: 1, state: FlowState.DATA },
        fields: { flags: OUTBOUND, sourceAddress: SERVER, destinationAddress: CLIENT },
      });
      const s = readSynthesized(decodeAll(decoderWith(), [entry])[0]!.data);
      expect(s.nextHeader).to.equal(1);
      expect(Array.from(s.payload)).to.deep.equal([8, 0, 0, 0, 0, 1, 0, 1]);
    });
  });

  describe('layout profile', () => {
    it('reads the socket fields where an override puts them', () => {
      const override = { headers: { dataTrace: { fields: { domain: { offset: 19 }, state: { offset: 16 } } } } };
      const profile = layoutProfileFromObject(override);
      const entry = ftpRecord({ data: 'x', layout: override, socket: { state: FlowState.START, domain: Domain.INET6 } });
      const [packet] = decodeAll(decoderWith(profile), [entry]);
      expect(packet!.ctrace.extra).to.include({ state: 'start', sock: 'AF_INET6,stream,TCP' });
      expect(createDataTraceEntryCheck(profile)(toCteEntry(entry))).to.equal(null);
    });

    it('a header too short for the endpoints is counted as not converted', () => {
      const decoder = decoderWith();
      expect(decoder.decode(toCteEntry(ftpRecord({ data: 'x', headerLength: 48 })))).to.equal(null);
      expect(decoder.stats()).to.include({ socketRecordsWithoutEndpoints: 1, socketDataPackets: 0 });
      expect(decoder.entriesNotConverted).to.equal(1);
    });
  });

  describe('the scanner check', () => {
    const check = createDataTraceEntryCheck(defaultLayoutProfile());

    it('accepts data trace records, including markers without data', () => {
      expect(check(toCteEntry(ftpRecord({ data: '220 ready\r\n' })))).to.equal(null);
      expect(check(toCteEntry(ftpRecord({ state: FlowState.END })))).to.equal(null);
      expect(check(toCteEntry(ftpRecord({ data: 'x', socket: { domain: Domain.INET6, socketType: SockType.DATAGRAM } })))).to.equal(null);
    });

    it('rejects a PTH_Len past the entry, a header too short for the socket fields, an unknown domain or socket type', () => {
      const tooLong = ftpRecord({ data: 'abc' });
      new DataView(tooLong.buffer).setUint16(16, 1000); // PTH_Len (IBM: offset 0 of the component data)
      expect(check(toCteEntry(tooLong))).to.match(/PTH_Len/);
      expect(check(toCteEntry(ftpRecord({ data: 'x', headerLength: 16 })))).to.match(/too short/);
      expect(check(toCteEntry(ftpRecord({ data: 'x', socket: { domain: 7 } })))).to.match(/domain 7/);
      expect(check(toCteEntry(ftpRecord({ data: 'x', socket: { socketType: 9 } })))).to.match(/socket type 9/);
    });

    it('leaves other formats to their own checks', () => {
      expect(check(toCteEntry(buildPacketEntry({ packet: text('not IP at all') })))).to.equal(null);
    });
  });

  describe('within the SYSTCPDA decoder', () => {
    it('format 4 and format 5 entries both become packets; SMC and the old format 1 are counted', () => {
      const decoder = createComponentDecoder('SYSTCPDA', { profile: defaultLayoutProfile(), codePage, leapSeconds: 0 });
      const ipv4 = Uint8Array.from(Buffer.from('4500001c0001000040117ccd0a0101010a010102040013880008d2a5', 'hex'));
      const smc = buildCte({ formatId: 8, timeSec: 1_700_000_000, timeNsec: 0, data: buildDataEntry({ data: text('smc'), socket: {} }).subarray(16, -2) });
      const entries = [buildPacketEntry({ packet: ipv4 }), ftpRecord({ data: 'hello' }), smc, buildPacketEntry({ packet: ipv4, formatId: 1 })];
      const packets: CtracePacket[] = [];
      for (const [i, cte] of entries.entries()) {
        const entry = toCteEntry(cte, i + 1);
        expect(decoder.check(entry), `entry ${i + 1}`).to.equal(null);
        for (let p = decoder.decode(entry); p !== null; p = decoder.takeQueued()) packets.push(p);
      }
      packets.push(...decoder.flush());
      expect(packets.map((p) => p.ctrace.formatId)).to.deep.equal([4, 5]);
      expect(packets.map((p) => p.interface.name)).to.deep.equal(['(no link name)', 'socket data (job FTPD1)']);
      expect(decoder.stats()).to.include({ socketDataPackets: 1, smcRecords: 1, smcDataBytes: 3, entriesNotConverted: 2 });
    });

    it('its check rejects a broken data trace entry', () => {
      const decoder = createComponentDecoder('SYSTCPDA', { profile: defaultLayoutProfile(), codePage, leapSeconds: 0 });
      expect(decoder.check(toCteEntry(ftpRecord({ data: 'x', socket: { domain: 99 } })))).to.match(/domain 99/);
    });
  });
});
