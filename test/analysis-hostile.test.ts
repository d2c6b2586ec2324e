/**
 * Scans, floods and hostile traffic (analysis.md §3): each detector with traffic that must trigger it,
 * built after the published cases where there is one, and traffic that must not.
 */
import { expect } from 'chai';
import { TcpConversation } from './support/tcp-frame-builder.js';
import { analyze, findingsOf, icmp, ipv4, packet, packetsOf, tcpHeader, udp } from './support/analysis-packets.js';
import type { TracePacket } from '../src/model/trace-packet.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;

/** The ports of the published IDS scan (exception-catalog E.12), 50.79.43.252:53 → 192.86.33.199. */
const IDS_SCAN_PORTS = [53, 256, 23, 1720, 113, 993, 1025, 3389, 3306, 8080, 143, 1723];

/** A probe from the scanner and the target's answer: RST for a closed port, SYN-ACK then the scanner's RST for an open one. */
function probe(frames: BuiltFrame[], sourcePort: number, target: string, port: number, atMs: number, flags: string, open = false): void {
  const c = new TcpConversation({ address: '50.79.43.252', port: sourcePort }, { address: target, port });
  c.add({ from: 'a', atMs, flags, seq: 1998194860, window: 1024 });
  if (open) {
    c.add({ from: 'b', atMs: atMs + 1, flags: 'SA', seq: 7000, ack: 1998194861 });
    c.add({ from: 'a', atMs: atMs + 2, flags: 'R', seq: 1998194861 });
  } else {
    c.add({ from: 'b', atMs: atMs + 1, flags: 'RA', seq: 0, ack: 1998194861, window: 0 });
  }
  frames.push(...c.frames);
}

function sorted(frames: BuiltFrame[]): TracePacket[] {
  return packetsOf(frames.sort((a, b) => a.timeSec - b.timeSec || a.timeNsec - b.timeNsec));
}

