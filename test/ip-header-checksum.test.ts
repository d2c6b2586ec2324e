import { expect } from 'chai';
import { analyze, findingsOf, ipv4, packet, udp } from './support/analysis-packets.js';
import type { Direction } from '../src/model/trace-packet.js';

/** A UDP datagram whose IPv4 header checksum is replaced by `field` (null keeps the right one). */
function datagram(field: number | null, id: number): { bytes: Uint8Array; right: number } {
  const bytes = ipv4({ source: '172.29.96.93', destination: '172.29.191.255', protocol: 17, id, payload: udp(137, 137, 50) });
  const view = new DataView(bytes.buffer);
  const right = view.getUint16(10);
  if (field !== null) view.setUint16(10, field);
  return { bytes, right };
}

describe('IPv4 header checksum errors (received packets only)', () => {
  it('flags received headers that do not verify, naming the checksum they should have', () => {
    const cases: { field: number | null; direction: Direction }[] = [
      { field: 0x1234, direction: 'inbound' },
      { field: 0x4321, direction: 'inbound' },
      { field: null, direction: 'inbound' }, // right: not flagged
      { field: 0x1111, direction: 'outbound' }, // sent: the trace may see it before the header is final
      { field: 0, direction: 'inbound' }, // never filled in
    ];
    const built = cases.map((c, i) => ({ ...datagram(c.field, 100 + i), ...c }));
    const report = analyze(built.map((b, i) => packet(b.bytes, { at: i, direction: b.direction })));
    const findings = findingsOf(report, 'hostile.bad_ip_checksum');
    expect(findings).to.have.length(1);
    expect(findings[0]).to.include({ severity: 'warning', count: 2 });
    const notes = findings[0]!.evidence.map((e) => e.note);
    expect(notes).to.deep.equal([
      `header checksum 0x1234, should be 0x${built[0]!.right.toString(16).padStart(4, '0')}`,
      `header checksum 0x4321, should be 0x${built[1]!.right.toString(16).padStart(4, '0')}`,
    ]);
  });

  it('says nothing about traffic whose headers verify', () => {
    const report = analyze([0, 1, 2].map((i) => packet(datagram(null, i).bytes, { at: i, direction: 'inbound' })));
    expect(findingsOf(report, 'hostile.bad_ip_checksum')).to.deep.equal([]);
  });
});
