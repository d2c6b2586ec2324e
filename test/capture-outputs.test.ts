/**
 * Output files of convert: names of parts and per-link-type files, parts cut by packets and by size (each
 * read clean by capinfos), mixed link types refused for one pcap, and nothing left when a run fails.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureOutputs, NO_SPLIT, outputPartPath, type SplitOptions } from '../src/convert/capture-outputs.js';
import { parseByteSize } from '../src/convert/byte-size.js';
import { abortAllOpenOutputs } from '../src/capture/output-file.js';
import { LinkType } from '../src/capture/link-types.js';
import type { CaptureFormat } from '../src/capture/capture-writer.js';
import { capinfos, ethernetVlanIpv4, ipv4Udp, OSA_PORT_INTERFACE, tracePacket } from './support/tshark.js';
import type { TracePacket } from '../src/model/trace-packet.js';

function writerOptions(format: CaptureFormat) {
  return { format, timePrecision: 'us' as const, userAppl: 'zctrace test' };
}

async function writeAll(path: string, format: CaptureFormat, split: SplitOptions, packets: TracePacket[]) {
  const outputs = await CaptureOutputs.open(path, split, writerOptions(format));
  for (const packet of packets) await outputs.write(packet);
  return outputs.close();
}

const rawPackets = (n: number): TracePacket[] => Array.from({ length: n }, (_, i) => tracePacket({ data: ipv4Udp(100, i), timeSec: 1_700_000_000 + i }));

describe('capture outputs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-outputs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names parts and link-type files before the extension', () => {
    expect(outputPartPath('/x/all.pcapng', null, 1)).to.equal('/x/all_00001.pcapng');
    expect(outputPartPath('/x/all.pcap', LinkType.ETHERNET, null)).to.equal('/x/all.ethernet.pcap');
    expect(outputPartPath('/x/all.pcap', LinkType.RAW, 12)).to.equal('/x/all.raw_00012.pcap');
    expect(outputPartPath('/x/trace', null, 2)).to.equal('/x/trace_00002');
    expect(outputPartPath('/x/all.pcap', 147, null)).to.equal('/x/all.linktype-147.pcap');
  });

  it('reads sizes with units: K/M/G decimal, KiB/MiB/GiB binary; refuses nonsense', () => {
    expect([parseByteSize('--max-size', '1500'), parseByteSize('--max-size', '100M'), parseByteSize('--max-size', '1.5g'), parseByteSize('--max-size', '64MiB')]).to.deep.equal([
      1500,
      100_000_000,
      1_500_000_000,
      67_108_864,
    ]);
    for (const bad of ['0', '-5', '10X', 'M', '']) expect(() => parseByteSize('--max-size', bad), bad).to.throw(/^--max-size /);
  });

  it('--max-packets: complete parts, each read clean, counts adding up', async () => {
    const files = await writeAll(join(dir, 'all.pcapng'), 'pcapng', { ...NO_SPLIT, maxPackets: 4 }, rawPackets(10));
    expect(files.map((f) => [f.path.slice(dir.length + 1), f.packets])).to.deep.equal([
      ['all_00001.pcapng', 4],
      ['all_00002.pcapng', 4],
      ['all_00003.pcapng', 2],
    ]);
    for (const file of files) expect(capinfos(file.path).get('Number of packets')).to.equal(String(file.packets));
    expect(readdirSync(dir).sort()).to.deep.equal(['all_00001.pcapng', 'all_00002.pcapng', 'all_00003.pcapng']);
  });

  it('--max-size: a new part once one reaches the size, so none passes it by a whole packet', async () => {
    const maxBytes = 1000; // pcap: 24-byte header, 144 bytes per record (16 + 128)
    const files = await writeAll(join(dir, 'all.pcap'), 'pcap', { ...NO_SPLIT, maxBytes }, rawPackets(20));
    expect(files.reduce((sum, f) => sum + f.packets, 0)).to.equal(20);
    for (const file of files) {
      const size = statSync(file.path).size;
      expect(size).to.equal(file.bytes);
      if (file !== files.at(-1)) expect(size).to.be.within(maxBytes, maxBytes + 144 - 1);
      expect(capinfos(file.path).get('Number of packets')).to.equal(String(file.packets));
    }
  });

  it('one pcap refuses a second link type, naming the way out, and leaves nothing behind', async () => {
    const outputs = await CaptureOutputs.open(join(dir, 'mixed.pcap'), NO_SPLIT, writerOptions('pcap'));
    await outputs.write(rawPackets(1)[0]!);
    const ethernet = tracePacket({ data: ethernetVlanIpv4(5, 10), interface: OSA_PORT_INTERFACE, ctrace: { recordNumber: 7 } });
    expect(() => outputs.write(ethernet)).to.throw(/packet 2 \(trace record 7\) is ETHERNET \(1\) on SYSTCPOT OSAPORT1.*--split-by-linktype/);
    await outputs.abort();
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('--split-by-linktype: one pcap per link type, parts within each', async () => {
    const packets = rawPackets(5).flatMap((p, i) => [p, tracePacket({ data: ethernetVlanIpv4(5, 10), interface: OSA_PORT_INTERFACE, timeSec: p.timeSec, timeNsec: i })]);
    const files = await writeAll(join(dir, 'all.pcap'), 'pcap', { byLinkType: true, maxPackets: 3, maxBytes: null }, packets);
    expect(files.map((f) => [f.path.slice(dir.length + 1), f.packets])).to.deep.equal([
      ['all.raw_00001.pcap', 3],
      ['all.raw_00002.pcap', 2],
      ['all.ethernet_00001.pcap', 3],
      ['all.ethernet_00002.pcap', 2],
    ]);
    expect(files.map((f) => capinfos(f.path).get('File encapsulation'))).to.deep.equal(['rawip', 'rawip', 'ether', 'ether']);
  });

  it('a failed or interrupted run removes the parts already finished', async () => {
    const outputs = await CaptureOutputs.open(join(dir, 'all.pcapng'), { ...NO_SPLIT, maxPackets: 2 }, writerOptions('pcapng'));
    for (const packet of rawPackets(5)) await outputs.write(packet);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).to.deep.equal(['all_00001.pcapng', 'all_00002.pcapng']);
    await abortAllOpenOutputs(); // what the SIGINT handler and the error path do
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
