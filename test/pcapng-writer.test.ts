import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaptureWriter, type CaptureWriterOptions } from '../src/capture/capture-writer.js';
import { nanosecondParts } from '../src/capture/pcapng-writer.js';
import { packetComment } from '../src/capture/packet-comment.js';
import { ZctraceError } from '../src/errors.js';
import type { TracePacket } from '../src/model/trace-packet.js';
import {
  OSA_PORT_INTERFACE,
  RAW_IP_INTERFACE,
  capinfos,
  ethernetVlanIpv4,
  ipv4Udp,
  ipv6TcpSyn,
  tracePacket,
  tsharkExpert,
  tsharkFields,
} from './support/tshark.js';

const PCAPNG: CaptureWriterOptions = { format: 'pcapng', timePrecision: 'us', userAppl: 'zctrace test', leapSeconds: 27 };

async function writeAll(path: string, packets: TracePacket[], options: Partial<CaptureWriterOptions> = {}) {
  const writer = await createCaptureWriter(path, { ...PCAPNG, ...options });
  for (const packet of packets) await writer.write(packet);
  return writer.close();
}

const FIELDS = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_name', 'frame.packet_flags_direction', 'frame.comment'];

/** Three link/direction cases, the IPv4 one with every comment field set. */
function mixedPackets(): TracePacket[] {
  return [
    tracePacket({
      data: ipv4Udp(30),
      timeSec: 1_037_813_912,
      timeNsec: 175_559_123,
      direction: 'inbound',
      ctrace: {
        recordNumber: 17,
        deviceName: 'MPC IP AQENET',
        flagNames: ['IN', 'DISCARD'],
        asid: 0x3a,
        tcb: 0x7f_c0_e8,
        traceCount: 4242,
        discard: { code: 4114, name: 'IP_MAC_BRDCST', layer: 'interface and IP', description: null },
      },
    }),
    tracePacket({ data: ipv6TcpSyn(), timeSec: 1_037_813_912, timeNsec: 999_999_999, direction: 'outbound', ctrace: { recordNumber: 18 } }),
    tracePacket({
      data: ethernetVlanIpv4(100, 20),
      interface: OSA_PORT_INTERFACE,
      timeSec: 1_037_813_913,
      timeNsec: 1,
      ctrace: { recordNumber: 1, formatId: 7, deviceType: 53 },
    }),
  ];
}

