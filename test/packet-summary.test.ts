/**
 * The list's packet summary on hand-made packets: the CTRACE facts (IDS probe, correlator, job, discard)
 * and the PTHDR copies that stand in for headers the trace did not keep. (Every field against tshark on
 * real traffic: see list-cli.test.ts.)
 */
import { expect } from 'chai';
import { PacketSummarizer } from '../src/list/packet-summary.js';
import { discardReason } from '../src/ctrace/code-tables.js';
import type { SourcedPacket } from '../src/input/time-order-window.js';
import { ipv4Udp, tracePacket, type SamplePacketSpec } from './support/tshark.js';

const sourced = (spec: SamplePacketSpec, ordinal = 1): SourcedPacket => ({ ...tracePacket(spec), input: 1, ordinal });

describe('packet summary', () => {
  const summarizer = new PacketSummarizer(['a.bin', 'b.bin']);

  it('an IDS record: probe in IBM’s 8 hex digits, correlator, job, record number, input name', () => {
    const s = summarizer.summarize(
      sourced({ data: ipv4Udp(4), ctrace: { component: 'SYSTCPIS', formatId: 0x03030000, recordNumber: 4521, extra: { ids: '03030000', correlator: 10, job: 'TCPCS' } } }),
    );
    expect(s).to.include({ input: 'b.bin', record: 4521, probe: '03030000', correlator: 10, job: 'TCPCS', protocolName: 'UDP', source: '10.1.1.1', sourcePort: 1024 });
  });

  it('a discarded packet carries its reason; a packet from a capture has its frame number as record', () => {
    const s = summarizer.summarize(sourced({ data: ipv4Udp(4), ctrace: { discard: discardReason(4114) } }));
    expect(s.discard).to.deep.equal({ code: 4114, name: 'IP_MAC_BRDCST', layer: 'interface and IP' });
    const fromPcap = summarizer.summarize({ ...sourced({ data: ipv4Udp(4) }, 17), ctrace: null });
    expect([fromPcap.record, fromPcap.component, fromPcap.formatId, fromPcap.discard]).to.deep.equal([17, null, null, null]);
  });

  it('headers cut off by the trace: addresses, ports and protocol from the PTHDR copies', () => {
    const s = summarizer.summarize(
      sourced({
        data: ipv4Udp(4).subarray(0, 8),
        originalLength: 32,
        ctrace: { extra: { sourceAddress: '10.9.9.9', destinationAddress: '10.1.1.2', protocol: 17, sourcePort: 7, destinationPort: 5000 } },
      }),
    );
    expect(s).to.include({ source: '10.9.9.9', destination: '10.1.1.2', protocol: 17, protocolName: 'UDP', sourcePort: 7, destinationPort: 5000, length: 32, captured: 8 });
  });
});
