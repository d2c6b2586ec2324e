/**
 * The packet filter on hand-made packets: repeated values OR, different options AND; the CTRACE facts
 * (discard, IDS probe, correlator, job) read where the decoders put them; header copies standing in for
 * bytes the trace did not keep. (Against tshark on real traffic: see filter-cli.test.ts.)
 */
import { expect } from 'chai';
import { createPacketFilter, NO_FILTER_VALUES, type FilterValues } from '../src/filter/packet-filter.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';
import { discardReason } from '../src/ctrace/code-tables.js';
import { ethernetVlanIpv4, ipv4Udp, ipv6TcpSyn, OSA_PORT_INTERFACE, RAW_IP_INTERFACE, tracePacket } from './support/tshark.js';
import type { TracePacket } from '../src/model/trace-packet.js';

const CP1047 = resolveCodePage('1047');

function filterOf(values: Partial<FilterValues>): (packet: TracePacket) => boolean {
  const filter = createPacketFilter({ ...NO_FILTER_VALUES, ...values }, CP1047);
  if (filter === null) throw new Error('expected a filter');
  return (packet) => filter.matches(packet);
}

/** ipv4Udp: 10.1.1.1:1024 → 10.1.1.2:5000. ipv6TcpSyn: [2001:db8::1]:40000 → [2001:db8::2]:23. */
const udp4 = tracePacket({ data: ipv4Udp(8), timeSec: 100 });
const tcp6 = tracePacket({ data: ipv6TcpSyn(), timeSec: 200, interface: { ...RAW_IP_INTERFACE, name: 'OSAQDIO6' } });
const onVlan = tracePacket({ data: ethernetVlanIpv4(100, 8), timeSec: 300, interface: OSA_PORT_INTERFACE });

