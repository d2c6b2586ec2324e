import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { openPacketSource } from '../src/input/packet-source.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { capinfos, tsharkFields } from './support/tshark.js';
import { ZctraceError } from '../src/errors.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const sample = (name: string): string => fileURLToPath(new URL(`../samples/${name}`, import.meta.url));

describe('opening any input as packets', () => {
  it('reads a pcap capture as packets without CTRACE facts, as tshark counts and times them', async () => {
    const path = fixture('real-mixed.pcap');
    const source = await openPacketSource(path, DEFAULT_READ_OPTIONS);
    expect(source.kind).to.equal('pcap');
    expect(source.traceSummary).to.equal(null);
    const times: string[] = [];
    for await (const p of source.packets()) {
      expect(p.ctrace).to.equal(null);
      expect(p.interface).to.include({ component: null, name: 'real-mixed.pcap', linkType: 1 });
      times.push(`${p.timeSec}.${String(p.timeNsec).padStart(9, '0')}`);
    }
    expect(times).to.deep.equal(tsharkFields(path, ['frame.time_epoch']).map(([t]) => t));
    expect(String(times.length)).to.equal(capinfos(path).get('Number of packets'));
  });

  it('reads a CTRACE data set through the trace reader, whatever its name', async () => {
    const source = await openPacketSource(sample('packet-trace-bdw.bin'), DEFAULT_READ_OPTIONS);
    expect(source.kind).to.equal('ctrace');
    let packets = 0;
    for await (const p of source.packets()) {
      expect(p.ctrace?.component).to.equal('SYSTCPDA');
      packets++;
    }
    expect(source.traceSummary?.packets).to.equal(packets);
    expect(source.traceSummary?.framing).to.equal('bdw');
  });

  it('names the file when it is neither', async () => {
    const error = await openPacketSource(fixture('README.md'), DEFAULT_READ_OPTIONS).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ZctraceError);
    expect((error as ZctraceError).oneLine()).to.match(/README\.md: .*no valid trace entry/);
  });
});
