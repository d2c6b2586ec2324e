/**
 * Packets arriving on an unexpected interface (zos.unexpected_interface): a host the stack sends to on one
 * link whose packets come in on another link it never sends to it on (asymmetric routing). Built from
 * request/reply exchanges whose links the test chooses, in memory through the real pipeline, and once as a
 * SYSTCPDA data set through `zctrace report`, its evidence checked against tshark's reading of the
 * converted capture (interface name and direction of each frame).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Direction, TraceInterface, TracePacket } from '../src/model/trace-packet.js';
import type { Finding } from '../src/analysis/finding.js';
import type { Report } from '../src/report/report-model.js';
import { LinkType } from '../src/capture/link-types.js';
import { formatUtc } from '../src/model/time.js';
import { analyze, BASE_SEC, findingsOf, ipv4, ipv6, packet, udp } from './support/analysis-packets.js';
import { TcpConversation } from './support/tcp-frame-builder.js';
import { buildDataSet, packetEntriesFromFrames } from './support/trace-from-capture.js';
import { runCli } from './support/cli.js';
import { tableKey } from '../src/analysis/zos/unexpected-interface.js';
import { tsharkFields } from './support/tshark.js';

const RULE = 'zos.unexpected_interface';
const STACK = '10.1.1.1';
const HOST = '192.168.5.20';
/** The default of unexpectedInterfacePackets. */
const THRESHOLD = 10;
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

function link(name: string): TraceInterface {
  return { component: 'SYSTCPDA', name, linkType: LinkType.RAW, description: 'MPC IP AQENET (SYSTCPDA packet trace)' };
}
const OSA_A = link('OSAQDIO4');
const OSA_B = link('OSAQDIO5');

function datagram(source: string, destination: string, at: number, direction: Direction, on: TraceInterface): TracePacket {
  const bytes = ipv4({ source, destination, protocol: 17, id: 1 + Math.round(at * 1000), payload: udp(5000, 161, 20) });
  return packet(bytes, { at, direction, interface: on });
}

interface ExchangeOptions {
  /** Links the requests arrive on, one per exchange in turn. */
  arrive: readonly TraceInterface[];
  /** Links the replies leave on, one per exchange in turn. */
  send: readonly TraceInterface[];
  count: number;
  start?: number;
  host?: string;
  /** Where the requests go (the stack's address unless said). */
  to?: string;
  direction?: Direction;
}

/** `count` requests from the host to the stack, each answered 1 ms later, 100 ms apart. */
function exchanges(options: ExchangeOptions): TracePacket[] {
  const host = options.host ?? HOST;
  const packets: TracePacket[] = [];
  for (let i = 0; i < options.count; i++) {
    const at = (options.start ?? 0) + i * 0.1;
    packets.push(datagram(host, options.to ?? STACK, at, options.direction ?? 'inbound', options.arrive[i % options.arrive.length]!));
    packets.push(datagram(STACK, host, at + 0.001, options.direction ?? 'outbound', options.send[i % options.send.length]!));
  }
  return packets;
}

function sorted(packets: readonly TracePacket[]): TracePacket[] {
  return [...packets].sort((a, b) => a.timeSec - b.timeSec || a.timeNsec - b.timeNsec);
}


function findings(packets: readonly TracePacket[], config: Record<string, unknown> = {}): Finding[] {
  return findingsOf(analyze(packets, config), RULE);
}

