import { expect } from 'chai';
import { newEthernetView, readEthernetHeader } from '../src/net/ethernet-header.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const MACS = '020000000002 020000000001';

function read(bytes: Uint8Array): { ok: boolean; view: ReturnType<typeof newEthernetView> } {
  const view = newEthernetView();
  const ok = readEthernetHeader(bytes, 0, bytes.length, view);
  return { ok, view };
}

describe('Ethernet header', () => {
  it('untagged Ethernet II: EtherType and payload at 14', () => {
    expect(read(hex(`${MACS} 0800 45`))).to.deep.equal({ ok: true, view: { payloadOffset: 14, typeOrLength: 0x0800, vlanId: null, vlanTags: 0 } });
  });

  it('802.1Q: the VLAN ID (priority bits masked) and the inner EtherType', () => {
    expect(read(hex(`${MACS} 8100 a0c8 86dd 60`)).view).to.deep.equal({ payloadOffset: 18, typeOrLength: 0x86dd, vlanId: 200, vlanTags: 1 });
  });

  it('802.1ad Q-in-Q: the outer (service) VLAN ID, both tags walked', () => {
    expect(read(hex(`${MACS} 88a8 0064 8100 0005 0806 0001`)).view).to.deep.equal({ payloadOffset: 22, typeOrLength: 0x0806, vlanId: 100, vlanTags: 2 });
  });

  it('802.3: a length value is accepted as such', () => {
    expect(read(hex(`${MACS} 0026 4242 03`))).to.deep.include({ ok: true });
  });

  it('rejects 1501..1535, a frame cut inside its tag, and a header cut before the type', () => {
    expect(read(hex(`${MACS} 05dd 00`)).ok).to.equal(false);
    expect(read(hex(`${MACS} 8100 00`)).ok).to.equal(false);
    expect(read(hex(MACS)).ok).to.equal(false);
  });
});