describe('analysis: hostile traffic', () => {
  describe('port scans', () => {
    it('the published SYN scan: 12 ports in 61 ms, found with the port threshold at 10; open ports named', () => {
      const frames: BuiltFrame[] = [];
      IDS_SCAN_PORTS.forEach((port, i) => probe(frames, 53, '192.86.33.199', port, i * 5, 'S', port === 23));
      const report = analyze(sorted(frames), { scanDistinctPorts: 10 });
      const [scan] = findingsOf(report, 'hostile.port_scan');
      expect(scan).to.include({ severity: 'error', count: 12 });
      expect(scan!.subject).to.deep.equal({ host: '50.79.43.252', service: '192.86.33.199' });
      expect((scan!.details['ports'] as number[]).slice().sort((a, b) => a - b)).to.deep.equal(IDS_SCAN_PORTS.slice().sort((a, b) => a - b));
      expect(scan!.details['probeKinds']).to.deep.equal(['SYN scan']);
      expect(scan!.details['openPorts']).to.deep.equal(['192.86.33.199:23']);
      expect(scan!.evidence).to.have.length(12);
    });

    it('12 ports stay below the default threshold of 15 distinct ports', () => {
      const frames: BuiltFrame[] = [];
      IDS_SCAN_PORTS.forEach((port, i) => probe(frames, 53, '192.86.33.199', port, i * 5, 'S'));
      expect(findingsOf(analyze(sorted(frames)), 'hostile.port_scan')).to.deep.equal([]);
    });

    for (const [kind, flags] of [
      ['FIN', 'F'],
      ['NULL', ''],
      ['XMAS', 'FPU'],
      ['ACK', 'A'],
    ] as const) {
      it(`a ${kind} scan answered by RSTs is named by its probe kind`, () => {
        const frames: BuiltFrame[] = [];
        for (let i = 0; i < 20; i++) probe(frames, 40000 + i, '10.9.9.9', 1000 + i, i * 50, flags);
        const [scan] = findingsOf(analyze(sorted(frames)), 'hostile.port_scan');
        expect(scan, kind).to.not.equal(undefined);
        expect(scan!.details['probeKinds']).to.deep.equal([`${kind} scan`]);
      });
    }

    it('a horizontal scan: one port across many hosts (the published port-1524 sweep, scaled up)', () => {
      const frames: BuiltFrame[] = [];
      for (let host = 1; host <= 12; host++) probe(frames, 1896 + host, `10.5.5.${host}`, 1524, host * 240, 'S');
      const [sweep] = findingsOf(analyze(sorted(frames)), 'hostile.horizontal_scan');
      expect(sweep).to.include({ severity: 'error', count: 12 });
      expect(sweep!.details['hosts']).to.have.length(12);
    });

    it('not a scan: an FTP client opening 20 passive data connections that carry data', () => {
      const frames: BuiltFrame[] = [];
      for (let i = 0; i < 20; i++) {
        const c = new TcpConversation({ address: '10.1.1.1', port: 50000 + i }, { address: '10.2.2.2', port: 30000 + i * 7 });
        const t = i * 100;
        c.add({ from: 'a', atMs: t, flags: 'S', seq: 100 });
        c.add({ from: 'b', atMs: t + 1, flags: 'SA', seq: 900, ack: 101 });
        c.add({ from: 'a', atMs: t + 2, flags: 'A', seq: 101, ack: 901 });
        c.add({ from: 'b', atMs: t + 3, flags: 'PA', seq: 901, ack: 101, length: 500 });
        c.add({ from: 'b', atMs: t + 4, flags: 'FA', seq: 1401, ack: 101 });
        c.add({ from: 'a', atMs: t + 5, flags: 'FA', seq: 101, ack: 1402 });
        c.add({ from: 'b', atMs: t + 6, flags: 'A', seq: 1402, ack: 102 });
        frames.push(...c.frames);
      }
      const report = analyze(sorted(frames));
      expect(report.findings.filter((f) => f.category === 'hostile')).to.deep.equal([]);
    });

    it('not a scan: idle connections caught mid-stream by lone ACKs that nobody answers', () => {
      const frames: BuiltFrame[] = [];
      for (let i = 0; i < 20; i++) {
        const c = new TcpConversation({ address: '10.2.2.2', port: 21 }, { address: '10.1.1.1', port: 50000 + i });
        c.add({ from: 'a', atMs: i * 10, flags: 'A', seq: 5000, ack: 7000 });
        frames.push(...c.frames);
      }
      expect(findingsOf(analyze(sorted(frames)), 'hostile.port_scan')).to.deep.equal([]);
    });
  });

  describe('illegal flag combinations', () => {
    it('SYN+FIN, SYN+RST, RST+FIN, FIN without ACK, NULL and XMAS: one error each, per source', () => {
      const combos = ['SF', 'SR', 'RF', 'F', '', 'FPU'];
      const frames: BuiltFrame[] = [];
      combos.forEach((flags, i) => {
        const c = new TcpConversation({ address: '10.6.6.6', port: 40000 + i }, { address: '10.7.7.7', port: 80 });
        c.add({ from: 'a', atMs: i, flags, seq: 1 });
        frames.push(...c.frames);
      });
      const findings = findingsOf(analyze(sorted(frames)), 'hostile.illegal_tcp_flags');
      expect(findings.map((f) => f.details['combination']).sort()).to.deep.equal(['FIN without ACK', 'NULL (no flags)', 'RST+FIN', 'SYN+FIN', 'SYN+RST', 'XMAS (FIN+PSH+URG)']);
      expect(findings.every((f) => f.severity === 'error' && f.subject.host === '10.6.6.6')).to.equal(true);
    });

    it('ordinary flag combinations are not flagged', () => {
      const c = new TcpConversation({ address: '10.1.1.1', port: 40000 }, { address: '10.2.2.2', port: 80 });
      c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
      c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 900, ack: 101 });
      c.add({ from: 'a', atMs: 2, flags: 'PA', seq: 101, ack: 901, length: 5 });
      c.add({ from: 'b', atMs: 3, flags: 'RA', seq: 901, ack: 106 });
      expect(findingsOf(analyze(packetsOf(c.frames)), 'hostile.illegal_tcp_flags')).to.deep.equal([]);
    });
  });

  describe('floods', () => {
    function synBurst(complete: boolean): BuiltFrame[] {
      const frames: BuiltFrame[] = [];
      for (let i = 0; i < 300; i++) {
        const c = new TcpConversation({ address: `172.16.${i >> 8}.${i & 255}`, port: 1053 + i }, { address: '10.8.8.8', port: 23 });
        const t = i * 3; // 300 SYNs in 0.9 s
        c.add({ from: 'a', atMs: t, flags: 'S', seq: 322286, window: 8192 });
        c.add({ from: 'b', atMs: t + 1, flags: 'SA', seq: 4137483508, ack: 322287 });
        if (complete) c.add({ from: 'a', atMs: t + 2, flags: 'A', seq: 322287, ack: 4137483509 });
        frames.push(...c.frames);
      }
      return frames;
    }

    it('SYN flood: 300 SYNs per second to one service, none completing', () => {
      const [flood] = findingsOf(analyze(sorted(synBurst(false))), 'hostile.syn_flood');
      expect(flood).to.include({ severity: 'error', count: 300 });
      expect(flood!.subject.service).to.equal('10.8.8.8:23');
      expect(flood!.details['completedPercent']).to.equal(0);
      expect(flood!.details['peakSynsPerSecond']).to.equal(300);
    });

    it('not a flood: a busy service whose connections complete', () => {
      expect(findingsOf(analyze(sorted(synBurst(true))), 'hostile.syn_flood')).to.deep.equal([]);
    });

    function pings(count: number, perSecond: number): TracePacket[] {
      return Array.from({ length: count }, (_, i) =>
        packet(ipv4({ source: `10.4.4.${(i % 5) + 1}`, destination: '10.3.3.3', protocol: ICMP, id: i, payload: icmp(8, 0) }), { at: i / perSecond }),
      );
    }

    it('ICMP flood: 200 echo requests in one second to one host', () => {
      const [flood] = findingsOf(analyze(pings(200, 200)), 'hostile.icmp_flood');
      expect(flood).to.include({ severity: 'error' });
      expect(flood!.details['peakPerSecond']).to.equal(200);
      expect(flood!.details['sources']).to.have.length(5);
    });

    it('not a flood: 50 pings a second', () => {
      expect(findingsOf(analyze(pings(200, 50)), 'hostile.icmp_flood')).to.deep.equal([]);
    });
  });

  describe('routing loops', () => {
    /** The published NetBIOS case: 172.29.96.93:137 → 172.29.191.255:137, IP ID 0x0135, 78 bytes, TTL 127 → 1, ~0.8 ms apart. */
    function nbnsCopies(ttls: number[], id = 0x0135): TracePacket[] {
      return ttls.map((ttl, i) =>
        packet(ipv4({ source: '172.29.96.93', destination: '172.29.191.255', protocol: UDP, id, ttl, payload: udp(137, 137, 50) }), { at: i * 0.0008 }),
      );
    }

    it('the same datagram 127 times with TTL falling from 127 to 1', () => {
      const copies = nbnsCopies(Array.from({ length: 127 }, (_, i) => 127 - i));
      expect(copies[0]!.data.length).to.equal(78);
      const [loop] = findingsOf(analyze(copies), 'hostile.routing_loop');
      expect(loop).to.include({ severity: 'error', count: 127 });
      expect(loop!.details).to.deep.include({ mostCopies: 127, highestTtl: 127, lowestTtl: 1, ipIds: [0x0135], datagrams: 1 });
      expect(loop!.evidence.slice(0, 3).map((e) => e.note)).to.deep.equal(['TTL 127', 'TTL 126', 'TTL 125']);
    });

    it('not a loop: the same datagram repeated at the same TTL, or different datagrams with falling TTLs', () => {
      expect(findingsOf(analyze(nbnsCopies([64, 64, 64, 64])), 'hostile.routing_loop')).to.deep.equal([]);
      const distinct = [64, 63, 62, 61].map((ttl, i) => nbnsCopies([ttl], 100 + i)[0]!);
      expect(findingsOf(analyze(distinct), 'hostile.routing_loop')).to.deep.equal([]);
    });
  });

  describe('fragments', () => {
    const payload = (n: number): Uint8Array => new Uint8Array(n).fill(7);
    const fragment = (offset: number, length: number, more: boolean, extra: { dontFragment?: boolean; protocol?: number } = {}): Uint8Array =>
      ipv4({ source: '192.168.203.131', destination: '192.168.203.134', protocol: extra.protocol ?? UDP, id: 249, moreFragments: more, fragmentOffset: offset, dontFragment: extra.dontFragment, payload: payload(length) });

    it('a complete, well-formed fragment train is only a note', () => {
      const report = analyze([packet(fragment(0, 400, true), { at: 0 }), packet(fragment(400, 400, true), { at: 0.001 }), packet(fragment(800, 100, false), { at: 0.002 })]);
      const hostile = report.findings.filter((f) => f.category === 'hostile');
      expect(hostile.map((f) => [f.rule, f.severity, f.count])).to.deep.equal([['hostile.fragmented', 'note', 3]]);
    });

    it('overlapping fragments, a tiny first TCP fragment, DF on a fragment, an odd size, a train never completed', () => {
      const report = analyze([
        packet(fragment(0, 8, true, { protocol: TCP }), { at: 0 }),
        packet(fragment(8, 396, true, { protocol: TCP }), { at: 0.001 }),
        packet(fragment(200, 400, true, { protocol: TCP, dontFragment: true }), { at: 0.002 }),
      ]);
      const rules = report.findings.filter((f) => f.category === 'hostile').map((f) => f.rule).sort();
      expect(rules).to.deep.equal([
        'hostile.bad_fragment_size',
        'hostile.fragment_with_df',
        'hostile.fragmented',
        'hostile.incomplete_fragments',
        'hostile.overlapping_fragments',
        'hostile.tiny_fragment',
      ]);
    });
  });

  describe('impossible addresses', () => {
    it('a loopback source on a real interface, a class E destination, and a LAND SYN', () => {
      const report = analyze([
        packet(ipv4({ source: '127.0.0.1', destination: '10.1.1.1', protocol: UDP, payload: udp(1000, 2000) }), { at: 0 }),
        packet(ipv4({ source: '164.216.140.182', destination: '251.238.107.85', protocol: UDP, payload: udp(1000, 2000) }), { at: 1 }),
        packet(ipv4({ source: '10.5.5.5', destination: '10.5.5.5', protocol: TCP, payload: tcpHeader(139, 139, 0x02) }), { at: 2 }),
      ]);
      const martian = findingsOf(report, 'hostile.martian_address').map((f) => f.subject.host).sort();
      expect(martian).to.deep.equal(['127.0.0.1', '251.238.107.85']);
      const [land] = findingsOf(report, 'hostile.land');
      expect(land).to.include({ severity: 'error', count: 1 });
    });

    it('normal: loopback traffic on the loopback interface, a DHCP client asking from 0.0.0.0, the stack talking to itself on two ports', () => {
      const loopback = { component: 'SYSTCPDA' as const, name: 'LOOPBACK', linkType: 101, description: 'LOOPBACK' };
      const report = analyze([
        packet(ipv4({ source: '127.0.0.1', destination: '127.0.0.1', protocol: UDP, payload: udp(1000, 2000) }), { at: 0, interface: loopback }),
        packet(ipv4({ source: '0.0.0.0', destination: '255.255.255.255', protocol: UDP, payload: udp(68, 67, 300) }), { at: 1 }),
        packet(ipv4({ source: '137.72.43.207', destination: '137.72.43.207', protocol: UDP, payload: udp(14280, 161, 20) }), { at: 2 }),
      ]);
      expect(report.findings.filter((f) => f.category === 'hostile')).to.deep.equal([]);
    });

    it('TTL 0 on a received packet', () => {
      const report = analyze([packet(ipv4({ source: '10.9.9.9', destination: '10.1.1.1', protocol: TCP, ttl: 0, payload: tcpHeader(23, 23, 0x10, 1, 499410217) }), { at: 0, direction: 'inbound' })]);
      expect(findingsOf(report, 'hostile.ttl_zero')).to.have.length(1);
    });
  });

  describe('backscatter', () => {
    it('unsolicited SYN-ACKs from one host to many of ours, with the flood tool signature', () => {
      const frames: BuiltFrame[] = [];
      for (let i = 0; i < 12; i++) {
        const c = new TcpConversation({ address: '198.18.0.9', port: 6667 }, { address: `10.10.0.${i + 1}`, port: 1578 + i });
        c.add({ from: 'a', atMs: i * 1000, flags: 'SA', seq: 1822395560, ack: 674711610, window: 4096 });
        frames.push(...c.frames);
      }
      const [backscatter] = findingsOf(analyze(sorted(frames)), 'hostile.backscatter');
      expect(backscatter).to.include({ severity: 'warning', count: 12 });
      expect(backscatter!.details['floodToolSignatures']).to.deep.equal(['ack 674711610']);
    });

    it('not backscatter: one RST ending a connection older than the trace', () => {
      const c = new TcpConversation({ address: '10.2.2.2', port: 80 }, { address: '10.1.1.1', port: 40000 });
      c.add({ from: 'a', atMs: 0, flags: 'RA', seq: 5000, ack: 7000 });
      expect(findingsOf(analyze(packetsOf(c.frames)), 'hostile.backscatter')).to.deep.equal([]);
    });
  });
});
