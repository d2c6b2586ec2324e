import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaptureWriter, type CaptureWriterOptions } from '../src/capture/capture-writer.js';
import { ZctraceError } from '../src/errors.js';
import type { TracePacket } from '../src/model/trace-packet.js';
import { OSA_PORT_INTERFACE, capinfos, ethernetVlanIpv4, ipv4Udp, ipv6TcpSyn, tracePacket, tsharkExpert, tsharkFields } from './support/tshark.js';

const PCAP_US: CaptureWriterOptions = { format: 'pcap', timePrecision: 'us', userAppl: 'zctrace test' };
const PCAP_NS: CaptureWriterOptions = { ...PCAP_US, timePrecision: 'ns' };

async function writeAll(path: string, packets: TracePacket[], options: CaptureWriterOptions) {
  const writer = await createCaptureWriter(path, options);
  for (const packet of packets) await writer.write(packet);
  return writer.close();
}

/** Times chosen so microsecond flooring shows: .175559999 must become .175559, not .175560. */
function rawIpPackets(): TracePacket[] {
  return [
    tracePacket({ data: ipv4Udp(30), timeSec: 1_037_813_912, timeNsec: 175_559_999, direction: 'inbound' }),
    tracePacket({ data: ipv6TcpSyn(), timeSec: 1_037_813_912, timeNsec: 999_999_999, direction: 'outbound' }),
    tracePacket({ data: ipv4Udp(1), timeSec: 1_037_813_913, timeNsec: 1_000 }),
  ];
}

