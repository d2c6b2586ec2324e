/**
 * SYSTCPIS intrusion detection entries → raw IP packets: IBM's record 4521 (contract §9), the probe
 * table and its fallbacks, the IDS extension through the layout profile, a packet found past PTH_Len,
 * truncation and the scanner's check.
 */
import { expect } from 'chai';
import { createIdsDecoder } from '../src/ctrace/ids-decoder.js';
import { describeProbe, isIdsProbeId } from '../src/ctrace/ids-probes.js';
import { defaultLayoutProfile, layoutProfileFromObject, type LayoutProfile } from '../src/ctrace/layout/layout-profile.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { LinkType } from '../src/capture/link-types.js';
import { packetComment } from '../src/capture/packet-comment.js';
import { formatUtc } from '../src/model/time.js';
import { formatIdLabel } from '../src/ctrace/format-ids.js';
import type { ComponentDecoder } from '../src/ctrace/component-decoders.js';
import type { CtracePacket } from '../src/model/trace-packet.js';
import { toCteEntry } from './support/packet-trace-builder.js';
import { buildIdsEntry, IBM_IDS_ICMP, IBM_RECORD_4521, type IdsRecordSpec } from './support/ids-builder.js';
import { ipv4Tcp } from './support/component-samples.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function decoderFor(profile: LayoutProfile = defaultLayoutProfile()): ComponentDecoder {
  return createIdsDecoder({ profile, codePage: resolveCodePage('1047'), leapSeconds: 0 });
}

function decodeOne(spec: IdsRecordSpec, decoder = decoderFor()): { verdict: string | null; packet: CtracePacket | null } {
  const entry = toCteEntry(buildIdsEntry(spec));
  const verdict = decoder.check(entry);
  return { verdict, packet: verdict === null ? decoder.decode(entry) : null };
}

const SYN = ipv4Tcp({ source: '50.79.43.252', destination: '192.86.33.199', sourcePort: 53, destinationPort: 23, seq: 1998194860, flags: 0x02, window: 1024, ttl: 34, id: 7, mss: 1460 });

