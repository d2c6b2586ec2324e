/** The list's text form: columns, IPv6 endpoints in brackets, TCP flags or ICMP type/code, notes. */
import { expect } from 'chai';
import { inputLegend, summaryHeading, summaryLine } from '../src/list/summary-line.js';
import type { PacketSummary } from '../src/list/packet-summary.js';

const base: PacketSummary = {
  input: 'a.bin', record: 12, time: '2024-05-01T10:00:00.000000001Z', direction: 'inbound', link: 'OSAQDIO6', component: 'SYSTCPDA',
  formatId: 4, ipVersion: 6, protocol: 6, protocolName: 'TCP', source: '2001:db8::1', destination: '2001:db8::2', sourcePort: 40000,
  destinationPort: 23, ipId: null, tcpFlags: ['SYN', 'ACK'], seq: 1000000, ack: 1, window: 65535, icmpType: null, icmpCode: null,
  length: 64, captured: 64, payloadLength: 0, discard: null, probe: null, correlator: null, job: null,
};

describe('summary line', () => {
  it('one line per packet in the heading’s columns', () => {
    const words = summaryLine(base, null).trim().split(/\s+/);
    expect(words).to.deep.equal(['12', base.time, 'I', 'OSAQDIO6', 'TCP', '[2001:db8::1]:40000', '[2001:db8::2]:23', 'SYN,ACK', '1000000', '1', '65535', '64', '0']);
    expect(summaryHeading(false).trim().split(/\s+/)).to.deep.equal(['REC', 'TIME', '(UTC)', 'D', 'LINK', 'PROTO', 'SOURCE', 'DESTINATION', 'FLAGS', 'SEQ', 'ACK', 'WIN', 'LEN', 'DATA', 'NOTES']);
    // Columns line up: each value starts where its heading does (the time column is the widest fixed one).
    expect(summaryLine(base, null).indexOf(' I ')).to.equal(summaryHeading(false).indexOf(' D '));
  });

  it('ICMP shows type/code; notes carry discard, IDS facts and a shortened trace', () => {
    const icmp: PacketSummary = {
      ...base, ipVersion: 4, protocol: 1, protocolName: 'ICMP', source: '9.42.105.71', destination: '9.42.104.38', sourcePort: null, destinationPort: null,
      tcpFlags: null, seq: null, ack: null, window: null, icmpType: 8, icmpCode: 0, captured: 40, length: 1500,
      discard: { code: 8215, name: null, layer: 'TCP' }, probe: '03030000', correlator: 10, job: 'TCPCS',
    };
    const line = summaryLine(icmp, 2);
    expect(line.startsWith(' 2 ')).to.equal(true);
    expect(line).to.match(/ 9\.42\.105\.71 +9\.42\.104\.38 +8\/0 /);
    expect(line).to.match(/ discard=8215\/TCP probe=03030000 correlator=10 job=TCPCS traced=40$/);
    expect(inputLegend(['a.bin', 'b.bin'])).to.deep.equal(['#  1 = a.bin', '#  2 = b.bin']);
  });
});