describe('packets arriving on an unexpected interface (zos.unexpected_interface)', () => {
  it('reports a host whose packets arrive on one link while the stack sends to it on another (a warning)', () => {
    const packets = sorted(exchanges({ arrive: [OSA_B], send: [OSA_A], count: 20 }));
    const report = analyze(packets);
    const found = findingsOf(report, RULE);
    expect(found).to.have.length(1);
    const finding = found[0]!;
    expect(finding).to.include({ severity: 'warning', category: 'zos', count: 20 });
    expect(finding.subject).to.deep.equal({ interface: OSA_B.name, host: HOST });
    expect(finding.details).to.deep.include({ asymmetry: 'complete', arrivingLinks: [OSA_B.name], sendingLinks: [OSA_A.name], hosts: [HOST], hostCount: 1 });
    expect(finding.details).to.include({ packetsArrivingOnSendingLinks: 0, packetsSentToThem: 20 });
    expect(finding.title).to.contain(HOST).and.contain(OSA_B.name).and.contain(OSA_A.name);
    // The span is that of the packets that came in the unexpected way: the first and last request.
    expect(finding.firstTime).to.equal(formatUtc(packets[0]!.timeSec, packets[0]!.timeNsec));
    const lastRequest = packets[packets.length - 2]!;
    expect(finding.lastTime).to.equal(formatUtc(lastRequest.timeSec, lastRequest.timeNsec));
    // Evidence: the first reply (frame 2, sent on OSA A) and requests that came in on OSA B after it.
    const evidence = finding.evidence.map((e) => packets[e.frame - 1]!);
    expect(evidence[0]!).to.include({ direction: 'outbound' });
    expect(evidence[0]!.interface.name).to.equal(OSA_A.name);
    expect(evidence.slice(1).every((p) => p.direction === 'inbound' && p.interface.name === OSA_B.name)).to.equal(true);
    expect(finding.evidence.map((e) => e.frame)).to.deep.equal([2, 3, 5, 7, 9]);
    expect(finding.evidence.map((e) => e.record)).to.deep.equal(evidence.map((p) => p.ctrace!.recordNumber));
    // Their rows are in the packets table, though they were kept before the verdict.
    const rows = new Set(report.packets.rows.map((row) => row.frame));
    expect(finding.evidence.filter((e) => !rows.has(e.frame))).to.deep.equal([]);
  });

  it('says only a note when some of the host’s packets come in on the link the stack sends on (load shared over two links)', () => {
    const found = findings(exchanges({ arrive: [OSA_A, OSA_B], send: [OSA_A], count: 40 }));
    expect(found).to.have.length(1);
    expect(found[0]!).to.include({ severity: 'note', count: 20 });
    expect(found[0]!.details).to.include({ asymmetry: 'partial', packetsArrivingOnSendingLinks: 20 });
  });

  it('says nothing when the packets arrive on the link the stack sends on', () => {
    expect(findings(exchanges({ arrive: [OSA_A], send: [OSA_A], count: 50 }))).to.deep.equal([]);
  });

  it('says nothing when the stack sends to the host on several links (ECMP): arriving on any of them is expected', () => {
    expect(findings(exchanges({ arrive: [OSA_B], send: [OSA_A, OSA_B], count: 50 })), 'arriving on one').to.deep.equal([]);
    expect(findings(exchanges({ arrive: [OSA_A, OSA_B, OSA_B], send: [OSA_B, OSA_A], count: 60 })), 'arriving on both').to.deep.equal([]);
  });

  it('says nothing about packets of unknown direction (a pcap without directions)', () => {
    expect(findings(exchanges({ arrive: [OSA_B], send: [OSA_A], count: 50, direction: 'unknown' }))).to.deep.equal([]);
  });

  it('says nothing below unexpectedInterfacePackets, and reports from it on (the threshold is configurable)', () => {
    expect(findings(exchanges({ arrive: [OSA_B], send: [OSA_A], count: THRESHOLD - 1 }))).to.deep.equal([]);
    expect(findings(exchanges({ arrive: [OSA_B], send: [OSA_A], count: THRESHOLD }))).to.have.length(1);
    expect(findings(exchanges({ arrive: [OSA_B], send: [OSA_A], count: 3 }), { unexpectedInterfacePackets: 3 })).to.have.length(1);
  });

  it('says nothing about broadcasts, multicasts or packets for other hosts arriving on another link, nor about multicast peers', () => {
    const stackTalks = exchanges({ arrive: [OSA_A], send: [OSA_A], count: 5 });
    const toGroups = ['255.255.255.255', '224.0.0.251', '10.1.1.255', '10.9.9.9'].flatMap((to, i) =>
      Array.from({ length: 30 }, (_, k) => datagram(HOST, to, 1 + i + k * 0.01, 'inbound', OSA_B)),
    );
    expect(findings([...stackTalks, ...toGroups]), 'to a group, a broadcast or another host').to.deep.equal([]);
    // The stack's multicasts leave on OSA A while the group's members answer on OSA B: no single host.
    const multicastPeer = [
      ...Array.from({ length: 30 }, (_, k) => datagram(STACK, '224.0.0.5', k * 0.1, 'outbound', OSA_A)),
      ...Array.from({ length: 30 }, (_, k) => datagram('224.0.0.5', STACK, k * 0.1 + 0.05, 'inbound', OSA_B)),
    ];
    expect(findings(multicastPeer), 'multicast peer').to.deep.equal([]);
  });

  it('leaves alone loopback links, socket-data interfaces and the links to the sysplex’s other stacks', () => {
    for (const name of ['LOOPBACK', 'socket data (job FTPD1)', 'EZAXCF02', 'IQDIOLNK0A010102', 'EZASAMEMVS']) {
      expect(findings(exchanges({ arrive: [link(name)], send: [OSA_A], count: 50 })), name).to.deep.equal([]);
    }
  });

  it('counts packets to a stated local address the stack never sends from (localAddresses in the config)', () => {
    // The host's requests go to the VIPA 10.1.9.9 on OSA B; the stack answers from 10.1.1.1 on OSA A.
    const packets = Array.from({ length: 20 }, (_, i) => [datagram(STACK, HOST, i * 0.1, 'outbound', OSA_A), datagram(HOST, '10.1.9.9', i * 0.1 + 0.05, 'inbound', OSA_B)]).flat();
    expect(findings(packets), 'without the config').to.deep.equal([]);
    expect(findings(packets, { localAddresses: ['10.1.9.9'] })[0]).to.include({ severity: 'warning', count: 20 });
  });

  it('gathers the hosts of one pair of links into one finding, whose count reaches the threshold together', () => {
    const hosts = ['192.168.5.20', '192.168.5.21', '192.168.5.22', '192.168.5.23'];
    const packets = hosts.flatMap((host, i) => exchanges({ host, arrive: [OSA_B], send: [OSA_A], count: 3, start: i * 10 }));
    const found = findings(packets);
    expect(found).to.have.length(1);
    expect(found[0]!.count).to.equal(12);
    expect(found[0]!.details).to.deep.include({ hostCount: 4, hosts });
    expect(found[0]!.subject).to.deep.equal({ interface: OSA_B.name });
    expect(found[0]!.title).to.contain('4 hosts');
    // A host answered the right way is not among them.
    const withSymmetric = [...packets, ...exchanges({ host: '192.168.5.99', arrive: [OSA_A], send: [OSA_A], count: 20, start: 50 })];
    expect(findings(withSymmetric)[0]!.details['hosts']).to.deep.equal(hosts);
  });

  it('still reports a host forgotten from the bounded host table, and an IPv6 host', () => {
    const asymmetric = exchanges({ arrive: [OSA_B], send: [OSA_A], count: 20 });
    const others = ['192.168.6.1', '192.168.6.2', '192.168.6.3'].flatMap((host, i) => exchanges({ host, arrive: [OSA_A], send: [OSA_A], count: 2, start: 10 + i }));
    const found = findings([...asymmetric, ...others], { maxTrackedHosts: 2 });
    expect(found).to.have.length(1);
    expect(found[0]!).to.include({ count: 20 });

    const v6Host = '2001:db8::20';
    const v6Stack = '2001:db8::1';
    const v6 = Array.from({ length: 12 }, (_, i) => [ipv6Datagram(v6Host, v6Stack, i * 0.1, 'inbound', OSA_B), ipv6Datagram(v6Stack, v6Host, i * 0.1 + 0.001, 'outbound', OSA_A)]).flat();
    const v6Found = findings(v6);
    expect(v6Found).to.have.length(1);
    expect(v6Found[0]!.subject).to.deep.equal({ interface: OSA_B.name, host: v6Host });
  });

  it('tells apart IPv6 hosts whose addresses share a host-table key', () => {
    const stack = '2001:db8::1';
    const crossed = '2001:db8::20';
    // A second address folding to the same key: another last word, the first word made up for it.
    const words = (text: string): number[] => Array.from({ length: 4 }, (_, i) => new DataView(ipv6(text, '::', 59, new Uint8Array(0)).buffer).getUint32(8 + 4 * i));
    const [a0, a1, a2, a3] = words(crossed) as [number, number, number, number];
    // The first word enters the key by exclusive or, so it can be solved for.
    const b3 = (a3 ^ 0x55) >>> 0;
    const b0 = (tableKey(6, a0, a1, a2, a3) ^ tableKey(6, 0, a1, a2, b3)) >>> 0;
    expect(tableKey(6, b0, a1, a2, b3), 'the two keys are the same').to.equal(tableKey(6, a0, a1, a2, a3));
    const other = formatWords([b0, a1, a2, b3]);
    expect(other).to.not.equal(crossed);
    const packets: TracePacket[] = [];
    for (let i = 0; i < 12; i++) {
      packets.push(ipv6Datagram(crossed, stack, i * 0.1, 'inbound', OSA_B), ipv6Datagram(stack, crossed, i * 0.1 + 0.001, 'outbound', OSA_A));
      packets.push(ipv6Datagram(other, stack, i * 0.1 + 0.002, 'inbound', OSA_A), ipv6Datagram(stack, other, i * 0.1 + 0.003, 'outbound', OSA_A));
    }
    const found = findings(packets);
    expect(found).to.have.length(1);
    expect(found[0]!.details['hosts']).to.deep.equal([crossed]);
    expect(found[0]!.count).to.equal(12);
  });

  describe('in a SYSTCPDA packet trace, through zctrace report', function () {
    this.timeout(120_000);
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'zctrace-unexpected-if-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('names the links as the trace records do, and its evidence frames are where tshark shows them', function () {
      // A telnet session whose client's segments come in on OSAQDIO5 while the stack answers on OSAQDIO4,
      // and one whose segments go both ways on OSAQDIO4.
      const crossed = new TcpConversation({ address: HOST, port: 1050 }, { address: STACK, port: 23 }, BASE_SEC);
      const straight = new TcpConversation({ address: '192.168.5.30', port: 1051 }, { address: STACK, port: 23 }, BASE_SEC);
      for (const conversation of [crossed, straight]) {
        conversation.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
        conversation.add({ from: 'b', atMs: 1, flags: 'SA', seq: 900, ack: 101 });
        conversation.add({ from: 'a', atMs: 2, flags: 'A', seq: 101, ack: 901 });
        for (let i = 0; i < 12; i++) {
          conversation.add({ from: 'a', atMs: 10 + i * 20, flags: 'PA', seq: 101 + i * 10, ack: 901 + i * 10, length: 10 });
          conversation.add({ from: 'b', atMs: 11 + i * 20, flags: 'PA', seq: 901 + i * 10, ack: 111 + i * 10, length: 10 });
        }
      }
      const frames = [...crossed.frames, ...straight.frames.map((f) => ({ ...f, timeSec: f.timeSec + 1 }))];
      const captured = frames.map((frame, i) => ({ frameNumber: i + 1, timeSec: frame.timeSec, timeNsec: frame.timeNsec, linkType: LinkType.RAW, interfaceName: null, data: frame.data, originalLength: frame.originalLength, direction: 'unknown' as const, comment: null }));
      const entries = packetEntriesFromFrames(captured, {
        localAddresses: [STACK],
        link: (traced) => ({ name: !traced.outbound && traced.facts.source === HOST ? 'OSAQDIO5' : 'OSAQDIO4', deviceType: 39 }),
      });
      const input = join(dir, 'asymmetric.bin');
      writeFileSync(input, buildDataSet(entries, 'rdw'));
      const json = join(dir, 'report.json');
      const run = runCli(['report', input, '--json', json, '--quiet']);
      expect(run.status, run.stderr).to.equal(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      const found = findingsOf(report, RULE);
      expect(found).to.have.length(1);
      const finding = found[0]!;
      // The client sent 14 segments (SYN, ACK and 12 with data), all on OSAQDIO5.
      expect(finding).to.include({ severity: 'warning', count: 14 });
      expect(finding.subject).to.deep.equal({ interface: 'OSAQDIO5', host: HOST });
      expect(finding.details).to.deep.include({ sendingLinks: ['OSAQDIO4'], hosts: [HOST] });
      expect(finding.evidence.every((e) => e.record !== null)).to.equal(true);
      if (!HAVE_TSHARK) this.skip();
      const pcapng = join(dir, 'asymmetric.pcapng');
      const converted = runCli(['convert', input, '-o', pcapng]);
      expect(converted.status, converted.stderr).to.equal(0);
      const rows = tsharkFields(pcapng, ['frame.number', 'frame.interface_name', 'frame.packet_flags_direction', 'ip.src', 'ip.dst']);
      const byFrame = new Map(rows.map((row) => [Number(row[0]), row]));
      const [context, ...arrivals] = finding.evidence;
      // The first: the stack's SYN-ACK to the host, leaving on OSAQDIO4 (pcapng direction 2: outbound).
      expect(byFrame.get(context!.frame)!.slice(1)).to.deep.equal(['OSAQDIO4', '0x00000002', STACK, HOST]);
      // The rest: the host's segments coming in on OSAQDIO5 (pcapng direction 1: inbound).
      for (const e of arrivals) expect(byFrame.get(e.frame)!.slice(1), `frame ${e.frame}`).to.deep.equal(['OSAQDIO5', '0x00000001', HOST, STACK]);
    });
  });
});

/** An IPv6 UDP datagram (no extension headers). */
function ipv6Datagram(source: string, destination: string, at: number, direction: Direction, on: TraceInterface): TracePacket {
  return packet(ipv6(source, destination, 17, udp(5000, 161, 20)), { at, direction, interface: on });
}

function formatWords(words: readonly number[]): string {
  return words.flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]).join(':');
}
