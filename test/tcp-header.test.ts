import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { LinkType } from '../src/capture/link-types.js';
import { TcpFlags, TcpHeader, TcpOptions, readTcpHeader, readTcpOptions } from '../src/net/tcp-header.js';
import { TcpPacketView, readTcpSegment } from '../src/net/packet-view.js';
import { tsharkFields } from './support/tshark.js';
import { TcpConversation, TcpOption, writePcap } from './support/tcp-frame-builder.js';
import { craftedCases } from './support/tcp-crafted-cases.js';

const FIXTURES = new URL('./fixtures/tcp/', import.meta.url).pathname;
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** Frame 5 of tcp-bulk-client.pcap (tshark -x): a Linux SYN with MSS, SACK-permitted, timestamps, window scale. */
const SYN_HEADER = hex('992e 1f90 df3b 4934 00000000 a002 faf0 bd07 0000 020405b4 0402 080a ac607e71 00000000 01 03030a');

const ORACLE_FIELDS = [
  'frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.hdr_len', 'tcp.flags',
  'tcp.window_size_value', 'tcp.len', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm',
  'tcp.options.sack_le', 'tcp.options.sack_re', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
];

/** Our reading of one frame, in tshark's -T fields form (absent → '', lists comma-joined). */
function ourRow(frameNumber: number, data: Uint8Array, linkType: number, originalLength: number): string[] | null {
  const view = new TcpPacketView();
  if (!readTcpSegment(data, linkType, originalLength, view)) return null;
  const options = new TcpOptions();
  readTcpOptions(data, view.tcpOffset, view.tcp.headerLength, data.length, options);
  const tcp = view.tcp;
  // tshark stops at a header length below 20: no ACK, flags or window fields after it.
  const bogus = tcp.headerLength < 20;
  const edges = (side: number): string =>
    Array.from({ length: options.sackBlockCount }, (_, i) => String(options.sackEdges[2 * i + side])).join(',');
  const optional = (value: number): string => (value < 0 ? '' : String(value));
  return [
    String(frameNumber), String(tcp.sourcePort), String(tcp.destinationPort), String(tcp.seq), bogus ? '' : String(tcp.ack),
    String(tcp.headerLength), bogus ? '' : `0x${tcp.flags.toString(16).padStart(4, '0')}`, bogus ? '' : String(tcp.window),
    String(view.payloadLength),
    optional(options.mss), optional(options.windowScale), options.sackPermitted ? '0402' : '', edges(0), edges(1),
    options.hasTimestamp ? String(options.timestampValue) : '', options.hasTimestamp ? String(options.timestampEcho) : '',
  ];
}

async function compareWithTshark(path: string): Promise<{ compared: number; mismatches: string[] }> {
  const theirs = tsharkFields(path, ORACLE_FIELDS, { filter: 'tcp', prefs: { 'tcp.relative_sequence_numbers': 'FALSE' } });
  const byFrame = new Map(theirs.map((row) => [Number(row[0]), row]));
  const mismatches: string[] = [];
  let compared = 0;
  for await (const frame of readCaptureFile(path)) {
    const ours = ourRow(frame.frameNumber, frame.data, frame.linkType, frame.originalLength);
    const expected = byFrame.get(frame.frameNumber);
    if (ours === null && expected === undefined) continue;
    compared++;
    if (ours?.join('\t') !== expected?.join('\t')) mismatches.push(`ours ${ours?.join(' ')} | tshark ${expected?.join(' ')}`);
  }
  return { compared, mismatches };
}

describe('TCP header and packet view against tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-tcp-header-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  before(function () {
    if (!HAVE_TSHARK) this.skip();
  });

  for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.pcap')).sort()) {
    it(`${name}: ports, numbers, lengths, flags, window and options of every TCP frame`, async () => {
      const { compared, mismatches } = await compareWithTshark(join(FIXTURES, name));
      expect(mismatches.slice(0, 5)).to.deep.equal([]);
      expect(compared).to.be.greaterThan(0);
    });
  }

  it('hand-made frames: IPv6 extension header, cut options, IP length 0, 16-byte header, padding', async () => {
    const frames = craftedCases()
      .filter((c) => !c.name.startsWith('one-way'))
      .flatMap((c) => c.frames);
    const path = join(scratch, 'crafted.pcap');
    writePcap(path, LinkType.RAW, frames);
    const { compared, mismatches } = await compareWithTshark(path);
    expect(mismatches.slice(0, 5)).to.deep.equal([]);
    expect(compared).to.equal(frames.length);
  });
});