describe('packet filter', () => {
  it('no option: no filter at all', () => {
    expect(createPacketFilter(NO_FILTER_VALUES, CP1047)).to.equal(null);
  });

  it('addresses and networks at either end, IPv4 and IPv6, raw IP and Ethernet with a VLAN tag', () => {
    expect([udp4, tcp6, onVlan].map(filterOf({ ip: ['10.1.1.2'] }))).to.deep.equal([true, false, true]);
    expect([udp4, tcp6, onVlan].map(filterOf({ ip: ['10.1.1.1/32', '2001:db8::/32'] }))).to.deep.equal([true, true, true]);
    expect([udp4, tcp6, onVlan].map(filterOf({ ip: ['10.2.0.0/16'] }))).to.deep.equal([false, false, false]);
  });

  it('ports at either end, protocols by name or number; repeated values OR, options AND', () => {
    expect([udp4, tcp6].map(filterOf({ port: ['23'] }))).to.deep.equal([false, true]);
    expect([udp4, tcp6].map(filterOf({ port: ['5000', '40000'] }))).to.deep.equal([true, true]);
    expect([udp4, tcp6].map(filterOf({ protocol: ['UDP'] }))).to.deep.equal([true, false]);
    expect([udp4, tcp6].map(filterOf({ protocol: ['6'] }))).to.deep.equal([false, true]);
    expect([udp4, tcp6].map(filterOf({ protocol: ['udp'], port: ['23'] }))).to.deep.equal([false, false]);
  });

  it('link names: case ignored, * and ? wildcards', () => {
    expect([udp4, tcp6, onVlan].map(filterOf({ link: ['osaqdio?'] }))).to.deep.equal([true, true, false]);
    expect([udp4, tcp6, onVlan].map(filterOf({ link: ['OSAPORT*', 'OSAQDIO1'] }))).to.deep.equal([true, false, true]);
  });

  it('time bounds are inclusive, to the nanosecond', () => {
    const at = (sec: number, nsec: number): TracePacket => tracePacket({ data: ipv4Udp(1), timeSec: sec, timeNsec: nsec });
    const keep = filterOf({ from: '1970-01-01T00:01:40.000000001Z', to: '1970-01-01T00:03:20Z' });
    expect([at(100, 0), at(100, 1), at(200, 0), at(200, 1)].map(keep)).to.deep.equal([false, true, true, false]);
  });

  it('--discarded keeps packets with a discard reason code', () => {
    const dropped = tracePacket({ data: ipv4Udp(8), ctrace: { discard: discardReason(4114) } });
    expect([udp4, dropped].map(filterOf({ discarded: true }))).to.deep.equal([false, true]);
  });

  it('IDS facts: probe ID in hex (from extra.ids, or a SYSTCPIS format ID), correlator, job name', () => {
    const ids = tracePacket({ data: ipv4Udp(8), ctrace: { component: 'SYSTCPIS', formatId: 0x03030000, extra: { ids: '03030000', correlator: 10, job: 'TCPCS' } } });
    const bare = tracePacket({ data: ipv4Udp(8), ctrace: { component: 'SYSTCPIS', formatId: 0x04010006 } });
    expect([ids, bare, udp4].map(filterOf({ probe: ['3030000'] }))).to.deep.equal([true, false, false]);
    expect([ids, bare, udp4].map(filterOf({ probe: ['0x04010006', '03030000'] }))).to.deep.equal([true, true, false]);
    expect([ids, bare, udp4].map(filterOf({ correlator: ['10'] }))).to.deep.equal([true, false, false]);
    expect([ids, bare, udp4].map(filterOf({ jobname: ['tcp*'] }))).to.deep.equal([true, false, false]);
  });

  it('a packet traced too short for its headers is judged by the PTHDR copies of them', () => {
    const stub = tracePacket({
      data: ipv4Udp(8).subarray(0, 9),
      originalLength: 36,
      ctrace: { extra: { sourceAddress: '10.9.9.9', destinationAddress: '10.1.1.2', protocol: 17, sourcePort: 7, destinationPort: 5000 } },
    });
    expect(filterOf({ ip: ['10.9.0.0/16'] })(stub)).to.equal(true);
    expect(filterOf({ port: ['7'] })(stub)).to.equal(true);
    expect(filterOf({ protocol: ['udp'] })(stub)).to.equal(true);
    expect(filterOf({ protocol: ['tcp'] })(stub)).to.equal(false);
  });

  it('--contains looks in the payload only, not in the headers', () => {
    const payload = ipv4Udp(8);
    payload.set(CP1047.encode('QUIT'), 28);
    const withText = tracePacket({ data: payload });
    expect([withText, udp4].map(filterOf({ contains: ['QUIT'] }))).to.deep.equal([true, false]);
    // 10.1.1.1 → bytes 0A 01 01 01: present in the IP header, never matched there.
    expect(filterOf({ contains: ['\n\u0001\u0001\u0001'] })(udp4)).to.equal(false);
  });

  it('describes itself in the options’ words', () => {
    const filter = createPacketFilter({ ...NO_FILTER_VALUES, ip: ['10.1.2.3/16'], port: ['21', '20'], discarded: true }, CP1047);
    expect(filter?.description).to.equal('discarded and ip 10.1.0.0/16 and port 21 or 20');
  });

  it('bad values are usage errors naming the option', () => {
    const cases: [Partial<FilterValues>, RegExp][] = [
      [{ port: ['70000'] }, /^--port 70000/],
      [{ protocol: ['smtp'] }, /^--protocol smtp/],
      [{ probe: ['xyz'] }, /^--probe xyz/],
      [{ correlator: ['-1'] }, /^--correlator -1/],
      [{ from: '2024-05-02T00:00:00Z', to: '2024-05-01T00:00:00Z' }, /^--from .* is after --to/],
    ];
    for (const [values, message] of cases) expect(() => createPacketFilter({ ...NO_FILTER_VALUES, ...values }, CP1047)).to.throw(message);
  });
});