describe('pcapng writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-pcapng-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips time (ns), lengths, interface, direction and comment through tshark', async () => {
    const path = join(dir, 'mixed.pcapng');
    const summary = await writeAll(path, mixedPackets());
    expect(summary).to.include({ packets: 3, interfaces: 2 });
    expect(tsharkFields(path, FIELDS)).to.deep.equal([
      [
        '1037813912.175559123',
        '58',
        '58',
        'OSAQDIO1',
        '0x00000001',
        'rec=17 fmt=4 dev=MPC_IP_AQENET flags=IN,DISCARD asid=003A tcb=007FC0E8 count=4242 discard=4114/IP_MAC_BRDCST',
      ],
      ['1037813912.999999999', '64', '64', 'OSAQDIO1', '0x00000002', 'rec=18 fmt=4'],
      ['1037813913.000000001', '66', '66', 'OSAPORT1', '', 'rec=1 fmt=7 dev=devtype_53'],
    ]);
  });

  it('dissects every layer it was given: UDP over IPv4, TCP SYN over IPv6, VLAN over Ethernet', async () => {
    const path = join(dir, 'layers.pcapng');
    await writeAll(path, mixedPackets());
    const fields = ['frame.protocols', 'vlan.id', 'ip.checksum.status', 'tcp.checksum.status', 'tcp.flags.syn'];
    const prefs = { 'ip.check_checksum': 'TRUE', 'tcp.check_checksum': 'TRUE' };
    const GOOD = '1'; // checksum status: 0 bad, 1 good, 2 unverified
    expect(tsharkFields(path, fields, { prefs })).to.deep.equal([
      ['raw:ip:udp:data', '', GOOD, '', ''],
      ['raw:ipv6:tcp', '', '', GOOD, '1'],
      ['eth:ethertype:vlan:ethertype:ip:udp:data', '100', GOOD, '', ''],
    ]);
  });

  it('describes the file to capinfos: pcapng, per-packet encapsulation, ns precision, application, interfaces', async () => {
    const path = join(dir, 'info.pcapng');
    const summary = await writeAll(path, mixedPackets());
    const info = capinfos(path);
    expect(info.get('File type')).to.equal('pcapng');
    expect(info.get('File encapsulation')).to.equal('per-packet');
    expect(info.get('File timestamp precision')).to.equal('nanoseconds (9)');
    expect(info.get('Number of packets')).to.equal('3');
    expect(info.get('File size')).to.equal(`${summary.bytes} bytes`);
    expect(info.get('Strict time order')).to.equal('True');
    expect(info.get('Capture application')).to.equal('zctrace test');
    expect(info.get('Capture comment')).to.equal('times: TOD clock converted to UTC with leap-seconds=27');
    expect(info.get('Number of interfaces in file')).to.equal('2');
    expect(info.get('Interface #0 Name')).to.equal('OSAQDIO1');
    expect(info.get('Interface #0 Encapsulation')).to.equal('Raw IP (7 - rawip)');
    expect(info.get('Interface #1 Description')).to.equal('OSA-Express port (OSAENTA)');
    expect(info.get('Interface #1 Encapsulation')).to.equal('Ethernet (1 - ether)');
    expect(info.get('Interface #1 Capture length')).to.equal('262144');
  });

  it('gives each (component, name, link type) its own interface, declared before its first packet', async () => {
    const path = join(dir, 'ifaces.pcapng');
    const sameKeyOtherObject = { ...RAW_IP_INTERFACE };
    const otherComponent = { ...RAW_IP_INTERFACE, component: 'SYSTCPIS' as const, description: 'IDS' };
    const packets = [
      tracePacket({ data: ipv4Udp(1), interface: RAW_IP_INTERFACE }),
      tracePacket({ data: ipv4Udp(2), interface: otherComponent }),
      tracePacket({ data: ipv4Udp(3), interface: sameKeyOtherObject }),
      tracePacket({ data: ethernetVlanIpv4(5, 4), interface: OSA_PORT_INTERFACE }),
      tracePacket({ data: ipv4Udp(5), interface: otherComponent }),
    ];
    const summary = await writeAll(path, packets);
    expect(summary.interfaces).to.equal(3);
    expect(tsharkFields(path, ['frame.interface_id', 'frame.interface_description'])).to.deep.equal([
      ['0', 'MPC IP AQENET (SYSTCPDA packet trace)'],
      ['1', 'IDS'],
      ['0', 'MPC IP AQENET (SYSTCPDA packet trace)'],
      ['2', 'OSA-Express port (OSAENTA)'],
      ['1', 'IDS'],
    ]);
  });

  it('reports time order honestly: capinfos sees an out-of-order file as not strictly ordered', async () => {
    const path = join(dir, 'unordered.pcapng');
    await writeAll(path, [tracePacket({ data: ipv4Udp(1), timeSec: 20 }), tracePacket({ data: ipv4Udp(1), timeSec: 10 })]);
    expect(capinfos(path).get('Strict time order')).to.equal('False');
  });

  it('cuts at --snaplen but keeps the wire length, so Wireshark raises no length complaints', async () => {
    const path = join(dir, 'snap.pcapng');
    const packets = [
      tracePacket({ data: ipv4Udp(1000), ctrace: { recordNumber: 1 } }),
      // Truncated by the trace itself (ABBREV): 100 bytes present of 1028.
      tracePacket({ data: ipv4Udp(1000).subarray(0, 100), originalLength: 1028, ctrace: { recordNumber: 2, truncated: true } }),
    ];
    await writeAll(path, packets, { snaplen: 64 });
    expect(tsharkFields(path, ['frame.len', 'frame.cap_len', 'frame.comment'])).to.deep.equal([
      ['1028', '64', 'rec=1 fmt=4'],
      ['1028', '64', 'rec=2 fmt=4 trunc=100/1028'],
    ]);
    const expert = tsharkExpert(path);
    expect(expert.errors, expert.text).to.equal(0);
    expect(expert.warnings, expert.text).to.equal(0);
    expect(capinfos(path).get('Interface #0 Capture length')).to.equal('64');
  });

  it('(oracle check) tshark does flag a truncated packet written with the truncated length as its wire length', async () => {
    const path = join(dir, 'wrong.pcapng');
    await writeAll(path, [tracePacket({ data: ipv4Udp(1000).subarray(0, 100) })]);
    expect(tsharkExpert(path).text).to.match(/total length exceeds packet length/);
  });

  it('shows no expert errors or warnings and one comment per packet for a clean trace', async () => {
    const path = join(dir, 'clean.pcapng');
    await writeAll(path, mixedPackets());
    const expert = tsharkExpert(path);
    expect({ errors: expert.errors, warnings: expert.warnings, comments: expert.comments }, expert.text).to.deep.equal({
      errors: 0,
      warnings: 0,
      comments: 3,
    });
  });

  it('lets analysts filter on the comment in Wireshark', async () => {
    const path = join(dir, 'filter.pcapng');
    await writeAll(path, mixedPackets());
    expect(tsharkFields(path, ['frame.number'], { filter: 'frame.comment contains "discard=4114/"' })).to.deep.equal([['1']]);
    expect(tsharkFields(path, ['frame.number'], { filter: 'frame.comment contains "rec=1 "' })).to.deep.equal([['3']]);
  });

  it('pads by UTF-8 bytes, not characters: a comment with accented names reads back intact', async () => {
    const path = join(dir, 'utf8.pcapng');
    const extra = { job: 'CAFÉÇÜ', policy: 'règle à vérifier' };
    await writeAll(path, [tracePacket({ data: ipv4Udp(3), ctrace: { extra } }), tracePacket({ data: ipv4Udp(4), timeSec: 1_700_000_001 })]);
    expect(tsharkFields(path, ['frame.comment'])).to.deep.equal([['rec=1 fmt=4 job=CAFÉÇÜ policy=règle_à_vérifier'], ['rec=1 fmt=4']]);
  });

  it('writes a readable empty capture when no packet comes', async () => {
    const path = join(dir, 'empty.pcapng');
    const summary = await writeAll(path, []);
    expect(summary).to.include({ packets: 0, interfaces: 0 });
    expect(capinfos(path).get('Number of packets')).to.equal('0');
  });

  it('refuses a time capture files cannot hold, and the aborted write leaves no file', async () => {
    const path = join(dir, 'bad-time.pcapng');
    const writer = await createCaptureWriter(path, PCAPNG);
    await writer.write(tracePacket({ data: ipv4Udp(1) }));
    const bad = tracePacket({ data: ipv4Udp(1), timeSec: -5, ctrace: { recordNumber: 9 } });
    expect(() => writer.write(bad)).to.throw(ZctraceError, /packet 2 \(trace record 9\) has time -5\.0/);
    await writer.abort();
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('streams 100k packets quickly in bounded memory', async function () {
    this.timeout(20_000);
    const path = join(dir, 'many.pcapng');
    const count = 100_000;
    const packet = tracePacket({ data: ipv4Udp(72), direction: 'inbound', ctrace: { asid: 0x40, traceCount: 1 } });
    const writer = await createCaptureWriter(path, PCAPNG);
    const before = process.memoryUsage().arrayBuffers;
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) {
      packet.timeNsec = i * 1000;
      packet.ctrace!.recordNumber = i + 1;
      const pending = writer.write(packet);
      if (pending !== undefined) await pending;
    }
    const summary = await writer.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(process.memoryUsage().arrayBuffers - before).to.be.below(16 << 20);
    expect(seconds).to.be.below(2);
    expect(summary.packets).to.equal(count);
    const info = capinfos(path);
    expect(info.get('Number of packets')).to.equal(String(count));
    expect(info.get('Strict time order')).to.equal('True');
  });
});

