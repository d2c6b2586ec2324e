import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readSnmpMessage } from '../src/analysis/application/snmp-message.js';
import { labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import {
  DhcpType,
  TcpScript,
  TlsVersion,
  clientHello,
  dhcpMessage,
  dnsMessage,
  frameAt,
  ftpControlSession,
  icmpError,
  netbiosNameQuery,
  snmpGetRequest,
  snmpV3Message,
  tlsAlert,
  udpDatagram,
  unixSeconds,
} from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const START = unixSeconds('2024-05-06T13:00:00Z');
const A = '10.20.30.40';
const B = '10.1.1.10';

function udpFrame(atMs: number, sourcePort: number, destinationPort: number, payload: Uint8Array, source = A, destination = B): BuiltFrame {
  return frameAt(START, atMs, udpDatagram(source, sourcePort, destination, destinationPort, payload));
}

/** One packet of each kind the labels name, in the words the packets table shows. */
function labelled(): [BuiltFrame, string | null][] {
  const ftp = ftpControlSession({ address: A, port: 40100 }, { address: B, port: 21 }, START, 0, [
    ['c', 'USER ftpuser'],
    ['s', '230 FTPUSER is logged on.'],
  ]).script.frames;
  const tls = new TcpScript({ address: A, port: 40200 }, { address: B, port: 443 }, START, 1, 1);
  tls.handshake(0).send('a', 5, clientHello(TlsVersion.TLS12)).send('b', 6, tlsAlert(TlsVersion.TLS12, 2, 40));
  const tn3270 = new TcpScript({ address: A, port: 1215 }, { address: B, port: 23 }, START, 1, 1);
  tn3270
    .send('b', 0, new Uint8Array([0xff, 0xfd, 0x28]))
    .send('b', 1, new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x01, 0xf5, 0xc3, 0x11, 0x40, 0x40, 0xff, 0xef]))
    .send('a', 2, new Uint8Array([0x7d, 0x40, 0x40, 0xff, 0xef]))
    .send('a', 3, 'ls\r\n');
  const query = udpDatagram(A, 33000, B, 53, dnsMessage({ id: 1, name: 'www.example.org' }));
  return [
    [ftp[4]!, 'ftp command USER'],
    [ftp[5]!, 'ftp reply code 230'],
    [ftp[1]!, null],
    [frameAt(START, 0, query), 'dns query A www.example.org'],
    [udpFrame(1, 53, 33000, dnsMessage({ id: 1, name: 'nowhere.example', response: true, rcode: 3, truncated: true }), B, A), 'dns response Name Error A nowhere.example truncated'],
    [udpFrame(2, 68, 67, dhcpMessage({ type: DhcpType.DISCOVER, xid: 0x06e32864, clientMac: '00:0c:29:1f:74:06' })), 'dhcp DISCOVER xid 0x06E32864'],
    [frameAt(START, 3, icmpError(B, query, 3, 3)), 'icmp port unreachable'],
    [frameAt(START, 4, icmpError('10.20.30.1', query, 3, 4, 1400)), 'icmp fragmentation needed mtu 1400'],
    [tls.frames[4]!, 'tls alert handshake_failure'],
    [tls.frames[3]!, 'tls client_hello'],
    [udpFrame(5, 14280, 161, snmpGetRequest('public')), 'snmp get community public'],
    [udpFrame(6, 14281, 161, snmpGetRequest('s3cr3tC0mm', 1)), 'snmp get community (10 characters, not shown)'],
    [udpFrame(7, 14282, 161, snmpV3Message()), 'snmp v3'],
    [udpFrame(8, 137, 137, netbiosNameQuery(0x8123, 'WORKGROUP', 0x1d), A, '10.20.30.255'), 'netbios name query WORKGROUP<1d> broadcast'],
    [tn3270.frames[0]!, 'telnet negotiation'],
    [tn3270.frames[1]!, 'tn3270e 3270-data'],
    [tn3270.frames[2]!, 'tn3270'],
    [tn3270.frames[3]!, 'telnet 4 bytes'],
    [udpFrame(9, 40000, 5000, new Uint8Array(10)), null],
  ];
}

describe('Packet labels (the packets table message)', () => {
  const cases = labelled();
  for (const [index, [frame, expected]] of cases.entries()) {
    it(`${expected ?? 'nothing to label'} (${index + 1})`, () => {
      expect(labels([frame])[1]).to.equal(expected);
    });
  }
});

describe('SNMP community strings', () => {
  it('reads version, community and PDU; SNMPv3 has no community', () => {
    const v1 = snmpGetRequest('public');
    expect(readSnmpMessage(v1, 0, v1.length)).to.deep.equal({ version: 0, community: 'public', pduTag: 0xa0 });
    const v3 = snmpV3Message();
    expect(readSnmpMessage(v3, 0, v3.length)).to.deep.equal({ version: 3, community: null, pduTag: -1 });
    expect(readSnmpMessage(v1, 0, 10), 'cut inside').to.equal(null);
  });

  it('a community in clear is a note per agent; a non-default community is never written out', () => {
    const findings = runAnalyzers([udpFrame(0, 14280, 161, snmpGetRequest('public')), udpFrame(1, 14281, 161, snmpGetRequest('public')), udpFrame(2, 14282, 161, snmpGetRequest('s3cr3tC0mm', 1)), udpFrame(3, 14283, 161, snmpV3Message())]);
    const notes = ofRule(findings, 'snmp.community_in_clear');
    expect(notes.map((f) => [f.severity, f.details['community'], f.count])).to.deep.equal([
      ['note', 'public', 2],
      ['note', '(10 characters, not shown)', 1],
    ]);
    expect(JSON.stringify(findings)).to.not.contain('s3cr3t');
    expect(summary(runAnalyzers([udpFrame(0, 14283, 161, snmpV3Message())]))).to.deep.equal([]);
  });
});

describe('SNMP and NetBIOS labels match tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-labels-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('snmp.version, snmp.community, the PDU; nbns.name and opcode', async function () {
    if (!HAVE_TSHARK) this.skip();
    const frames = [udpFrame(0, 14280, 161, snmpGetRequest('public')), udpFrame(1, 14281, 161, snmpGetRequest('private', 1)), udpFrame(2, 137, 137, netbiosNameQuery(0x8123, 'ZOSGROUP', 0x1d), A, '10.20.30.255')];
    const path = join(scratch, 'labels.pcap');
    await writeFrames(path, frames);
    const ours = labels(frames);
    const rows = tsharkFields(path, ['frame.number', 'snmp.version', 'snmp.community', 'snmp.data', 'nbns.name', 'nbns.flags.opcode', 'nbns.flags.broadcast']);
    const pdus = ['get', 'getnext', 'response', 'set'];
    for (const [frame, version, community, pdu, name, opcode, broadcast] of rows) {
      const label = ours[Number(frame)];
      if (community !== '') {
        expect(label, `frame ${frame} (tshark: ${community})`).to.equal(`snmp ${pdus[Number(pdu)]} community ${community}`);
        const data = frames[Number(frame) - 1]!.data;
        expect(readSnmpMessage(data, 28, data.length)?.version, `frame ${frame} version`).to.equal(Number(version));
      } else {
        // tshark writes "ZOSGROUP<1d>"; the opcode 0 is a query.
        expect(opcode).to.equal('0');
        expect(label).to.equal(`netbios name query ${name}${broadcast === 'True' || broadcast === '1' ? ' broadcast' : ''}`);
      }
    }
    expect(rows).to.have.length(3);
  });
});
