import { expect } from 'chai';
import { decodePthdr, PthdrView } from '../src/ctrace/pthdr.js';
import { defaultLayoutProfile, layoutProfileFromObject } from '../src/ctrace/layout/layout-profile.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { unixTimeToStck } from '../src/zos/stck.js';
import { buildPacketEntryData, type LayoutOverrideDocument, type PthdrValues } from './support/packet-trace-builder.js';

const CP1047 = resolveCodePage('1047');
const PACKET = Uint8Array.from(Buffer.from('4500002800004000 3E015914092A6947092A6826 08005592 0B3F0000 AEBCDB3D03340A0000000000'.replace(/ /g, ''), 'hex'));

const VALUES: PthdrValues = {
  headerVersion: 2,
  deviceType: 39,
  flags: 0x80 | 0x20 | 0x08,
  linkName: 'OSDL',
  captureTime: { sec: 1_234_567_890, nsec: 987_654_000 },
  sourceAddress: '172.29.96.93',
  destinationAddress: '2001:db8::7',
  sourcePort: 137,
  destinationPort: 1025,
  traceCount: 54_565_746,
  protocol: 17,
  vlanId: 12,
  packetLength: 78,
  tracedLength: 40,
  interfaceIndex: 7,
  asid: 0x35,
  tcb: 0x007f62c0,
  connectionId: 0xfedcba98,
  discardCode: 4114,
};

function decode(data: Uint8Array, override?: LayoutOverrideDocument) {
  const profile = override === undefined ? defaultLayoutProfile() : layoutProfileFromObject(override);
  return decodePthdr(data, 0, data.length, profile.compiled, CP1047);
}

describe('PTHDR fields', () => {
  it('decodes every field the builder wrote at the profile offsets', () => {
    const tod = unixTimeToStck(VALUES.captureTime!.sec, VALUES.captureTime!.nsec);
    expect(decode(buildPacketEntryData({ packet: PACKET, fields: VALUES }))).to.deep.equal({
      headerLength: 104,
      headerVersion: 2,
      deviceType: 39,
      flags: 0xa8,
      flagNames: ['local', 'outbound', 'discarded'],
      segmentNumber: 0,
      segmentOffset: 0,
      linkName: 'OSDL',
      captureTime: { todHigh: tod.todHigh, todLow: tod.todLow },
      sourceAddress: '172.29.96.93',
      destinationAddress: '2001:db8::7',
      sourcePort: 137,
      destinationPort: 1025,
      traceCount: 54_565_746,
      protocol: 17,
      vlanId: 12,
      packetLength: 78,
      tracedLength: 40,
      interfaceIndex: 7,
      asid: 0x35,
      tcb: 0x007f62c0,
      connectionId: 0xfedcba98,
      discardCode: 4114,
    });
  });

  it('reads PTH_Len at offset 0 as the offset of the packet', () => {
    const data = buildPacketEntryData({ packet: PACKET, fields: VALUES, headerLength: 120 });
    const view = new PthdrView(defaultLayoutProfile().compiled);
    expect(view.reset(data, 0, data.length)).to.equal(true);
    expect(view.packetStart).to.equal(120);
    expect(data[view.packetStart]).to.equal(0x45);
  });

  it('treats fields past a shorter PTH_Len as absent', () => {
    const fields = decode(buildPacketEntryData({ packet: PACKET, fields: VALUES, headerLength: 96 }))!;
    expect(fields.headerLength).to.equal(96);
    expect(fields.tcb).to.equal(0x007f62c0); // 92..96 still inside
    expect(fields.connectionId).to.equal(null);
    expect(fields.discardCode).to.equal(null);
  });

  it('follows a shifted profile to the moved bytes', () => {
    const override = { headers: { pthdr: { fields: { asid: { offset: 90 }, discardCode: { offset: 102 } } } } };
    const data = buildPacketEntryData({ packet: PACKET, fields: VALUES, layout: override });
    expect(decode(data, override)).to.include({ asid: 0x35, discardCode: 4114 });
    expect(decode(data)).to.include({ asid: 0, discardCode: 0 }); // the default offsets now hold zeros
  });

  it('refuses a PTH_Len shorter than its own field or longer than the entry', () => {
    const data = buildPacketEntryData({ packet: PACKET, fields: VALUES });
    const view = new PthdrView(defaultLayoutProfile().compiled);
    expect(view.reset(data, 0, 103)).to.equal(false); // the 104-byte header does not fit
    expect(view.reset(data, 0, 1)).to.equal(false);
    const tiny = Uint8Array.of(0, 1, 0, 0);
    expect(view.reset(tiny, 0, tiny.length)).to.equal(false);
  });
});