describe('TCP header view', () => {
  it('reads the fixed header of a SYN', () => {
    const header = new TcpHeader();
    expect(readTcpHeader(SYN_HEADER, 0, SYN_HEADER.length, header)).to.equal(true);
    expect({ ...header }).to.deep.equal({
      sourcePort: 39214,
      destinationPort: 8080,
      seq: 3745204532,
      ack: 0,
      headerLength: 40,
      flags: TcpFlags.SYN,
      window: 64240,
      checksum: 0xbd07,
      urgentPointer: 0,
    });
  });

  it('refuses fewer than 20 bytes, within the buffer or the given end', () => {
    const header = new TcpHeader();
    expect(readTcpHeader(SYN_HEADER.subarray(0, 19), 0, 19, header)).to.equal(false);
    expect(readTcpHeader(SYN_HEADER, 0, 19, header)).to.equal(false);
    expect(readTcpHeader(SYN_HEADER, 30, SYN_HEADER.length, header)).to.equal(false);
  });

  it('reads MSS, SACK-permitted, timestamps and window scale', () => {
    const options = new TcpOptions();
    readTcpOptions(SYN_HEADER, 0, 40, SYN_HEADER.length, options);
    expect(options).to.include({ mss: 1460, windowScale: 10, sackPermitted: true, hasTimestamp: true, timestampValue: 2892004977, timestampEcho: 0 });
    expect(options).to.include({ malformed: false, truncated: false, sackBlockCount: 0 });
  });

  it('reads SACK blocks', () => {
    const bytes = Uint8Array.from([...new Array(12).fill(0), 0x80, 0x10, 0, 0, 0, 0, 0, 0, 1, 1, ...TcpOption.sack(100, 200, 300, 400, 500, 600)]);
    const options = new TcpOptions();
    readTcpOptions(bytes, 0, 20 + 2 + 26, bytes.length, options);
    expect(options.sackBlockCount).to.equal(3);
    expect(Array.from(options.sackEdges.subarray(0, 6))).to.deep.equal([100, 200, 300, 400, 500, 600]);
  });

  it('stops at the end option, at an impossible length, and where the capture stops', () => {
    const header = (...options: number[]): Uint8Array => Uint8Array.from([...new Array(20).fill(0), ...options]);
    const options = new TcpOptions();
    readTcpOptions(header(0, 2, 4, 5, 0xb4, 0, 0, 0), 0, 28, 28, options);
    expect(options).to.include({ mss: -1, malformed: false, truncated: false });
    readTcpOptions(header(2, 1, 0, 0), 0, 24, 24, options);
    expect(options).to.include({ malformed: true });
    readTcpOptions(header(1, 2, 8, 0), 0, 24, 24, options);
    expect(options).to.include({ mss: -1, malformed: true });
    readTcpOptions(header(2, 3, 5, 1), 0, 24, 24, options);
    expect(options).to.include({ mss: -1, malformed: true });
    readTcpOptions(header(1, 3, 3, 7), 0, 24, 22, options);
    expect(options).to.include({ windowScale: -1, truncated: true });
    readTcpOptions(header(1, 3, 3, 7), 0, 24, 24, options);
    expect(options).to.include({ windowScale: 7, truncated: false, malformed: false });
  });
});

