/**
 * SYSTCPDA Enterprise Extender (format 6) and SMC (format 8) entries: EE records whose bytes at PTH_Len are
 * a sound IP datagram are written as raw IP on an interface of their own; everything else, and SMC, is
 * counted, never guessed at.
 */
import { expect } from 'chai';
import { createEeDecoder, createEeEntryCheck } from '../src/ctrace/ee-decoder.js';
import { createSmcDecoder, createSmcEntryCheck } from '../src/ctrace/smc-decoder.js';
import { createComponentDecoder } from '../src/ctrace/component-decoders.js';
import { defaultLayoutProfile } from '../src/ctrace/layout/layout-profile.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { LinkType } from '../src/capture/link-types.js';
import type { CtracePacket } from '../src/model/trace-packet.js';
import { buildPacketEntry, buildSegmentedEntries, toCteEntry, type PacketEntrySpec } from './support/packet-trace-builder.js';
import { flagMask } from './support/data-trace-builder.js';

const options = { profile: defaultLayoutProfile(), codePage: resolveCodePage('1047'), leapSeconds: 0 };
const OUTBOUND = flagMask('outbound');
const EE_FORMAT = 6;
/** Enterprise Extender's UDP ports are 12000..12004 (one per SNA transmission priority). */
const EE_PORT = 12000;

function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i]! << 8) | header[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** IPv4/UDP from 198.51.100.2:12000 to 198.51.100.1:12000 with `payloadBytes` of HPR-looking payload. */
function eeDatagram(payloadBytes: number): Uint8Array {
  const packet = new Uint8Array(28 + payloadBytes);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  view.setUint16(4, 0x1234);
  packet[8] = 64;
  packet[9] = 17;
  packet.set([198, 51, 100, 2, 198, 51, 100, 1], 12);
  view.setUint16(10, ipv4HeaderChecksum(packet.subarray(0, 20)));
  view.setUint16(20, EE_PORT);
  view.setUint16(22, EE_PORT);
  view.setUint16(24, 8 + payloadBytes);
  for (let i = 0; i < payloadBytes; i++) packet[28 + i] = (0xc0 + i) & 0xff;
  return packet;
}

function eeEntry(spec: Partial<PacketEntrySpec> & { packet: Uint8Array }): Uint8Array {
  return buildPacketEntry({ formatId: EE_FORMAT, ...spec, fields: { linkName: 'OSAQDIO4', deviceType: 39, flags: OUTBOUND, ...spec.fields } });
}

describe('SYSTCPDA Enterprise Extender (format 6) and SMC (format 8)', () => {
  it('an EE record holding an IP datagram is written as it is, on its own "Enterprise Extender (LINK)" interface', () => {
    const decoder = createEeDecoder(options);
    const datagram = eeDatagram(33);
    const packet = decoder.decode(toCteEntry(eeEntry({ packet: datagram, padByte: true })));
    expect(packet).not.to.equal(null);
    expect(Buffer.from(packet!.data).equals(Buffer.from(datagram)), 'the datagram, without the pad byte').to.equal(true);
    expect(packet!.originalLength).to.equal(datagram.length);
    expect(packet!.interface).to.include({ name: 'Enterprise Extender (OSAQDIO4)', linkType: LinkType.RAW, component: 'SYSTCPDA' });
    expect(packet!.interface.description).to.equal('MPC IP AQENET (SYSTCPDA Enterprise Extender trace)');
    expect(packet!.direction).to.equal('outbound');
    expect(packet!.ctrace.formatId).to.equal(EE_FORMAT);
    expect(decoder.stats()).to.include({ eePackets: 1 });
  });

  it('an ABBREV-truncated EE datagram keeps its true length', () => {
    const decoder = createEeDecoder(options);
    const datagram = eeDatagram(200);
    const packet = decoder.decode(toCteEntry(eeEntry({ packet: datagram, truncateTo: 64 })));
    expect(packet!.data.length).to.equal(64);
    expect(packet!.originalLength).to.equal(datagram.length);
    expect(packet!.ctrace.truncated).to.equal(true);
    expect(decoder.stats()).to.include({ eeTruncatedPackets: 1 });
  });

  it('bytes that are not a sound IP datagram, and later segments, are counted as not converted', () => {
    const decoder = createEeDecoder(options);
    const badChecksum = eeDatagram(10);
    badChecksum[10]! ^= 0xff;
    expect(decoder.decode(toCteEntry(eeEntry({ packet: Uint8Array.from([0x2d, 0x00, 0x11, 0x22, 0x33]) })))).to.equal(null);
    expect(decoder.decode(toCteEntry(eeEntry({ packet: badChecksum })))).to.equal(null);
    const [first, second] = buildSegmentedEntries({ packet: eeDatagram(100), formatId: EE_FORMAT }, [60]);
    expect(decoder.decode(toCteEntry(first!))).not.to.equal(null);
    expect(decoder.decode(toCteEntry(second!))).to.equal(null);
    expect(decoder.stats()).to.include({ eeRecordsNotIp: 2, eeSegmentsNotJoined: 1, eePackets: 1 });
    expect(decoder.entriesNotConverted).to.equal(3);
  });

  it('the scanner accepts EE and SMC entries with a usable header and rejects those without', () => {
    const eeCheck = createEeEntryCheck(options.profile);
    const smcCheck = createSmcEntryCheck(options.profile);
    expect(eeCheck(toCteEntry(eeEntry({ packet: Uint8Array.from([1, 2, 3]) }))), 'not IP: counted later, not damage').to.equal(null);
    const smc = buildPacketEntry({ packet: Uint8Array.from([1, 2, 3, 4]), formatId: 8 });
    expect(smcCheck(toCteEntry(smc))).to.equal(null);
    for (const [check, cte] of [
      [eeCheck, eeEntry({ packet: eeDatagram(4) })],
      [smcCheck, smc],
    ] as const) {
      const broken = cte.slice();
      new DataView(broken.buffer).setUint16(16, 0xfff0); // PTH_Len (IBM: offset 0 of the component data) past the entry
      expect(check(toCteEntry(broken))).to.match(/PTH_Len/);
    }
  });

  it('SMC records are counted with their bytes; no packet is made', () => {
    const decoder = createSmcDecoder(options);
    expect(decoder.decode(toCteEntry(buildPacketEntry({ packet: new Uint8Array(40), formatId: 8 })))).to.equal(null);
    expect(decoder.stats()).to.include({ smcRecords: 1, smcDataBytes: 40 });
    expect(decoder.entriesNotConverted).to.equal(1);
  });

  it('in a SYSTCPDA file, EE datagrams never share the interface of the same link\'s packet trace', () => {
    const decoder = createComponentDecoder('SYSTCPDA', options);
    const datagram = eeDatagram(20);
    const entries = [buildPacketEntry({ packet: datagram, fields: { linkName: 'OSAQDIO4', deviceType: 39 } }), eeEntry({ packet: datagram })];
    const packets: CtracePacket[] = [];
    entries.forEach((cte, i) => {
      for (let p = decoder.decode(toCteEntry(cte, i + 1)); p !== null; p = decoder.takeQueued()) packets.push(p);
    });
    expect(packets.map((p) => p.interface.name)).to.deep.equal(['OSAQDIO4', 'Enterprise Extender (OSAQDIO4)']);
    expect(decoder.stats()).to.include({ packets: 1, eePackets: 1, entriesNotConverted: 0 });
  });
});