describe('IDS decoder (SYSTCPIS)', () => {
  it("IBM's record 4521: the ICMP packet, its time, link, ASID, probe, correlator and rule", () => {
    const { verdict, packet } = decodeOne(IBM_RECORD_4521);
    expect(verdict).to.equal(null);
    expect(same(packet!.data, IBM_IDS_ICMP)).to.equal(true);
    expect(packet!.originalLength).to.equal(40);
    expect(formatUtc(packet!.timeSec, packet!.timeNsec)).to.match(/^2002-11-20T17:38:32\.175559\d{3}Z$/);
    expect(packet!.interface).to.include({ component: 'SYSTCPIS', name: 'ETH1', linkType: LinkType.RAW });
    expect(packet!.ctrace).to.include({ component: 'SYSTCPIS', formatId: 0x03030000, asid: 0x01f7, truncated: false });
    expect(packet!.ctrace.extra).to.deep.equal({
      ids: '03030000',
      type: 'scan',
      level: 'normal',
      correlator: 10,
      rule: 'ScanEventIcmp-rule',
      module: 'EZBIPICM',
      job: 'TCPCS',
    });
    expect(packetComment(packet!)).to.match(/ asid=01F7 .* ids=03030000 type=scan level=normal correlator=10 rule=ScanEventIcmp-rule module=EZBIPICM job=TCPCS$/);
  });

  it('the scan comment reads as the contract shows it, with the action after the rule', () => {
    const { packet } = decodeOne({ probeId: 0x03020002, packet: SYN, correlator: 2, policyRule: 'ScanEventLowTcp-rule', actionName: 'ScanEvent-action' });
    expect(packetComment(packet!)).to.contain(' ids=03020002 type=scan level=possibly-suspicious correlator=2 rule=ScanEventLowTcp-rule action=ScanEvent-action');
  });

  it('an attack names its attack type', () => {
    const { packet } = decodeOne({ probeId: 0x04010006, packet: SYN, correlator: 3, policyRule: 'AttackMalformed-rule', actionName: 'Attack-action' });
    expect(packet!.ctrace.extra).to.include({ ids: '04010006', type: 'attack', attack: 'MALFORMED_PACKET', rule: 'AttackMalformed-rule', action: 'Attack-action' });
    expect(packet!.ctrace.extra).to.not.have.property('level');
  });

  describe('probe table', () => {
    it("carries the reasons the contract and the published cases give", () => {
      expect(describeProbe(0x03020002).description).to.equal('scan, possibly suspicious: request to an unbound port');
      expect(describeProbe(0x04010006).description).to.equal('attack, malformed packet: IPv4 header error, source or destination address error');
      for (const id of [0x03020002, 0x03020020, 0x03030000, 0x0300fff1, 0x04010006]) expect(describeProbe(id).known, id.toString(16)).to.equal(true);
    });

    it('describes a probe it lacks by event type and level or attack type', () => {
      expect(describeProbe(0x0302abcd)).to.include({ known: false, eventType: 'scan', level: 'possibly-suspicious', description: 'scan, possibly suspicious' });
      expect(describeProbe(0x0401ffff)).to.include({ known: false, attackType: 'MALFORMED_PACKET', description: 'attack: malformed packet' });
      expect(describeProbe(0x0413ffff).attackType).to.equal('EE_XID_FLOOD');
      expect(describeProbe(0x0200ffff)).to.include({ eventType: 'udp-traffic-regulation', description: 'UDP traffic regulation' });
      expect(describeProbe(0x0307ffff).description).to.equal('scan (level 07)');
    });

    it('knows only event types 01..04 as IDS probe IDs', () => {
      expect([0x01000001, 0x02000000, 0x03020002, 0x04010006].map(isIdsProbeId)).to.deep.equal([true, true, true, true]);
      expect([0x00000004, 0x05000000, 7].map(isIdsProbeId)).to.deep.equal([false, false, false]);
    });

    it('labels IDS format IDs in the read summary with the probe and its reason', () => {
      expect(formatIdLabel('SYSTCPIS', 0x03020002)).to.equal('03020002 (scan, possibly suspicious: request to an unbound port)');
    });
  });

  it('finds the packet past PTH_Len when the bytes there are not an IP header, and says so', () => {
    const decoder = decoderFor();
    const { verdict, packet } = decodeOne({ probeId: 0x03020002, packet: SYN, gapBeforePacket: 12, correlator: 2 }, decoder);
    expect(verdict).to.equal(null);
    expect(same(packet!.data, SYN)).to.equal(true);
    expect(packet!.ctrace.extra).to.include({ ip_at: '+12' });
    expect(decoder.stats()).to.include({ packetOffsetMismatches: 1, packets: 1 });
  });

  it('finds a packet cut by the trace record size past PTH_Len by its IPv4 header checksum', () => {
    const whole = ipv4Tcp({ source: '10.1.1.1', destination: '10.1.1.2', sourcePort: 1, destinationPort: 2, seq: 1, flags: 0x10, window: 1, ttl: 9, id: 1, payloadLength: 560 });
    const { packet } = decodeOne({ probeId: 0x04070002, packet: whole, truncateTo: 200, gapBeforePacket: 8 });
    expect(packet!.data.length).to.equal(200);
    expect(packet!.originalLength).to.equal(600);
    expect(packet!.ctrace.extra).to.include({ ip_at: '+8' });
  });

  it('a truncated packet keeps its IP length; a pad byte after an odd-length packet is dropped', () => {
    const decoder = decoderFor();
    const big = ipv4Tcp({ source: '10.1.1.1', destination: '10.1.1.2', sourcePort: 1, destinationPort: 2, seq: 1, flags: 0x10, window: 1, ttl: 9, id: 2, payloadLength: 960 });
    const cut = decodeOne({ probeId: 0x03020002, packet: big, truncateTo: 200 }, decoder).packet!;
    expect([cut.data.length, cut.originalLength, cut.ctrace.truncated]).to.deep.equal([200, 1000, true]);
    expect(packetComment(cut)).to.contain(' trunc=200/1000 ');
    const odd = hex('45000015 00000000 40FF0000 0A000001 0A000002 AA');
    const padded = decodeOne({ probeId: 0x04060001, packet: odd, padByte: true }, decoder).packet!;
    expect(same(padded.data, odd)).to.equal(true);
    expect(decoder.stats()).to.include({ padBytesDropped: 1, truncatedPackets: 1 });
  });

  describe('the scanner check', () => {
    it('rejects a format ID that is not an IDS probe ID', () => {
      expect(decodeOne({ ...IBM_RECORD_4521, probeId: 0x05030000 }).verdict).to.match(/not an IDS probe ID/);
    });

    it('rejects a record with no IP packet anywhere', () => {
      const junk = new Uint8Array(64).fill(0x5c);
      expect(decodeOne({ probeId: 0x03020002, packet: junk }).verdict).to.match(/no IP packet/);
    });
  });

  it('reads the IDS extension where a layout override puts it', () => {
    const override = { headers: { ids: { fields: { correlator: { offset: 188 } } } } };
    const profile = layoutProfileFromObject(override);
    const { verdict, packet } = decodeOne({ ...IBM_RECORD_4521, layout: override }, decoderFor(profile));
    expect(verdict).to.equal(null);
    expect(packet!.ctrace.extra).to.include({ correlator: 10, rule: 'ScanEventIcmp-rule' });
    expect(same(packet!.data, IBM_IDS_ICMP)).to.equal(true);
  });
});
