import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPacketEntryCheck, createPacketTraceDecoder, type PacketTraceDecoder } from '../src/ctrace/packet-trace-decoder.js';
import { defaultLayoutProfile, loadLayoutProfile, type LayoutProfile } from '../src/ctrace/layout/layout-profile.js';
import { parseIpHeader } from '../src/net/ip-header.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { formatUtc } from '../src/model/time.js';
import { LinkType } from '../src/capture/link-types.js';
import { CTE_HEADER_LENGTH } from './support/cte-builder.js';
import type { CtracePacket } from '../src/model/trace-packet.js';
import {
  buildPacketEntry,
  buildSegmentedEntries,
  fullHeaderLength,
  pthdrSlots,
  toCteEntry,
  type LayoutOverrideDocument,
  type PthdrValues,
} from './support/packet-trace-builder.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Contract §9: IBM's 40-byte ICMP echo request, and the TOD of its capture time. */
const IBM_ICMP = hex('45000028 00004000 3E015914 092A6947 092A6826 08005592 0B3F0000 AEBCDB3D 03340A00 00000000');
const IBM_ICMP_TOD = { todHigh: 0xb88f32a5, todLow: 0x0a3c7000 };

/** One's-complement sum of 16-bit words (RFC 1071), folded. */
function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Contract §9 packet trace record 3, assembled from its stated fields: IPv4 UDP 9.67.113.65:1025 →
 * 9.37.80.3:53, length 56, ID 0x000E, TTL 64; a DNS AAAA query for w3.ibm.com, id 40266, RD.
 */
function ibmDnsQuery(): Uint8Array {
  const dns = hex('9D4A 0100 0001 0000 0000 0000 02 7733 03 69626D 03 636F6D 00 001C 0001');
  const udp = new Uint8Array(8 + dns.length);
  const udpView = new DataView(udp.buffer);
  udpView.setUint16(0, 1025);
  udpView.setUint16(2, 53);
  udpView.setUint16(4, udp.length);
  udp.set(dns, 8);
  const ip = new Uint8Array(20 + udp.length);
  const ipView = new DataView(ip.buffer);
  ip.set(hex('45 00'), 0);
  ipView.setUint16(2, ip.length);
  ipView.setUint16(4, 0x000e);
  ip.set(hex('0000 40 11'), 6);
  ip.set(hex('09437141 09255003'), 12);
  ipView.setUint16(10, ~onesComplementSum(ip.subarray(0, 20)) & 0xffff);
  const pseudo = onesComplementSum(ip.subarray(12, 20), 17 + udp.length);
  udpView.setUint16(6, ~onesComplementSum(udp, pseudo) & 0xffff);
  ip.set(udp, 20);
  return ip;
}

/** IPv6 UDP 2001:db8::10:1234 → 2001:db8::20:53 behind a destination-options header, 9 payload bytes. */
function ipv6WithExtension(): Uint8Array {
  const payload = hex('3c 00 0104 00000000' + '04d2 0035 0011 0000' + '0102030405060708 09');
  const packet = new Uint8Array(40 + payload.length);
  packet.set(hex('60000000'), 0);
  new DataView(packet.buffer).setUint16(4, payload.length);
  packet[6] = 60; // destination options
  packet[7] = 64;
  packet.set(hex('20010db8000000000000000000000010 20010db8000000000000000000000020'), 8);
  packet.set(payload, 40);
  // The destination-options header points at UDP.
  packet[40] = 17;
  return packet;
}

/** A TCP/IPv4 packet of `length` bytes with a recognisable payload. */
function ipv4Packet(length: number): Uint8Array {
  const packet = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
  packet.set(hex('45000000 12340000 4006 0000 0a000001 0a000002 1f90 c350'), 0);
  new DataView(packet.buffer).setUint16(2, length);
  return packet;
}

const CP1047 = resolveCodePage('1047');
/** PTH_Len the builder writes by default (every field of the profile). */
const HEADER_LENGTH = fullHeaderLength(pthdrSlots());

function decoderFor(profile: LayoutProfile = defaultLayoutProfile(), leapSeconds = 0): PacketTraceDecoder {
  return createPacketTraceDecoder({ profile, codePage: CP1047, leapSeconds });
}