describe('packet view', () => {
  const view = new TcpPacketView();
  const syn = (): Uint8Array => {
    const c = new TcpConversation({ address: '192.0.2.1', port: 1234 }, { address: '192.0.2.2', port: 80 });
    c.add({ from: 'a', atMs: 0, flags: 'PA', seq: 7, ack: 1, length: 10 });
    return c.frames[0]!.data;
  };
  const ethernet = (ip: Uint8Array, ...tags: number[][]): Uint8Array => {
    const header = [...new Array(12).fill(2), ...tags.flat(), (ip[0]! >> 4) === 6 ? 0x86 : 0x08, (ip[0]! >> 4) === 6 ? 0xdd : 0x00];
    return Uint8Array.from([...header, ...ip]);
  };

  it('finds the segment behind Ethernet, 802.1Q and QinQ tags', () => {
    for (const tags of [[], [[0x81, 0x00, 0x00, 0x64]], [[0x88, 0xa8, 0x00, 0xc8], [0x81, 0x00, 0x01, 0x2c]]]) {
      const frame = ethernet(syn(), ...tags);
      expect(readTcpSegment(frame, LinkType.ETHERNET, frame.length, view)).to.equal(true);
      expect(view).to.include({ ipVersion: 4, ipOffset: 14 + 4 * tags.length, payloadLength: 10, source0: 0xc0000201, destination0: 0xc0000202 });
      expect(view.tcp).to.include({ sourcePort: 1234, destinationPort: 80, seq: 7 });
    }
  });

  it('walks an IPv6 hop-by-hop header to TCP', () => {
    const c = new TcpConversation({ address: '2001:0db8:0001:0000:0000:0000:0000:0001', port: 5 }, { address: '2001:0db8:0001:0000:0000:0000:0000:0002', port: 6 }, 0, true);
    c.add({ from: 'a', atMs: 0, flags: 'A', seq: 1, length: 3 });
    const ip = c.frames[0]!.data;
    expect(readTcpSegment(ip, LinkType.IPV6, ip.length, view)).to.equal(true);
    expect(view).to.include({ ipVersion: 6, tcpOffset: 48, payloadLength: 3, source0: 0x20010db8, source1: 0x00010000, source3: 1, destination3: 2 });
    expect(readTcpSegment(ip, LinkType.IPV4, ip.length, view), 'an IPv4 link carrying IPv6').to.equal(false);
    expect(readTcpSegment(ethernet(ip), LinkType.ETHERNET, ip.length + 14, view)).to.equal(true);
  });

  it('takes the payload length from the IP header: snapped, padded, or TSO (total length 0)', () => {
    const ip = syn();
    expect(readTcpSegment(ip.subarray(0, 40), LinkType.RAW, ip.length, view)).to.equal(true);
    expect(view.payloadLength, 'snapped').to.equal(10);
    const padded = Uint8Array.from([...ip, 0, 0, 0, 0]);
    expect(readTcpSegment(padded, LinkType.RAW, padded.length, view)).to.equal(true);
    expect(view.payloadLength, 'padded').to.equal(10);
    const tso = ip.slice();
    tso[2] = 0;
    tso[3] = 0;
    expect(readTcpSegment(tso, LinkType.RAW, tso.length, view)).to.equal(true);
    expect(view.payloadLength, 'TSO').to.equal(10);
  });

  it('skips fragments, other protocols, short headers and other link types', () => {
    const fragment = syn();
    fragment[7] = 0x10; // fragment offset 16
    const udp = syn();
    udp[9] = 17;
    const tooShort = syn();
    tooShort[3] = 30; // IP says 30 bytes: less than IP + TCP header
    expect(readTcpSegment(fragment, LinkType.RAW, fragment.length, view)).to.equal(false);
    expect(readTcpSegment(udp, LinkType.RAW, udp.length, view)).to.equal(false);
    expect(readTcpSegment(tooShort, LinkType.RAW, tooShort.length, view)).to.equal(false);
    expect(readTcpSegment(syn().subarray(0, 39), LinkType.RAW, 50, view), 'TCP header cut by the capture').to.equal(false);
    expect(readTcpSegment(syn(), LinkType.WIRESHARK_UPPER_PDU, 50, view)).to.equal(false);
    expect(readTcpSegment(new Uint8Array(0), LinkType.RAW, 0, view)).to.equal(false);
  });
});
