/**
 * Connections: Zeek's conn_state for each way a connection can go, the per-connection summary
 * (server time vs network time checked against the published FTP brute-force session, handshake RTT and
 * options against the published handshake, zero-window time against the published stall), the failure
 * findings, and UDP flows.
 */
import { expect } from 'chai';
import { TcpConversation, TcpOption } from './support/tcp-frame-builder.js';
import { analyze, findingsOf, packetsOf, seriousFindings, udp, ipv4, packet } from './support/analysis-packets.js';
import { connState, EndpointState } from '../src/analysis/connections/conn-state.js';
import { AnalysisPipeline } from '../src/analysis/analysis-pipeline.js';
import { withOverrides } from '../src/analysis/thresholds.js';
import type { ConnectionSummary } from '../src/report/report-model.js';

const CLIENT = { address: '10.1.1.1', port: 40000 };
const SERVER = { address: '10.2.2.2', port: 21 };

function only(connections: ConnectionSummary[]): ConnectionSummary {
  expect(connections).to.have.length(1);
  return connections[0]!;
}

function handshake(c: TcpConversation, startMs = 0): void {
  c.add({ from: 'a', atMs: startMs, flags: 'S', seq: 100 });
  c.add({ from: 'b', atMs: startMs + 1, flags: 'SA', seq: 900, ack: 101 });
  c.add({ from: 'a', atMs: startMs + 2, flags: 'A', seq: 101, ack: 901 });
}