describe('pcap writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-pcap-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a little-endian microsecond pcap that capinfos describes as raw IP', async () => {
    const path = join(dir, 'us.pcap');
    const summary = await writeAll(path, rawIpPackets(), PCAP_US);
    expect(summary).to.deep.equal({ packets: 3, bytes: 24 + 3 * 16 + 58 + 64 + 29, interfaces: 1 });
    expect([...readFileSync(path).subarray(0, 4)]).to.deep.equal([0xd4, 0xc3, 0xb2, 0xa1]);
    const info = capinfos(path);
    expect(info.get('File type')).to.equal('pcap');
    expect(info.get('File encapsulation')).to.equal('rawip');
    expect(info.get('File timestamp precision')).to.equal('microseconds (6)');
    expect(info.get('Number of packets')).to.equal('3');
    expect(info.get('Strict time order')).to.equal('True');
  });

  it('floors nanoseconds to microseconds', async () => {
    const path = join(dir, 'us-times.pcap');
    await writeAll(path, rawIpPackets(), PCAP_US);
    expect(tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len'])).to.deep.equal([
      ['1037813912.175559000', '58', '58'],
      ['1037813912.999999000', '64', '64'],
      ['1037813913.000001000', '29', '29'],
    ]);
  });

  it('keeps nanoseconds exactly with the nanosecond magic', async () => {
    const path = join(dir, 'ns.pcap');
    await writeAll(path, rawIpPackets(), PCAP_NS);
    expect([...readFileSync(path).subarray(0, 4)]).to.deep.equal([0x4d, 0x3c, 0xb2, 0xa1]);
    expect(capinfos(path).get('File type')).to.equal('nsecpcap');
    expect(capinfos(path).get('File timestamp precision')).to.equal('nanoseconds (9)');
    expect(tsharkFields(path, ['frame.time_epoch'])).to.deep.equal([['1037813912.175559999'], ['1037813912.999999999'], ['1037813913.000001000']]);
  });

  it('writes OSAENTA frames as Ethernet, VLAN tag and all', async () => {
    const path = join(dir, 'osa.pcap');
    await writeAll(path, [tracePacket({ data: ethernetVlanIpv4(100, 20), interface: OSA_PORT_INTERFACE })], PCAP_US);
    expect(capinfos(path).get('File encapsulation')).to.equal('ether');
    expect(tsharkFields(path, ['vlan.id', 'ip.dst'])).to.deep.equal([['100', '10.1.1.2']]);
  });

  it('cuts at --snaplen, keeps the wire length, and Wireshark raises no length complaints', async () => {
    const path = join(dir, 'snap.pcap');
    const packets = [
      tracePacket({ data: ipv4Udp(1000) }),
      tracePacket({ data: ipv4Udp(1000).subarray(0, 100), originalLength: 1028, timeSec: 1_700_000_001 }),
      tracePacket({ data: ipv4Udp(10), timeSec: 1_700_000_002 }),
    ];
    await writeAll(path, packets, { ...PCAP_US, snaplen: 96 });
    expect(capinfos(path).get('Packet size limit')).to.equal('file hdr: 96 bytes; inferred: 96 bytes');
    expect(tsharkFields(path, ['frame.len', 'frame.cap_len'])).to.deep.equal([
      ['1028', '96'],
      ['1028', '96'],
      ['38', '38'],
    ]);
    const expert = tsharkExpert(path);
    expect(expert.errors + expert.warnings, expert.text).to.equal(0);
  });

  it('cuts a record larger than Wireshark reads (262144 bytes) even without --snaplen', async () => {
    const path = join(dir, 'huge.pcap');
    const huge = new Uint8Array(300_000);
    huge.set(ipv4Udp(20));
    await writeAll(path, [tracePacket({ data: huge })], PCAP_US);
    expect(tsharkFields(path, ['frame.len', 'frame.cap_len'])).to.deep.equal([['300000', '262144']]);
  });

  it('refuses a second link type with a pointer to pcapng, and the aborted file leaves nothing', async () => {
    const path = join(dir, 'mixed.pcap');
    const writer = await createCaptureWriter(path, PCAP_US);
    await writer.write(tracePacket({ data: ipv4Udp(1) }));
    await writer.write(tracePacket({ data: ipv4Udp(2) }));
    const frame = tracePacket({ data: ethernetVlanIpv4(1, 1), interface: OSA_PORT_INTERFACE });
    let refusal: unknown = null;
    try {
      await writer.write(frame);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(ZctraceError);
    expect((refusal as ZctraceError).code).to.equal('UNSUPPORTED');
    expect((refusal as ZctraceError).oneLine()).to.equal(
      `${path}: pcap holds one link type: packet 3 is ETHERNET (1) on SYSTCPOT OSAPORT1, earlier packets are RAW (101); use pcapng`,
    );
    await writer.abort();
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('counts distinct interfaces that share the link type', async () => {
    const path = join(dir, 'two-links.pcap');
    const other = { ...rawIpPackets()[0]!.interface, name: 'OSAQDIO2' };
    const summary = await writeAll(path, [...rawIpPackets(), tracePacket({ data: ipv4Udp(2), interface: other, timeSec: 1_037_813_914 })], PCAP_US);
    expect(summary).to.include({ packets: 4, interfaces: 2 });
  });

  it('writes a readable empty raw-IP capture when no packet comes', async () => {
    const path = join(dir, 'empty.pcap');
    const summary = await writeAll(path, [], PCAP_US);
    expect(summary).to.deep.equal({ packets: 0, bytes: 24, interfaces: 0 });
    const info = capinfos(path);
    expect(info.get('Number of packets')).to.equal('0');
    expect(info.get('File encapsulation')).to.equal('rawip');
  });

  it('streams 100k packets quickly', async function () {
    this.timeout(20_000);
    const path = join(dir, 'many.pcap');
    const packet = tracePacket({ data: ipv4Udp(72) });
    const writer = await createCaptureWriter(path, PCAP_NS);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i += 1) {
      packet.timeNsec = i;
      const pending = writer.write(packet);
      if (pending !== undefined) await pending;
    }
    const summary = await writer.close();
    expect(Number(process.hrtime.bigint() - started) / 1e9).to.be.below(2);
    expect(summary.bytes).to.equal(24 + 100_000 * (16 + 100));
    expect(capinfos(path).get('Number of packets')).to.equal('100000');
  });
});
