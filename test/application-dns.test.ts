import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DnsHeader, readDnsHeader, readDnsName, readFirstQuestion } from '../src/analysis/application/dns-message.js';
import { labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import {
  DnsType,
  TcpScript,
  dnsErrors,
  dnsMessage,
  dnsRoutingProblem,
  echoRequest,
  frameAt,
  icmpError,
  inTimeOrder,
  udpDatagram,
  unixSeconds,
} from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const START = unixSeconds('2024-05-06T09:00:00Z');
const CLIENT = '10.20.30.40';
const SERVER = '10.1.1.53';

function query(atMs: number, id: number, name: string, port = 50000, server = SERVER): BuiltFrame {
  return frameAt(START, atMs, udpDatagram(CLIENT, port, server, 53, dnsMessage({ id, name }), { id: id & 0xffff }));
}

function answer(atMs: number, id: number, name: string, spec: { rcode?: number; truncated?: boolean; answers?: string[] } = {}, port = 50000): BuiltFrame {
  return frameAt(START, atMs, udpDatagram(SERVER, 53, CLIENT, port, dnsMessage({ id, name, response: true, ...spec })));
}

describe('DNS message reading', () => {
  it('reads the header flags and the first question, following a compression pointer', () => {
    const message = dnsMessage({ id: 0x1234, name: 'www.example.org', response: true, rcode: 5, truncated: true, authoritative: true });
    const header = new DnsHeader();
    expect(readDnsHeader(message, 0, message.length, header)).to.equal(true);
    expect([header.id, header.isResponse, header.rcode, header.truncated, header.authoritative, header.recursionDesired]).to.deep.equal([0x1234, true, 5, true, true, true]);
    expect(readFirstQuestion(message, 0, message.length)).to.deep.include({ name: 'www.example.org', type: DnsType.A });
    // An answer's owner name is a pointer to offset 12 (the question's name).
    const withAnswer = dnsMessage({ id: 1, name: 'mvs1.example.com', response: true, answers: ['192.0.2.1'] });
    const answerAt = 12 + 'mvs1.example.com'.length + 2 + 4;
    expect(readDnsName(withAnswer, 0, answerAt, withAnswer.length)).to.deep.equal({ name: 'mvs1.example.com', next: answerAt + 2 });
  });

  it('refuses a pointer loop, a name running past the message, and reserved label types', () => {
    const loop = new Uint8Array([...new Array<number>(12).fill(0), 0xc0, 12]);
    expect(readDnsName(loop, 0, 12, loop.length)).to.equal(null);
    const cut = new Uint8Array([...new Array<number>(12).fill(0), 10, 0x61, 0x62]);
    expect(readDnsName(cut, 0, 12, cut.length)).to.equal(null);
    const reserved = new Uint8Array([...new Array<number>(12).fill(0), 0x40, 0]);
    expect(readDnsName(reserved, 0, 12, reserved.length)).to.equal(null);
    expect(readDnsHeader(new Uint8Array(11), 0, 11, new DnsHeader())).to.equal(false);
  });
});

describe('DNS findings', () => {
  it('error rcodes by server and code (case E.8): Name Error a note, Server Failure a warning', () => {
    const findings = runAnalyzers(dnsErrors().frames);
    const rcodes = ofRule(findings, 'dns.error_rcode').map((f) => [f.subject.host, f.details['rcodeName'], f.severity, f.count]);
    expect(rcodes).to.have.deep.members([
      ['192.168.0.254', 'Name Error', 'note', 3],
      ['192.168.0.254', 'Server Failure', 'warning', 3],
      ['192.168.200.51', 'Server Failure', 'warning', 1],
    ]);
    const nxdomain = ofRule(findings, 'dns.error_rcode').find((f) => f.details['rcode'] === 3);
    expect(nxdomain?.details['names']).to.include('109.1.168.192.in-addr.arpa PTR');
    expect(nxdomain?.details['clients']).to.deep.equal(['192.168.1.100']);
  });

  it('unanswered queries with their retries (case E.8): ports 1183 ×4 and 1187 ×3 to 192.168.200.51', () => {
    const [unanswered, ...more] = ofRule(runAnalyzers(dnsErrors().frames), 'dns.unanswered');
    expect(more).to.deep.equal([]);
    expect(unanswered?.subject.host).to.equal('192.168.200.51');
    expect(unanswered?.details['queries']).to.equal(2);
    expect(unanswered?.details['sends']).to.equal(7);
    expect(unanswered?.severity).to.equal('warning');
    expect(unanswered?.details['names']).to.have.members(['tso.example.com A', 'cics.example.com A']);
  });

  it('answered queries, and a query at the very end of the trace, are not unanswered; one lost query is a note', () => {
    const answered = [query(0, 1, 'a.example'), answer(30, 1, 'a.example', { answers: ['192.0.2.1'] })];
    expect(summary(runAnalyzers(answered))).to.deep.equal([]);
    const atEnd = [query(0, 1, 'a.example'), answer(30, 1, 'a.example'), query(5000, 2, 'b.example')];
    expect(ofRule(runAnalyzers(atEnd), 'dns.unanswered'), 'only 0 s before the end').to.deep.equal([]);
    const lost = [query(0, 2, 'b.example'), query(2500, 3, 'c.example'), answer(2530, 3, 'c.example')];
    const [note] = ofRule(runAnalyzers(lost), 'dns.unanswered');
    expect(note?.severity).to.equal('note');
    expect(note?.details['sends']).to.equal(1);
  });

  it('queries answered by ICMP TTL exceeded from a router (case E.9): one error, all three servers', () => {
    const findings = runAnalyzers(dnsRoutingProblem().frames);
    const [routing, ...more] = ofRule(findings, 'dns.query_icmp_error');
    expect(more).to.deep.equal([]);
    expect(routing?.severity).to.equal('error');
    expect(routing?.subject.host).to.equal('207.33.247.70');
    expect(routing?.details['servers']).to.have.members(['204.156.128.1', '204.156.128.10', '204.156.128.20']);
    expect(routing?.details['reportedBy']).to.deep.equal(['207.33.247.65']);
    expect(routing?.details['icmp']).to.deep.equal(['TTL exceeded in transit']);
    expect(routing?.details['names']).to.deep.equal(['www.netanalysis.org A']);
    expect(routing?.title).to.contain('none of 3 DNS servers reachable');
    // Each ICMP error sits next to the query it answers in the evidence.
    expect(routing?.evidence.slice(0, 2).map((e) => e.note)).to.deep.equal(['query www.netanalysis.org A', 'TTL exceeded in transit from 207.33.247.65 for the query to 204.156.128.1']);
    expect(ofRule(findings, 'dns.unanswered'), 'the ICMP errors explain them').to.deep.equal([]);
  });

  it('a port unreachable answering one query names that server; the ID in a long quote picks the query', () => {
    const first = udpDatagram(CLIENT, 50000, SERVER, 53, dnsMessage({ id: 77, name: 'down.example' }));
    const second = udpDatagram(CLIENT, 50000, SERVER, 53, dnsMessage({ id: 78, name: 'other.example' }));
    // The error quotes the whole first query: its ID (77) says which of the two it answers.
    const frames = [frameAt(START, 0, first), frameAt(START, 1, second), frameAt(START, 2, icmpError(SERVER, first, 3, 3, 0, first.length))];
    const findings = runAnalyzers(frames);
    const [finding] = ofRule(findings, 'dns.query_icmp_error');
    expect(finding?.title).to.not.contain('none of');
    expect(finding?.details['icmp']).to.deep.equal(['port unreachable']);
    expect(finding?.details['names']).to.deep.equal(['down.example A']);
  });

  it('a TTL exceeded for a traceroute probe is not a DNS finding', () => {
    const probe = echoRequest(CLIENT, '192.0.2.99', 1, 1, { ttl: 1 });
    const frames = [frameAt(START, 0, probe), frameAt(START, 2, icmpError('10.20.30.1', probe, 11, 0))];
    const findings = runAnalyzers(frames);
    expect(ofRule(findings, 'dns.query_icmp_error')).to.deep.equal([]);
    expect(ofRule(findings, 'icmp.time_exceeded')[0]?.severity, 'traceroute is expected').to.equal('note');
  });

  it('a truncated answer not retried over TCP is a note; one retried is not a finding', () => {
    const truncated = [query(0, 9, 'big.example'), answer(20, 9, 'big.example', { truncated: true }), query(9000, 10, 'later.example'), answer(9010, 10, 'later.example')];
    const [note] = ofRule(runAnalyzers(truncated), 'dns.truncated');
    expect(note?.severity).to.equal('note');
    expect(note?.details['names']).to.deep.equal(['big.example A']);
    const retry = new TcpScript({ address: CLIENT, port: 50001 }, { address: SERVER, port: 53 }, START, 1000, 2000);
    retry.handshake(40);
    const retried = inTimeOrder([query(0, 9, 'big.example'), answer(20, 9, 'big.example', { truncated: true }), query(9000, 10, 'later.example'), answer(9010, 10, 'later.example')], retry.frames);
    expect(ofRule(runAnalyzers(retried), 'dns.truncated')).to.deep.equal([]);
  });

  it('DNS over TCP: a length-prefixed response with Refused is read', () => {
    const tcp = new TcpScript({ address: CLIENT, port: 50002 }, { address: SERVER, port: 53 }, START, 1000, 2000);
    const prefixed = (message: Uint8Array): Uint8Array => new Uint8Array([message.length >> 8, message.length & 0xff, ...message]);
    tcp.handshake(0).send('a', 10, prefixed(dnsMessage({ id: 5, name: 'example.org', type: 252 }))).send('b', 20, prefixed(dnsMessage({ id: 5, name: 'example.org', type: 252, response: true, rcode: 5 })));
    const [refused] = ofRule(runAnalyzers(tcp.frames), 'dns.error_rcode');
    expect(refused?.details['rcodeName']).to.equal('Refused');
    expect(refused?.details['names']).to.deep.equal(['example.org AXFR']);
    expect(refused?.severity).to.equal('warning');
  });
});

describe('DNS decode matches tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-dns-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const scenario of [dnsErrors(), dnsRoutingProblem()]) {
    it(`${scenario.name}: id, query/response, rcode, name and type of every DNS message`, async function () {
      if (!HAVE_TSHARK) this.skip();
      const path = join(scratch, `${scenario.name.replace(/\W+/g, '-')}.pcap`);
      await writeFrames(path, scenario.frames);
      const ours = labels(scenario.frames);
      // ICMP errors quote DNS, which tshark decodes too: only the DNS messages themselves are compared.
      const rows = tsharkFields(path, ['frame.number', 'dns.flags.response', 'dns.flags.rcode', 'dns.qry.name', 'dns.qry.type'], { filter: 'dns and not icmp' });
      expect(rows.length).to.be.greaterThan(10);
      for (const [frame, response, rcode, name, type] of rows) {
        const kind = response === 'True' || response === '1' ? 'response' : 'query';
        const label = ours[Number(frame)] ?? '';
        expect(label.startsWith(`dns ${kind}`), `frame ${frame}: ${label}`).to.equal(true);
        expect(label.endsWith(` ${name}`), `frame ${frame}: ${label} vs ${name}`).to.equal(true);
        const rcodeNames: Record<string, string> = { '0': 'No Error', '2': 'Server Failure', '3': 'Name Error' };
        if (kind === 'response') expect(label, `frame ${frame}`).to.contain(rcodeNames[rcode ?? ''] ?? `?${rcode}`);
        const typeNames: Record<string, string> = { '1': 'A', '12': 'PTR' };
        expect(label, `frame ${frame}`).to.contain(` ${typeNames[type ?? ''] ?? `?${type}`} `);
      }
    });
  }
});
