import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { IcmpMessage, readIcmpMessage } from '../src/net/icmp-message.js';
import { type HarnessFrame, labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import { TcpScript, echoRequest, frameAt, ftpPortNoDataConnection, icmpError, inTimeOrder, ipDatagram, udpDatagram, unixSeconds } from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const REAL_MIXED = new URL('./fixtures/real-mixed.pcap', import.meta.url).pathname;
const START = unixSeconds('2024-05-06T11:00:00Z');
const HOST = '10.20.30.40';
const ROUTER = '10.20.30.1';
const FAR = '192.0.2.80';
const HOST6 = '2001:db8:1::40';
const ROUTER6 = '2001:db8:1::1';
const FAR6 = '2001:db8:9::80';

function tcpSyn(source: string, destination: string, port: number): Uint8Array {
  const s = new TcpScript({ address: source, port: 40000 }, { address: destination, port }, START, 1, 0);
  s.syn(0);
  return s.frames[0]!.data;
}

/** One of each ICMP and ICMPv6 error the analyzer reports, and an echo pair that it must not. */
function icmpZoo(): BuiltFrame[] {
  const udp = udpDatagram(HOST, 33000, FAR, 161, new Uint8Array(20));
  const big = ipDatagram(HOST, FAR, 6, new Uint8Array(1460), { dontFragment: true });
  const udp6 = udpDatagram(HOST6, 33000, FAR6, 514, new Uint8Array(20));
  const big6 = udpDatagram(HOST6, 33001, FAR6, 2049, new Uint8Array(1400));
  const errors: Uint8Array[] = [
    icmpError(FAR, udp, 3, 3),
    icmpError(FAR, udp, 3, 3),
    icmpError(ROUTER, big, 3, 4, 1400),
    icmpError(ROUTER, tcpSyn(HOST, FAR, 23), 3, 13),
    icmpError(ROUTER, tcpSyn(HOST, FAR, 80), 3, 1),
    icmpError(ROUTER, udp, 11, 0),
    icmpError(ROUTER, udpDatagram(HOST, 33000, '198.51.100.7', 53, new Uint8Array(20)), 11, 0),
    icmpError(ROUTER, udp, 5, 1, 0x0a141e02), // redirect to 10.20.30.2
    icmpError(ROUTER, udp, 12, 0, 0x14000000),
    icmpError(FAR6, udp6, 1, 4, 0, 48),
    icmpError(ROUTER6, big6, 2, 0, 1280, 1232),
    icmpError(ROUTER6, udp6, 1, 1, 0, 48),
    echoRequest(HOST, FAR, 7, 1),
    echoRequest(HOST6, FAR6, 7, 1),
  ];
  return errors.map((data, i) => frameAt(START, i * 10, data));
}

describe('ICMP message reading', () => {
  it('reads type, code, MTU, gateway and where the quote starts', () => {
    const m = new IcmpMessage();
    const udp = udpDatagram(HOST, 1, FAR, 2, new Uint8Array(4));
    const frag = icmpError(ROUTER, udp, 3, 4, 1400);
    expect(readIcmpMessage(frag, 20, frag.length, 4, m)).to.equal(true);
    expect([m.type, m.code, m.mtu, m.quotedOffset]).to.deep.equal([3, 4, 1400, 28]);
    const redirect = icmpError(ROUTER, udp, 5, 1, 0x0a141e02);
    readIcmpMessage(redirect, 20, redirect.length, 4, m);
    expect([...redirect.subarray(m.gatewayOffset, m.gatewayOffset + 4)]).to.deep.equal([10, 20, 30, 2]);
    const echo = echoRequest(HOST, FAR, 1, 1);
    readIcmpMessage(echo, 20, echo.length, 4, m);
    expect([m.type, m.quotedOffset, m.mtu]).to.deep.equal([8, -1, -1]);
    expect(readIcmpMessage(echo, 20, 21, 4, m), 'one byte only').to.equal(false);
  });
});

describe('ICMP findings', () => {
  const findings = runAnalyzers(icmpZoo());
  const byRule = (rule: string): string[] => ofRule(findings, rule).map((f) => `${f.severity} ${f.title}`);

  it('port unreachable per service, counted: IPv4 UDP 161 twice, IPv6 UDP 514 once', () => {
    expect(byRule('icmp.port_unreachable')).to.have.members([
      'warning Port unreachable: 192.0.2.80 UDP port 161 not listening (2 times)',
      'warning Port unreachable: 2001:db8:9::80 UDP port 514 not listening (1 time)',
    ]);
  });

  it('fragmentation needed and packet too big carry the MTU', () => {
    const mtus = ofRule(findings, 'icmp.fragmentation_needed').map((f) => [f.subject.host, f.details['mtu']]);
    expect(mtus).to.have.deep.members([
      [ROUTER, 1400],
      [ROUTER6, 1280],
    ]);
  });

  it('administratively prohibited (IPv4 code 13, ICMPv6 code 1) names the filtered service', () => {
    expect(byRule('icmp.admin_prohibited')).to.have.members([
      'warning Administratively prohibited: 10.20.30.1 filters traffic to 192.0.2.80 TCP port 23 (1 time)',
      'warning Administratively prohibited: 2001:db8:1::1 filters traffic to 2001:db8:9::80 UDP port 514 (1 time)',
    ]);
  });

  it('other unreachables, time exceeded per router, redirects with the gateway, parameter problems', () => {
    expect(byRule('icmp.destination_unreachable')).to.deep.equal(['warning Destination unreachable (host unreachable): 10.20.30.1 cannot reach 192.0.2.80 (1 time)']);
    expect(byRule('icmp.time_exceeded')).to.deep.equal(['warning Time exceeded (TTL exceeded in transit) at 10.20.30.1 on the way to 192.0.2.80, 198.51.100.7 (2 times)']);
    expect(ofRule(findings, 'icmp.redirect')[0]?.details['gateway']).to.equal('10.20.30.2');
    expect(byRule('icmp.parameter_problem')).to.have.length(1);
  });

  it('echo requests and replies are no finding; every finding is about an error the zoo holds', () => {
    const icmp = findings.filter((f) => f.rule.startsWith('icmp.'));
    expect(icmp.reduce((n, f) => n + f.count, 0)).to.equal(12);
    // The TTL exceeded quoting a datagram to port 53 is also tied to DNS.
    expect(findings.filter((f) => !f.rule.startsWith('icmp.')).map((f) => f.rule)).to.deep.equal(['dns.query_icmp_error']);
    expect(summary(runAnalyzers([frameAt(START, 0, echoRequest(HOST, FAR, 1, 1)), frameAt(START, 1, echoRequest(HOST6, FAR6, 1, 1))]))).to.deep.equal([]);
  });

  it('the SNMP requests to the stack itself (case E.3) are one port-unreachable finding for UDP 161', () => {
    const [finding] = ofRule(runAnalyzers(ftpPortNoDataConnection().frames), 'icmp.port_unreachable');
    expect(finding?.count).to.equal(3);
    expect(finding?.details['service']).to.equal('UDP port 161');
  });

  it('real traffic: the two datagrams to closed port 9 (IPv4 and IPv6) and nothing for the pings', async () => {
    const frames: HarnessFrame[] = [];
    for await (const f of readCaptureFile(REAL_MIXED)) frames.push({ data: f.data.slice(), originalLength: f.originalLength, timeSec: f.timeSec, timeNsec: f.timeNsec, linkType: f.linkType });
    const real = runAnalyzers(frames);
    expect(summary(real).filter((line) => !line.startsWith('icmp.port_unreachable'))).to.deep.equal([]);
    expect(ofRule(real, 'icmp.port_unreachable').map((f) => f.details['service'])).to.deep.equal(['UDP port 9', 'UDP port 9']);
  });
});

describe('ICMP decode matches tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-icmp-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('type, code and MTU of every message, and the label names the code', async function () {
    if (!HAVE_TSHARK) this.skip();
    const frames = inTimeOrder(icmpZoo());
    const path = join(scratch, 'icmp.pcap');
    await writeFrames(path, frames);
    const ours = labels(frames);
    const m = new IcmpMessage();
    const rows = tsharkFields(path, ['frame.number', 'icmp.type', 'icmp.code', 'icmp.mtu', 'icmpv6.type', 'icmpv6.code', 'icmpv6.mtu']);
    expect(rows).to.have.length(frames.length);
    for (const [frame, type4, code4, mtu4, type6, code6, mtu6] of rows) {
      const data = frames[Number(frame) - 1]!.data;
      const v6 = (data[0] ?? 0) >> 4 === 6;
      readIcmpMessage(data, v6 ? 40 : 20, data.length, v6 ? 6 : 4, m);
      // Fields of the quoted packet repeat after the first: the message's own come first.
      const [type, code, mtu] = v6 ? [type6, code6, mtu6] : [type4, code4, mtu4];
      expect([String(m.type), String(m.code)], `frame ${frame}`).to.deep.equal([type?.split(',')[0], code?.split(',')[0]]);
      expect(m.mtu >= 0 ? String(m.mtu) : '', `frame ${frame} mtu`).to.equal(mtu ?? '');
      expect(ours[Number(frame)], `frame ${frame}`).to.match(v6 ? /^icmpv6 / : /^icmp /);
    }
  });
});