describe('analysis: connections', () => {
  describe('conn_state (Zeek)', () => {
    const cases: { name: string; build: (c: TcpConversation) => void; state: string }[] = [
      {
        name: 'attempt with no reply',
        state: 'S0',
        build: (c) => {
          c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
          c.add({ from: 'a', atMs: 3000, flags: 'S', seq: 100 });
        },
      },
      {
        name: 'attempt refused with RST',
        state: 'REJ',
        build: (c) => {
          c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
          c.add({ from: 'b', atMs: 1, flags: 'RA', seq: 0, ack: 101, window: 0 });
        },
      },
      {
        name: 'normal open and close',
        state: 'SF',
        build: (c) => {
          handshake(c);
          c.add({ from: 'a', atMs: 3, flags: 'PA', seq: 101, ack: 901, length: 10 });
          c.add({ from: 'b', atMs: 4, flags: 'PA', seq: 901, ack: 111, length: 20 });
          c.add({ from: 'a', atMs: 5, flags: 'FA', seq: 111, ack: 921 });
          c.add({ from: 'b', atMs: 6, flags: 'FA', seq: 921, ack: 112 });
          c.add({ from: 'a', atMs: 7, flags: 'A', seq: 112, ack: 922 });
        },
      },
      {
        name: 'established, not closed',
        state: 'S1',
        build: (c) => {
          handshake(c);
          c.add({ from: 'a', atMs: 3, flags: 'PA', seq: 101, ack: 901, length: 10 });
        },
      },
      {
        name: 'established, reset by the originator',
        state: 'RSTO',
        build: (c) => {
          handshake(c);
          c.add({ from: 'a', atMs: 3, flags: 'RA', seq: 101, ack: 901 });
        },
      },
      {
        name: 'established, reset by the responder',
        state: 'RSTR',
        build: (c) => {
          handshake(c);
          c.add({ from: 'b', atMs: 3, flags: 'RA', seq: 901, ack: 101 });
        },
      },
      {
        name: 'SYN then RST from the originator, no SYN-ACK',
        state: 'RSTOS0',
        build: (c) => {
          c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
          c.add({ from: 'a', atMs: 1, flags: 'R', seq: 101 });
        },
      },
      {
        name: 'close attempted by the originator only',
        state: 'S2',
        build: (c) => {
          handshake(c);
          c.add({ from: 'a', atMs: 3, flags: 'FA', seq: 101, ack: 901 });
        },
      },
      {
        name: 'mid-stream, no SYN seen',
        state: 'OTH',
        build: (c) => {
          c.add({ from: 'a', atMs: 0, flags: 'PA', seq: 5000, ack: 7000, length: 10 });
          c.add({ from: 'b', atMs: 1, flags: 'A', seq: 7000, ack: 5010 });
        },
      },
    ];
    for (const { name, build, state } of cases) {
      it(`${state}: ${name}`, () => {
        const c = new TcpConversation(CLIENT, SERVER);
        build(c);
        const row = only(analyze(packetsOf(c.frames)).connections.rows);
        expect(row.state).to.equal(state);
        expect(row.originator).to.equal('10.1.1.1:40000');
      });
    }

    it('conn_state is a pure function of the endpoint states (half-open SH)', () => {
      const facts = { originatorPayloadBytes: 0, responderPayloadBytes: 0, originatorSentSyn: true, responderSentSynAck: false };
      expect(connState({ ...facts, originatorState: EndpointState.CLOSED, responderState: EndpointState.INACTIVE })).to.equal('SH');
      expect(connState({ ...facts, originatorState: EndpointState.SYN_SENT, responderState: EndpointState.INACTIVE })).to.equal('S0');
    });

    it('a trace that starts with the SYN-ACK takes its receiver as the originator', () => {
      const c = new TcpConversation(SERVER, CLIENT);
      c.add({ from: 'a', atMs: 0, flags: 'SA', seq: 900, ack: 101 });
      c.add({ from: 'b', atMs: 1, flags: 'A', seq: 101, ack: 901 });
      const row = only(analyze(packetsOf(c.frames)).connections.rows);
      expect(row.originator).to.equal('10.1.1.1:40000');
      expect(row.responder).to.equal('10.2.2.2:21');
    });
  });

  describe('failure findings', () => {
    it('unanswered attempts and SYN retries: warnings per service, with the SYNs as evidence', () => {
      const c = new TcpConversation(CLIENT, { address: '10.2.2.2', port: 22807 });
      for (const at of [0, 3000, 9000, 21000]) c.add({ from: 'a', atMs: at, flags: 'S', seq: 100 });
      const report = analyze(packetsOf(c.frames));
      const [noAnswer] = findingsOf(report, 'connection.no_answer');
      expect(noAnswer).to.include({ severity: 'warning', count: 1 });
      expect(noAnswer!.subject.service).to.equal('10.2.2.2:22807');
      expect(noAnswer!.evidence.map((e) => e.frame)).to.deep.equal([1, 2, 3]);
      const [retries] = findingsOf(report, 'connection.syn_retries');
      expect(retries!.details['retries']).to.equal(3);
      // Evidence found when the connection closed is still listed in the packets table.
      expect(report.packets.rows.map((r) => r.frame)).to.include.members([1, 2, 3]);
      expect(report.ladders.map((l) => l.connection)).to.deep.equal(['10.1.1.1:40000 ↔ 10.2.2.2:22807']);
      expect(report.ladders[0]!.steps.rows.map((s) => s.arrow)).to.deep.equal(['right', 'right', 'right', 'right']);
    });

    it('refused attempts are a note, grouped per service', () => {
      const frames = [];
      for (let port = 1; port <= 3; port++) {
        const c = new TcpConversation({ address: '10.1.1.1', port: 40000 + port }, { address: '10.2.2.2', port: 9 });
        c.add({ from: 'a', atMs: port * 10, flags: 'S', seq: 100 });
        c.add({ from: 'b', atMs: port * 10 + 1, flags: 'RA', seq: 0, ack: 101, window: 0 });
        frames.push(...c.frames);
      }
      const report = analyze(packetsOf(frames));
      const rejected = findingsOf(report, 'connection.rejected');
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.include({ severity: 'note', count: 3 });
      expect(seriousFindings(report)).to.deep.equal([]);
      expect(report.connectionStates).to.deep.equal({ REJ: 3 });
    });

    it('a normal session has no failure findings', () => {
      const c = new TcpConversation(CLIENT, SERVER);
      handshake(c);
      c.add({ from: 'b', atMs: 3, flags: 'PA', seq: 901, ack: 101, length: 40 });
      c.add({ from: 'a', atMs: 4, flags: 'FA', seq: 101, ack: 941 });
      c.add({ from: 'b', atMs: 5, flags: 'FA', seq: 941, ack: 102 });
      c.add({ from: 'a', atMs: 6, flags: 'A', seq: 102, ack: 942 });
      const report = analyze(packetsOf(c.frames));
      expect(report.findings.filter((f) => f.category === 'connection')).to.deep.equal([]);
      expect(report.ladders).to.deep.equal([]);
    });
  });

  describe('summary columns', () => {
    it('server time vs network time: the FTP brute-force session SID 2 (0.0261 s server, 0.0007 s network)', () => {
      // exception-catalog E.6/B.4: attacker 69.181.135.56:1285 (the traced, local side) → 67.161.39.46:21.
      const c = new TcpConversation({ address: '69.181.135.56', port: 1285 }, { address: '67.161.39.46', port: 21 });
      const synOptions = [...TcpOption.mss(1460), 1, 1, ...TcpOption.sackPermitted()];
      c.add({ from: 'a', atMs: 0, flags: 'S', seq: 3093229813, window: 16384, options: synOptions });
      c.add({ from: 'b', atMs: 0.1, flags: 'SA', seq: 2000, ack: 3093229814, window: 65535, options: synOptions });
      c.add({ from: 'a', atMs: 22, flags: 'A', seq: 3093229814, ack: 2001, window: 17520 });
      c.add({ from: 'b', atMs: 22.6, flags: 'PA', seq: 2001, ack: 3093229814, length: 47 });
      c.add({ from: 'a', atMs: 26.8, flags: 'RA', seq: 3093229814, ack: 2048, window: 0 });
      const attackerSends = new Set([0, 2, 4]);
      const row = only(analyze(packetsOf(c.frames, { direction: (i) => (attackerSends.has(i) ? 'outbound' : 'inbound') })).connections.rows);
      expect(row.elapsedSec).to.be.closeTo(0.0268, 1e-9);
      expect(row.serverTimeSec).to.be.closeTo(0.0261, 1e-9);
      expect(row.networkTimeSec).to.be.closeTo(0.0007, 1e-9);
      expect([row.packetsOut, row.packetsIn]).to.deep.equal([3, 2]);
      // Datagram sizes as published: SYN 48, SYN-ACK 48, ACK 40, banner 87, RST 40.
      expect([row.bytesOut, row.bytesIn]).to.deep.equal([48 + 40 + 40, 48 + 87]);
      expect(row.state).to.equal('RSTO');
    });

    it('handshake RTT, MSS and window scale of the published handshake (RTT 0.18 s, WS 2 / 0)', () => {
      // exception-catalog E.2: 10.0.52.164:2646 (local) → 204.152.184.134:80.
      const c = new TcpConversation({ address: '10.0.52.164', port: 2646 }, { address: '204.152.184.134', port: 80 });
      const options = (ws: number) => [...TcpOption.mss(1460), ...TcpOption.windowScale(ws), 1, 1, ...TcpOption.sackPermitted()];
      c.add({ from: 'a', atMs: 0, flags: 'S', seq: 3087588094, options: options(2) });
      c.add({ from: 'b', atMs: 180, flags: 'SA', seq: 1218508629, ack: 3087588095, options: options(0) });
      c.add({ from: 'a', atMs: 181, flags: 'A', seq: 3087588095, ack: 1218508630 });
      const row = only(analyze(packetsOf(c.frames, { direction: (i) => (i === 1 ? 'inbound' : 'outbound') })).connections.rows);
      expect(row.rttMinMs).to.be.closeTo(180, 1e-6);
      expect(row.mss).to.equal('1460 / 1460');
      expect(row.windowScale).to.equal('2 / 0');
    });

    it('window scaling offered by one side only is "not used"', () => {
      const c = new TcpConversation(CLIENT, SERVER);
      c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100, options: [...TcpOption.mss(1460), ...TcpOption.windowScale(2)] });
      c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 900, ack: 101, options: TcpOption.mss(1380) });
      const row = only(analyze(packetsOf(c.frames)).connections.rows);
      expect(row.windowScale).to.equal('not used');
      expect(row.mss).to.equal('1460 / 1380');
    });

    it('zero-window time: the published 32.38 s stall, an error finding against the receiver', () => {
      // scenarios.md "Zero-window stall": the client's window reaches 0, the server probes, the client opens after 32.38 s.
      const c = new TcpConversation({ address: '10.0.52.164', port: 2550 }, { address: '61.8.0.17', port: 80 });
      handshake(c);
      c.add({ from: 'b', atMs: 10, flags: 'A', seq: 901, ack: 101, length: 1460 });
      c.add({ from: 'a', atMs: 1000, flags: 'A', seq: 101, ack: 2361, window: 0 });
      c.add({ from: 'b', atMs: 1667, flags: 'A', seq: 2360, ack: 101 });
      c.add({ from: 'a', atMs: 1668, flags: 'A', seq: 101, ack: 2361, window: 0 });
      c.add({ from: 'a', atMs: 33380, flags: 'A', seq: 101, ack: 2361, window: 940 });
      const report = analyze(packetsOf(c.frames));
      const row = only(report.connections.rows);
      expect(row.zeroWindowSec).to.be.closeTo(32.38, 1e-6);
      const [zeroWindow] = findingsOf(report, 'tcp.zero_window');
      expect(zeroWindow).to.include({ severity: 'error' });
      expect(zeroWindow!.details['longestStallSec']).to.be.closeTo(32.38, 1e-6);
      // The originator (the client) advertised the zero window: upper-case W in its history.
      expect(row.history).to.include('W');
    });

    it('response time: request to the first data of the answer, per service port', () => {
      const c = new TcpConversation(CLIENT, SERVER);
      handshake(c);
      c.add({ from: 'a', atMs: 10, flags: 'PA', seq: 101, ack: 901, length: 10 });
      c.add({ from: 'b', atMs: 260, flags: 'PA', seq: 901, ack: 111, length: 20 });
      c.add({ from: 'a', atMs: 300, flags: 'PA', seq: 111, ack: 921, length: 10 });
      c.add({ from: 'b', atMs: 1800, flags: 'PA', seq: 921, ack: 121, length: 20 });
      const report = analyze(packetsOf(c.frames));
      expect(report.responseTimes).to.have.length(1);
      expect(report.responseTimes[0]).to.deep.include({ service: 'tcp/21 (ftp)', requests: 2, minMs: 250, maxMs: 1500, avgMs: 875, overThreshold: 1 });
    });
  });

  it('a connection idle longer than connectionIdleSec is closed and listed while the trace goes on', () => {
    const idle = new TcpConversation(CLIENT, SERVER);
    handshake(idle);
    const later = new TcpConversation({ address: '10.1.1.1', port: 40001 }, SERVER);
    handshake(later, 120_000);
    const pipeline = new AnalysisPipeline(withOverrides({ connectionIdleSec: 60 }));
    const packets = packetsOf([...idle.frames, ...later.frames]);
    packets.slice(0, 3).forEach((p) => pipeline.observe(p, 0));
    expect(pipeline.openConnections).to.equal(1);
    packets.slice(3).forEach((p) => pipeline.observe(p, 0));
    expect(pipeline.openConnections).to.equal(1); // the first was closed when the second arrived 2 minutes later
    const report = pipeline.finish([{ path: 'test', kind: 'pcap', summary: null }]);
    expect(report.connections.rows.map((r) => r.originator)).to.deep.equal(['10.1.1.1:40000', '10.1.1.1:40001']);
  });

  it('an ended connection and an idle UDP flow are summarised after 30 s, an open idle connection is not', () => {
    const ended = new TcpConversation(CLIENT, SERVER);
    handshake(ended);
    ended.add({ from: 'a', atMs: 20, flags: 'FA', seq: 101, ack: 901 });
    ended.add({ from: 'b', atMs: 21, flags: 'FA', seq: 901, ack: 102 });
    ended.add({ from: 'a', atMs: 22, flags: 'A', seq: 102, ack: 902 });
    const open = new TcpConversation({ address: '10.1.1.1', port: 40001 }, SERVER);
    handshake(open);
    const later = new TcpConversation({ address: '10.1.1.1', port: 40002 }, SERVER);
    handshake(later, 40_000);
    const query = (port: number): Uint8Array => ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: 17, payload: udp(port, 53, 30) });
    const pipeline = new AnalysisPipeline(withOverrides({}));
    const packets = [...packetsOf([...ended.frames, ...open.frames]), packet(query(5353), { at: 0.5 }), ...packetsOf(later.frames), packet(query(5354), { at: 40.5 })];
    packets.sort((x, y) => x.timeSec - y.timeSec || x.timeNsec - y.timeNsec);
    const firstLater = packets.length - later.frames.length - 1;
    packets.slice(0, firstLater).forEach((p) => pipeline.observe(p, 0));
    expect(pipeline.openConnections).to.equal(3);
    packets.slice(firstLater).forEach((p) => pipeline.observe(p, 0));
    expect(pipeline.openConnections, 'the open connection, the new one and the new flow').to.equal(3);
    const report = pipeline.finish([{ path: 'test', kind: 'pcap', summary: null }]);
    const rows = report.connections.rows.map((r) => [r.protocol, r.originator, r.state]);
    expect(rows.slice(0, 2), 'closed while the trace went on, before the end').to.have.deep.members([
      ['tcp', '10.1.1.1:40000', 'SF'],
      ['udp', '10.1.1.1:5353', '-'],
    ]);
  });

  it('UDP flows: packets and bytes each way, originator first', () => {
    const query = ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: 17, payload: udp(5353, 53, 30) });
    const answer = ipv4({ source: '10.2.2.2', destination: '10.1.1.1', protocol: 17, payload: udp(53, 5353, 90) });
    const report = analyze([packet(query, { at: 0 }), packet(answer, { at: 0.01 }), packet(query, { at: 1 })]);
    const row = only(report.connections.rows);
    expect(row).to.deep.include({ protocol: 'udp', originator: '10.1.1.1:5353', responder: '10.2.2.2:53', packetsOut: 2, packetsIn: 1, bytesOut: 2 * query.length, bytesIn: answer.length, state: '-' });
    expect(row.elapsedSec).to.equal(1);
  });
});
