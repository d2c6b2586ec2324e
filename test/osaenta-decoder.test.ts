/**
 * SYSTCPOT OSAENTA entries (format 7) → Ethernet frames: real captured frames, VLAN tags, ARP, OSA discard
 * codes and device ID, ABBREV truncation with the true original length, the scanner's frame check and a
 * layout profile that moves the OSAENTA extension.
 */
import { expect } from 'chai';
import { createOsaentaDecoder } from '../src/ctrace/osaenta-decoder.js';
import { defaultLayoutProfile, layoutProfileFromObject, type LayoutProfile } from '../src/ctrace/layout/layout-profile.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { LinkType } from '../src/capture/link-types.js';
import { packetComment } from '../src/capture/packet-comment.js';
import type { ComponentDecoder } from '../src/ctrace/component-decoders.js';
import type { CapturedFrame } from '../src/capture/capture-file-reader.js';
import { readFrames } from './support/trace-from-capture.js';
import { toCteEntry } from './support/packet-trace-builder.js';
import { abbrevLength, arpFrame, buildOsaentaEntry, withVlanTag, type OsaFrameSpec } from './support/osaenta-builder.js';
import { buildCte } from './support/cte-builder.js';

const FIXTURE = new URL('./fixtures/real-mixed.pcap', import.meta.url).pathname;
const OUTBOUND = 0x20;
const DISCARDED = 0x08;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function decoderFor(profile: LayoutProfile = defaultLayoutProfile()): ComponentDecoder {
  return createOsaentaDecoder({ profile, codePage: resolveCodePage('1047'), leapSeconds: 0 });
}

/** Checks the entry as the scanner would, then decodes it; the check's verdict comes back too. */
function decodeOne(spec: OsaFrameSpec, decoder = decoderFor()): { verdict: string | null; packet: ReturnType<ComponentDecoder['decode']> } {
  const entry = toCteEntry(buildOsaentaEntry(spec));
  const verdict = decoder.check(entry);
  return { verdict, packet: verdict === null ? decoder.decode(entry) : null };
}