/** Every packet the entries give, in order, with its bytes copied as a real consumer would. */
function decodeAll(entries: Uint8Array[], decoder = decoderFor()): CtracePacket[] {
  const out: CtracePacket[] = [];
  const keep = (p: CtracePacket): void => {
    out.push({ ...p, data: p.data.slice() });
  };
  entries.forEach((cte, i) => {
    const first = decoder.decode(toCteEntry(cte, i + 1, i * 1000));
    if (first !== null) keep(first);
    for (let more = decoder.takeQueued(); more !== null; more = decoder.takeQueued()) keep(more);
  });
  decoder.flush().forEach(keep);
  return out;
}

function decodeOne(entry: Uint8Array, decoder = decoderFor()): CtracePacket {
  const packets = decodeAll([entry], decoder);
  expect(packets).to.have.length(1);
  return packets[0]!;
}

const FULL_FIELDS: PthdrValues = {
  deviceType: 39,
  flags: 0x20,
  linkName: 'OSDL',
  asid: 0x35,
  tcb: 0x8d4e88,
  traceCount: 191128,
  connectionId: 9,
  interfaceIndex: 3,
  vlanId: 0,
};

describe('SYSTCPDA packet trace decoder', () => {
  describe('IBM vectors (contract §9)', () => {
    it('ICMP echo request: byte-identical, timed by PTH_Time to the microsecond', () => {
      const entry = buildPacketEntry({
        packet: IBM_ICMP,
        fields: { captureTod: IBM_ICMP_TOD, linkName: 'ETH1', deviceType: 21, flags: 0x80, asid: 0x01f7 },
        entryTime: { sec: Date.UTC(2002, 10, 20, 17, 38, 32) / 1000, nsec: 175_600_000 },
      });
      const packet = decodeOne(entry);
      expect(formatUtc(packet.timeSec, packet.timeNsec)).to.equal('2002-11-20T17:38:32.175559000Z');
      expect(same(packet.data, IBM_ICMP)).to.equal(true);
      expect(packet.originalLength).to.equal(40);
      expect(packet.direction).to.equal('inbound');
      expect(packet.ctrace).to.include({ asid: 0x01f7, deviceName: 'devtype 21', truncated: false, discard: null, segments: null });
      expect(packet.interface).to.deep.equal({ component: 'SYSTCPDA', name: 'ETH1', linkType: LinkType.RAW, description: 'devtype 21 (SYSTCPDA packet trace)' });
      expect(parseIpHeader(packet.data)).to.include({ sourceAddress: '9.42.105.71', destinationAddress: '9.42.104.38', protocol: 1 });
    });

    it('honours a leap-second offset', () => {
      const entry = buildPacketEntry({
        packet: IBM_ICMP,
        fields: { captureTod: IBM_ICMP_TOD },
        entryTime: { sec: Date.UTC(2002, 10, 20, 17, 38, 32) / 1000, nsec: 175_600_000 },
      });
      const packet = decodeOne(entry, decoderFor(defaultLayoutProfile(), 22));
      expect(formatUtc(packet.timeSec, packet.timeNsec)).to.equal('2002-11-20T17:38:10.175559000Z');
    });

    it('record 3, the DNS AAAA query: its IP checksum computes to 0xA6FB and it decodes whole', () => {
      const query = ibmDnsQuery();
      expect(new DataView(query.buffer).getUint16(10)).to.equal(0xa6fb);
      const time = { sec: Date.UTC(2002, 1, 12, 23, 39, 11) / 1000, nsec: 873_539_000 };
      const entry = buildPacketEntry({ packet: query, fields: { captureTime: time, linkName: 'TR1', flags: 0x20, asid: 0x001e, tcb: 0x007f62c0 } });
      const packet = decodeOne(entry);
      expect(formatUtc(packet.timeSec, packet.timeNsec)).to.equal('2002-02-12T23:39:11.873539000Z');
      expect(same(packet.data, query)).to.equal(true);
      expect(packet.originalLength).to.equal(56);
      expect(packet.direction).to.equal('outbound');
      expect(packet.interface.name).to.equal('TR1');
      expect(packet.ctrace).to.include({ asid: 0x1e, tcb: 0x007f62c0 });
      expect(parseIpHeader(packet.data)).to.include({ sourceAddress: '9.67.113.65', destinationAddress: '9.37.80.3', sourcePort: 1025, destinationPort: 53 });
    });

    it('record 3 is what tshark calls a valid DNS AAAA query for w3.ibm.com', function () {
      if (spawnSync('tshark', ['-v']).status !== 0) this.skip();
      const data = decodeOne(buildPacketEntry({ packet: ibmDnsQuery() })).data;
      const pcap = Buffer.alloc(24 + 16 + data.length);
      pcap.writeUInt32LE(0xa1b2c3d4, 0);
      pcap.writeUInt16LE(2, 4);
      pcap.writeUInt16LE(4, 6);
      pcap.writeUInt32LE(65535, 16);
      pcap.writeUInt32LE(LinkType.RAW, 20);
      pcap.writeUInt32LE(data.length, 24 + 8);
      pcap.writeUInt32LE(data.length, 24 + 12);
      pcap.set(data, 40);
      const dir = mkdtempSync(join(tmpdir(), 'zctrace-dns-'));
      try {
        const file = join(dir, 'dns.pcap');
        writeFileSync(file, pcap);
        const fields = ['ip.checksum.status', 'udp.checksum.status', 'dns.id', 'dns.flags.recdesired', 'dns.qry.name', 'dns.qry.type'];
        const args = ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
        const out = spawnSync('tshark', args, { encoding: 'utf8' }).stdout.trim().split('\t');
        expect(out).to.deep.equal(['1', '1', '0x9d4a', '1', 'w3.ibm.com', '28']); // 1: checksum good
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('packets', () => {
    it('an IPv6 packet with an extension header comes out byte-identical', () => {
      const packet6 = ipv6WithExtension();
      const packet = decodeOne(buildPacketEntry({ packet: packet6, fields: FULL_FIELDS }));
      expect(same(packet.data, packet6)).to.equal(true);
      expect(packet.originalLength).to.equal(packet6.length);
      expect(parseIpHeader(packet.data)).to.include({ protocol: 17, sourcePort: 1234, destinationPort: 53, sourceAddress: '2001:db8::10' });
    });

    it('maps the PTHDR facts onto the packet', () => {
      const packet = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields: { ...FULL_FIELDS, vlanId: 12 } }));
      expect(packet.direction).to.equal('outbound');
      expect(packet.interface.description).to.equal('MPC IP AQENET (SYSTCPDA packet trace)');
      expect(packet.ctrace).to.deep.include({
        component: 'SYSTCPDA',
        formatId: 4,
        recordNumber: 1,
        fileOffset: 0,
        flagBits: 0x20,
        flagNames: ['outbound'],
        deviceType: 39,
        deviceName: 'MPC IP AQENET',
        asid: 0x35,
        tcb: 0x8d4e88,
        traceCount: 191128,
        connectionId: 9,
        interfaceIndex: 3,
        vlanId: 12,
        extra: {},
      });
    });

    it('a truncated (ABBREV) packet keeps its true length from the IP header', () => {
      const big = ipv4Packet(1500);
      const packet = decodeOne(buildPacketEntry({ packet: big, truncateTo: 200, fields: { ...FULL_FIELDS, packetLength: 0, tracedLength: 200 } }));
      expect(packet.data.length).to.equal(200);
      expect(same(packet.data, big.subarray(0, 200))).to.equal(true);
      expect(packet.originalLength).to.equal(1500);
      expect(packet.ctrace.truncated).to.equal(true);
      expect(packet.ctrace.extra).to.deep.equal({}); // the IP and TCP headers are all there
    });

    it('takes addresses and ports from the PTHDR only when the packet stops short of them', () => {
      const fields = { sourceAddress: '10.0.0.1', destinationAddress: '10.0.0.2', sourcePort: 8080, destinationPort: 50000, protocol: 6 };
      const decoder = decoderFor();
      const packet = decodeOne(buildPacketEntry({ packet: ipv4Packet(1500), truncateTo: 16, fields }), decoder);
      expect(packet.originalLength).to.equal(1500);
      expect(packet.ctrace.extra).to.deep.equal({ sourceAddress: '10.0.0.1', destinationAddress: '10.0.0.2', sourcePort: 8080, destinationPort: 50000 });
      expect(decoder.stats.truncatedPackets).to.equal(1);
    });

    it('drops the pad byte after an odd-length packet', () => {
      const odd = ipv4Packet(41);
      const decoder = decoderFor();
      const packet = decodeOne(buildPacketEntry({ packet: odd, padByte: true }), decoder);
      expect(same(packet.data, odd)).to.equal(true);
      expect(packet.originalLength).to.equal(41);
      expect(packet.ctrace.truncated).to.equal(false);
      expect(decoder.stats.padBytesDropped).to.equal(1);
    });

    it('falls back to PTH_Plen and the bytes present when there is no IP length', () => {
      const notIp = Uint8Array.from({ length: 30 }, (_, i) => 0x40 + i);
      const packet = decodeOne(buildPacketEntry({ packet: notIp, fields: { packetLength: 60 } }));
      expect(packet.data.length).to.equal(30);
      expect(packet.originalLength).to.equal(60);
    });

    it('times the packet by CTETIME when PTH_Time is zero or far from it', () => {
      const entryTime = { sec: 1_600_000_000, nsec: 5_000 };
      const decoder = decoderFor();
      const zero = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields: { captureTod: { todHigh: 0, todLow: 0 } }, entryTime }), decoder);
      const far = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields: { captureTime: { sec: 1_600_001_000, nsec: 0 } }, entryTime }), decoder);
      for (const packet of [zero, far]) expect([packet.timeSec, packet.timeNsec]).to.deep.equal([1_600_000_000, 5_000]);
      expect(decoder.stats.captureTimeFallbacks).to.equal(2);
    });
  });

  describe('discards', () => {
    const discarded = (fields: PthdrValues, headerLength?: number): CtracePacket =>
      decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields: { ...FULL_FIELDS, flags: 0x08, ...fields }, headerLength }));

    it('names a known code: 4114 IP_MAC_BRDCST', () => {
      expect(discarded({ discardCode: 4114 }).ctrace.discard).to.include({ code: 4114, name: 'IP_MAC_BRDCST', layer: 'interface and IP' });
    });

    it('gives an unknown code its layer: 8215 TCP', () => {
      expect(discarded({ discardCode: 8215 }).ctrace.discard).to.deep.equal({ code: 8215, name: null, layer: 'TCP', description: null });
    });

    it('a zero code is no discard, whatever the flag says', () => {
      const packet = discarded({ discardCode: 0 });
      expect(packet.ctrace.discard).to.equal(null);
      expect(packet.ctrace.flagNames).to.deep.equal(['discarded']);
    });

    it('a short (older) header lacks the discard field', () => {
      const decoder = decoderFor();
      const entry = buildPacketEntry({ packet: IBM_ICMP, fields: { ...FULL_FIELDS, discardCode: 4114 }, headerLength: 100 });
      const packet = decodeOne(entry, decoder);
      expect(packet.ctrace.discard).to.equal(null);
      expect(same(packet.data, IBM_ICMP)).to.equal(true);
      expect(packet.ctrace.connectionId).to.equal(9);
      expect(decoder.stats.shortHeaders).to.equal(1);
    });
  });

  describe('segmented records', () => {
    const big = ipv4Packet(9000);

    it('reassembles the pieces byte-identical, null until the last arrives', () => {
      const entries = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      expect(entries).to.have.length(3);
      const decoder = decoderFor();
      expect(decoder.decode(toCteEntry(entries[0]!, 1))).to.equal(null);
      expect(decoder.decode(toCteEntry(entries[1]!, 2))).to.equal(null);
      const packet = decoder.decode(toCteEntry(entries[2]!, 3))!;
      expect(same(packet.data, big)).to.equal(true);
      expect(packet.originalLength).to.equal(9000);
      expect(packet.ctrace).to.deep.include({ recordNumber: 1, segments: { received: 3, incomplete: false }, truncated: false });
      expect(decoder.stats).to.include({ segmentedPackets: 1, incompleteSegmentSets: 0, packets: 1 });
    });

    it('drops the pad byte at the end of the last segment', () => {
      const odd = ipv4Packet(3001);
      const decoder = decoderFor();
      const [packet] = decodeAll(buildSegmentedEntries({ packet: odd, padByte: true }, [1500]), decoder);
      expect(same(packet!.data, odd)).to.equal(true);
      expect(packet!.ctrace.segments).to.deep.equal({ received: 2, incomplete: false });
      expect(decoder.stats.padBytesDropped).to.equal(1);
    });

    it('reassembles the largest IPv6 packet (65535-byte payload) from three entries', () => {
      const payload = 65535;
      const jumbo = Uint8Array.from({ length: payload + 40 }, (_, i) => (i * 13) & 0xff);
      jumbo.set(hex('60000000 ffff 3b 40'), 0); // no next header: all payload
      const decoder = decoderFor();
      const [packet] = decodeAll(buildSegmentedEntries({ packet: jumbo }, [32000, 33000]), decoder);
      expect(packet!.data.length).to.equal(jumbo.length);
      expect(same(packet!.data, jumbo)).to.equal(true);
      expect(packet!.ctrace.segments).to.deep.equal({ received: 3, incomplete: false });
      expect(decoder.stats.segmentedPackets).to.equal(1);
    });

    it('a missing middle segment gives an incomplete packet with the bytes before the gap', () => {
      const entries = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      const decoder = decoderFor();
      const packets = decodeAll([entries[0]!, entries[2]!], decoder);
      expect(packets).to.have.length(1);
      const packet = packets[0]!;
      expect(same(packet.data, big.subarray(0, 4000))).to.equal(true);
      expect(packet.originalLength).to.equal(9000);
      expect(packet.ctrace).to.deep.include({ truncated: true, segments: { received: 1, incomplete: true } });
      expect(decoder.stats).to.include({ incompleteSegmentSets: 1, segmentsWithoutPacket: 1, truncatedPackets: 1 });
    });

    it('a new packet cuts an unfinished set short: both come out, in order', () => {
      const pieces = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      const next = buildPacketEntry({ packet: IBM_ICMP, fields: { captureTime: { sec: 1_700_000_001, nsec: 0 } } });
      const packets = decodeAll([pieces[0]!, pieces[1]!, next]);
      expect(packets.map((p) => [p.data.length, p.ctrace.segments?.incomplete ?? false])).to.deep.equal([
        [7000, true],
        [40, false],
      ]);
      expect(same(packets[0]!.data, big.subarray(0, 7000))).to.equal(true);
      expect(same(packets[1]!.data, IBM_ICMP)).to.equal(true);
    });

    it('a caller that never drains takeQueued still gets every packet, in order, with intact bytes', () => {
      const pieces = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      const singles = [1, 2, 3].map((n) => ipv4Packet(40 + n));
      const entries = [pieces[0]!, pieces[1]!, ...singles.map((p) => buildPacketEntry({ packet: p }))];
      const decoder = decoderFor();
      const seen: Uint8Array[] = [];
      let held: CtracePacket | null = null;
      for (const [i, cte] of entries.entries()) {
        // A copy of the entry, overwritten after decoding as a scanner reusing its buffer would.
        const bytes = cte.slice();
        const packet = decoder.decode(toCteEntry(bytes, i + 1));
        if (held !== null) seen.push(held.data.slice());
        held = packet;
        bytes.fill(0xff);
      }
      const rest = decoder.flush();
      if (held !== null) seen.push(held.data.slice());
      seen.push(...rest.map((p) => p.data));
      expect(seen.map((d) => d.length)).to.deep.equal([7000, 41, 42, 43]);
      singles.forEach((p, i) => expect(same(seen[i + 1]!, p), `packet ${i + 1}`).to.equal(true));
    });

    it('a set still open at the end of input is flushed incomplete', () => {
      const pieces = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      const decoder = decoderFor();
      expect(decoder.decode(toCteEntry(pieces[0]!))).to.equal(null);
      const flushed = decoder.flush();
      expect(flushed).to.have.length(1);
      expect(flushed[0]!.ctrace.segments).to.deep.equal({ received: 1, incomplete: true });
    });

    it('a later segment with no first segment is dropped and counted', () => {
      const pieces = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS }, [4000, 3000]);
      const decoder = decoderFor();
      expect(decodeAll([pieces[1]!, pieces[2]!], decoder)).to.have.length(0);
      expect(decoder.stats.segmentsWithoutPacket).to.equal(2);
    });
  });

  describe('layout profile', () => {
    /** Every PTHDR field but PTH_Len moved 8 bytes on. */
    const shifted: LayoutOverrideDocument = {
      headers: {
        pthdr: {
          fields: Object.fromEntries(
            Object.entries(pthdrSlots())
              .filter(([name]) => name !== 'headerLength')
              .map(([name, slot]) => [name, { offset: slot.offset + 8 }]),
          ),
        },
      },
    };

    it('a shifted partial override moves where the decoder reads', () => {
      const dir = mkdtempSync(join(tmpdir(), 'zctrace-shift-'));
      try {
        const file = join(dir, 'shifted.json');
        writeFileSync(file, JSON.stringify(shifted));
        const fields = { ...FULL_FIELDS, discardCode: 4114, flags: 0x28, captureTime: { sec: 1_650_000_000, nsec: 250_000 } };
        const expected = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields }));
        const actual = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields, layout: shifted }), decoderFor(loadLayoutProfile(file)));
        expect(actual).to.deep.equal(expected);
        expect(actual.ctrace.discard?.code).to.equal(4114);
        // The same bytes read with the default offsets give other values.
        const misread = decodeOne(buildPacketEntry({ packet: IBM_ICMP, fields, layout: shifted }));
        expect(misread.ctrace.asid).to.not.equal(0x35);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('segments reassemble under the shifted profile too', () => {
      const big = ipv4Packet(3000);
      const dir = mkdtempSync(join(tmpdir(), 'zctrace-shift-'));
      try {
        const file = join(dir, 'shifted.json');
        writeFileSync(file, JSON.stringify(shifted));
        const entries = buildSegmentedEntries({ packet: big, fields: FULL_FIELDS, layout: shifted }, [1000, 1000]);
        const packets = decodeAll(entries, decoderFor(loadLayoutProfile(file)));
        expect(packets).to.have.length(1);
        expect(same(packets[0]!.data, big)).to.equal(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('entry check', () => {
    const check = createPacketEntryCheck(defaultLayoutProfile());

    it('accepts a first segment that starts with IP version 4 or 6', () => {
      expect(check(toCteEntry(buildPacketEntry({ packet: IBM_ICMP })))).to.equal(null);
      expect(check(toCteEntry(buildPacketEntry({ packet: ipv6WithExtension() })))).to.equal(null);
    });

    it('rejects a first segment with another version nibble', () => {
      expect(check(toCteEntry(buildPacketEntry({ packet: hex('5500001400000000') })))).to.include('IP version nibble 5');
    });

    it('accepts a later segment whatever its data starts with', () => {
      const pieces = buildSegmentedEntries({ packet: ipv4Packet(3000) }, [1000, 1000]);
      expect(pieces[1]![CTE_HEADER_LENGTH + HEADER_LENGTH]).to.not.equal(0x45);
      expect(check(toCteEntry(pieces[1]!))).to.equal(null);
    });

    it('rejects a PTH_Len that runs past the entry, and an entry with no packet', () => {
      const entry = buildPacketEntry({ packet: IBM_ICMP });
      new DataView(entry.buffer).setUint16(CTE_HEADER_LENGTH, HEADER_LENGTH + 41);
      expect(check(toCteEntry(entry))).to.include('PTH_Len');
      new DataView(entry.buffer).setUint16(CTE_HEADER_LENGTH, HEADER_LENGTH + 40);
      expect(check(toCteEntry(entry))).to.include('no packet bytes');
    });

    it('leaves entries of other formats to their own decoders', () => {
      expect(check(toCteEntry(buildPacketEntry({ packet: hex('00000000'), formatId: 5 })))).to.equal(null);
    });
  });
});