describe('nanosecondParts', () => {
  const cases: [number, number][] = [
    [0, 0],
    [0, 999_999_999],
    [1, 0],
    [4, 294_967_295], // 2^32 − 1 ns: low word full
    [4, 294_967_296], // 2^32 ns: carry into the high word
    [1_037_813_912, 175_559_123],
    [1_700_000_000, 123_456_789],
    [0xffff_ffff, 999_999_999],
  ];
  for (let i = 0; i < 200; i += 1) cases.push([Math.floor(Math.random() * 0x1_0000_0000), Math.floor(Math.random() * 1e9)]);

  it('splits sec·10^9 + nsec into exact high and low u32 words (checked with BigInt)', () => {
    const parts = { high: 0, low: 0 };
    for (const [sec, nsec] of cases) {
      nanosecondParts(sec, nsec, parts);
      const exact = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
      expect([parts.high, parts.low], `${sec}.${nsec}`).to.deep.equal([Number(exact >> 32n), Number(exact & 0xffff_ffffn)]);
    }
  });
});

describe('packetComment', () => {
  it('puts rec first and omits null fields', () => {
    expect(packetComment(tracePacket({ data: ipv4Udp(1), ctrace: { recordNumber: 5, formatId: 4 } }))).to.equal('rec=5 fmt=4');
  });

  it('writes every field in the documented order', () => {
    const packet = tracePacket({
      data: ipv4Udp(100).subarray(0, 40),
      originalLength: 128,
      ctrace: {
        recordNumber: 3,
        formatId: 4,
        deviceName: 'LOOPBACK',
        flagNames: ['OUT', 'ABBREV'],
        asid: 0x1f,
        tcb: 0x8_f00d,
        traceCount: 7,
        discard: { code: 8215, name: null, layer: 'TCP', description: null },
        truncated: true,
        segments: { received: 2, incomplete: true },
        extra: { correlator: 77, job: 'TCPIP' },
      },
    });
    expect(packetComment(packet)).to.equal(
      'rec=3 fmt=4 dev=LOOPBACK flags=OUT,ABBREV asid=001F tcb=0008F00D count=7 discard=8215/TCP trunc=40/128 seg=2,incomplete correlator=77 job=TCPIP',
    );
  });

  it('keeps every value free of spaces so pairs split on single spaces', () => {
    const packet = tracePacket({
      data: ipv4Udp(1),
      ctrace: {
        deviceName: 'LCS  Ethernet',
        discard: { code: 4200, name: null, layer: 'interface and IP', description: null },
        extra: { 'policy rule': 'deny\ttelnet\nnow', empty: '', 'a=b': 1 },
      },
    });
    const comment = packetComment(packet);
    expect(comment).to.equal('rec=1 fmt=4 dev=LCS_Ethernet discard=4200/interface_and_IP policy_rule=deny_telnet_now empty=- a_b=1');
    for (const pair of (comment ?? '').split(' ')) expect(pair).to.match(/^[^=\s]+=\S+$/);
  });

  it('names an unnamed device by its type code, and leaves complete reassembly unmentioned', () => {
    const packet = tracePacket({ data: ipv4Udp(1), ctrace: { deviceType: 39, segments: { received: 3, incomplete: false } } });
    expect(packetComment(packet)).to.equal('rec=1 fmt=4 dev=devtype_39');
  });
});