describe('OSAENTA decoder (SYSTCPOT format 7)', () => {
  let frames: CapturedFrame[];
  before(async () => {
    frames = await readFrames(FIXTURE);
  });

  const frameWhere = (test: (f: CapturedFrame) => boolean): CapturedFrame => {
    const found = frames.find(test);
    if (found === undefined) throw new Error('fixture lacks the frame the test needs');
    return found;
  };
  const etherType = (f: Uint8Array): number => (f[12]! << 8) | f[13]!;

  it('gives back a captured Ethernet frame byte for byte on an interface named after the OSA port', () => {
    const frame = frames[0]!;
    const { verdict, packet } = decodeOne({
      frame: frame.data,
      deviceId: 0x00010002,
      fields: { linkName: 'OSAPORT1', flags: OUTBOUND, captureTime: { sec: frame.timeSec, nsec: frame.timeNsec } },
    });
    expect(verdict).to.equal(null);
    expect(same(packet!.data, frame.data)).to.equal(true);
    expect(packet!.originalLength).to.equal(frame.data.length);
    expect([packet!.timeSec, packet!.timeNsec]).to.deep.equal([frame.timeSec, frame.timeNsec]);
    expect(packet!.direction).to.equal('outbound');
    expect(packet!.interface).to.include({ component: 'SYSTCPOT', name: 'OSAPORT1', linkType: LinkType.ETHERNET });
    expect(packet!.ctrace).to.include({ component: 'SYSTCPOT', formatId: 7, truncated: false });
    expect(packet!.ctrace.extra).to.deep.equal({ osa_device: '00-01-00-02' });
  });

  it('keeps 802.1Q tags in the frame and reports the tag VLAN ID', () => {
    const tagged = withVlanTag(frames[6]!.data, 200, 5);
    const { packet } = decodeOne({ frame: tagged, fields: { linkName: 'OSAPORT1' } });
    expect(same(packet!.data, tagged)).to.equal(true);
    expect(packet!.ctrace.vlanId).to.equal(200);
  });

  it('keeps ARP and other non-IP frames', () => {
    const arp = arpFrame({ operation: 1, senderMac: '02:00:5e:10:00:01', senderIp: '198.51.100.1', targetMac: '00:00:00:00:00:00', targetIp: '198.51.100.2' });
    const decoder = decoderFor();
    const { verdict, packet } = decodeOne({ frame: arp, fields: { linkName: 'OSAPORT1' } }, decoder);
    expect(verdict).to.equal(null);
    expect(same(packet!.data, arp)).to.equal(true);
    expect(decoder.stats()).to.include({ packets: 1, nonIpFrames: 1 });
  });

  it('shows an OSA discard code (1-4095) and the device ID in the packet comment', () => {
    const { packet } = decodeOne({ frame: frames[3]!.data, deviceId: 0x00010002, fields: { linkName: 'OSAPORT1', flags: DISCARDED, discardCode: 7 } });
    expect(packet!.ctrace.discard).to.deep.include({ code: 7, layer: 'OSA-Express' });
    const comment = packetComment(packet!)!;
    expect(comment).to.match(/ discard=7\/OSA-Express /);
    expect(comment).to.match(/ osa_device=00-01-00-02$/);
    expect(comment).to.match(/ flags=discarded /);
  });

  it('ABBREV: the frame is cut to a multiple of 32 bytes and keeps its length on the wire', () => {
    const big = withVlanTag(frameWhere((f) => f.data.length === 1514).data, 100);
    const decoder = decoderFor();
    const { packet } = decodeOne({ frame: big, abbrev: 200, fields: { linkName: 'OSAPORT1' } }, decoder);
    expect(abbrevLength(200)).to.equal(224);
    expect(packet!.data.length).to.equal(224);
    expect(same(packet!.data, big.subarray(0, 224))).to.equal(true);
    expect(packet!.originalLength).to.equal(big.length);
    expect(packet!.ctrace.truncated).to.equal(true);
    expect(packetComment(packet!)).to.match(/ trunc=224\/1518 /);
    expect(decoder.stats()).to.include({ truncatedPackets: 1, lengthFieldDisagreements: 0 });
  });

  it('ABBREV: a cut frame with no IP header takes its length from the header packet length field', () => {
    // An 802.3 frame (length field, LLC) of 300 bytes: no IP length to read.
    const frame = new Uint8Array(300);
    frame.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
    new DataView(frame.buffer).setUint16(12, 300 - 14);
    frame.set([0xaa, 0xaa, 0x03], 14);
    const { verdict, packet } = decodeOne({ frame, abbrev: 64, fields: { linkName: 'OSAPORT1' } });
    expect(verdict).to.equal(null);
    expect(packet!.data.length).to.equal(64);
    expect(packet!.originalLength).to.equal(300);
  });

  it('the IP length wins over a header packet length that disagrees, and the disagreement is counted', () => {
    const frame = frames[0]!.data;
    const decoder = decoderFor();
    const { packet } = decodeOne({ frame, fields: { linkName: 'OSAPORT1', packetLength: frame.length + 100 } }, decoder);
    expect(packet!.originalLength).to.equal(frame.length);
    expect(decoder.stats()).to.include({ lengthFieldDisagreements: 1 });
  });

  describe('the scanner check', () => {
    it('rejects a type/length field that is neither (1501..1535)', () => {
      const frame = frames[0]!.data.slice();
      new DataView(frame.buffer).setUint16(12, 1520);
      expect(decodeOne({ frame }).verdict).to.match(/neither an EtherType nor an 802\.3 length/);
    });

    it('rejects an IP EtherType over a different IP version', () => {
      const frame = frameWhere((f) => etherType(f.data) === 0x0800).data.slice();
      frame[14] = 0x65;
      expect(decodeOne({ frame }).verdict).to.match(/EtherType IPv4 over IP version nibble 6/);
    });

    it('rejects a frame shorter than an Ethernet header', () => {
      expect(decodeOne({ frame: new Uint8Array(10) }).verdict).to.match(/shorter than an Ethernet header/);
    });

    it('leaves entries of other formats to be counted, not converted', () => {
      const decoder = decoderFor();
      const other = toCteEntry(buildCte({ formatId: 4, timeSec: 1_700_000_000, timeNsec: 0, data: new Uint8Array(120) }));
      expect(decoder.check(other)).to.equal(null);
      expect(decoder.decode(other)).to.equal(null);
      expect(decoder.stats()).to.include({ entriesNotConverted: 1, packets: 0 });
    });
  });

  it('reads the device ID and the frame where a layout override puts them', () => {
    const override = {
      headers: { osaenta: { fields: { deviceId: { offset: 108 } } } },
    };
    const profile = layoutProfileFromObject(override);
    const frame = frames[1]!.data;
    const entry = toCteEntry(buildOsaentaEntry({ frame, deviceId: 0x0a0b0c0d, layout: override, fields: { linkName: 'OSAPORT2' } }));
    const decoder = decoderFor(profile);
    expect(decoder.check(entry)).to.equal(null);
    const packet = decoder.decode(entry)!;
    expect(packet.ctrace.extra).to.deep.equal({ osa_device: '0A-0B-0C-0D' });
    expect(same(packet.data, frame)).to.equal(true);
  });
});
