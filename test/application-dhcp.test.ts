import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DhcpMessage, readDhcpMessage } from '../src/analysis/application/dhcp-message.js';
import { labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import { type DhcpSpec, DhcpType, dhcpDecline, dhcpMessage, dhcpNormal, dhcpNormalAndDecline, frameAt, udpDatagram, unixSeconds } from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const START = unixSeconds('2024-05-06T10:00:00Z');
const MAC = '02:00:5e:10:00:99';

function fromClient(atMs: number, type: number, xid: number, extra: Partial<DhcpSpec> = {}): BuiltFrame {
  return frameAt(START, atMs, udpDatagram('0.0.0.0', 68, '255.255.255.255', 67, dhcpMessage({ type, xid, clientMac: MAC, ...extra })));
}

function fromServer(atMs: number, type: number, xid: number, yourAddress = '10.9.9.50'): BuiltFrame {
  return frameAt(START, atMs, udpDatagram('10.9.9.1', 67, '255.255.255.255', 68, dhcpMessage({ type, xid, clientMac: MAC, yourAddress, serverIdentifier: '10.9.9.1' })));
}

describe('DHCP message reading', () => {
  it('reads the fixed fields and options 53, 50 and 54; refuses a wrong magic cookie', () => {
    const bytes = dhcpMessage({ type: DhcpType.DECLINE, xid: 0xed63f236, clientMac: '00:1b:9e:70:10:42', requestedAddress: '192.168.0.104', serverIdentifier: '192.168.0.1' });
    const m = new DhcpMessage();
    expect(readDhcpMessage(bytes, 0, bytes.length, m)).to.equal(true);
    expect([m.op, m.xid, m.messageType, m.hardwareLength]).to.deep.equal([1, 0xed63f236, 4, 6]);
    expect([...bytes.subarray(m.requestedAddressAt, m.requestedAddressAt + 4)]).to.deep.equal([192, 168, 0, 104]);
    expect([...bytes.subarray(m.serverIdentifierAt, m.serverIdentifierAt + 4)]).to.deep.equal([192, 168, 0, 1]);
    const damaged = bytes.slice();
    damaged[236] = 0;
    expect(readDhcpMessage(damaged, 0, damaged.length, m)).to.equal(false);
    expect(readDhcpMessage(bytes, 0, 239, m), 'cut before the options').to.equal(false);
  });
});

describe('DHCP findings', () => {
  it('a normal DISCOVER, OFFER, REQUEST, ACK exchange (case E.7) gives nothing', () => {
    expect(summary(runAnalyzers(dhcpNormal().frames))).to.deep.equal([]);
  });

  it('a DECLINE (case E.7): a warning naming the client, the address and the transaction', () => {
    const findings = runAnalyzers(dhcpNormalAndDecline().frames);
    const [decline, ...more] = ofRule(findings, 'dhcp.decline');
    expect(more).to.deep.equal([]);
    expect(decline?.severity).to.equal('warning');
    expect(decline?.subject.host).to.equal('00:1b:9e:70:10:42');
    expect(decline?.details['addresses']).to.deep.equal(['192.168.0.104']);
    expect(decline?.details['transactions']).to.deep.equal(['0xED63F236']);
    expect(decline?.details['servers']).to.deep.equal(['192.168.0.1']);
    expect(summary(findings)).to.have.length(1);
    expect(decline?.evidence.map((e) => e.frame)).to.deep.equal([dhcpNormalAndDecline().frames.length]);
  });

  it('a NAK is a warning naming the server', () => {
    const frames = [fromClient(0, DhcpType.REQUEST, 0x1111, { requestedAddress: '10.1.1.77' }), fromServer(5, DhcpType.NAK, 0x1111, '0.0.0.0')];
    const [nak] = ofRule(runAnalyzers(frames), 'dhcp.nak');
    expect(nak?.severity).to.equal('warning');
    expect(nak?.details['servers']).to.deep.equal(['10.9.9.1']);
    expect(ofRule(runAnalyzers(frames), 'dhcp.incomplete'), 'a NAK answers the REQUEST').to.deep.equal([]);
  });

  it('DISCOVERs never answered: an incomplete exchange, counted once with its retries', () => {
    const frames = [fromClient(0, DhcpType.DISCOVER, 0x2222), fromClient(4000, DhcpType.DISCOVER, 0x2222), fromClient(12000, DhcpType.DISCOVER, 0x2222), fromClient(30000, DhcpType.RELEASE, 0x3333)];
    const [incomplete, ...more] = ofRule(runAnalyzers(frames), 'dhcp.incomplete');
    expect(more).to.deep.equal([]);
    expect(incomplete?.count).to.equal(1);
    expect(incomplete?.details['stoppedAt']).to.deep.equal(['DISCOVER without OFFER']);
    expect(incomplete?.evidence).to.have.length(3);
  });

  it('an OFFER never requested and a REQUEST never acknowledged are incomplete too', () => {
    const offered = [fromClient(0, DhcpType.DISCOVER, 0x4444), fromServer(10, DhcpType.OFFER, 0x4444), fromClient(20000, DhcpType.RELEASE, 0x5555)];
    expect(ofRule(runAnalyzers(offered), 'dhcp.incomplete')[0]?.details['stoppedAt']).to.deep.equal(['OFFER without REQUEST']);
    const requested = [fromClient(0, DhcpType.REQUEST, 0x6666, { requestedAddress: '10.9.9.50' }), fromClient(20000, DhcpType.RELEASE, 0x5555)];
    expect(ofRule(runAnalyzers(requested), 'dhcp.incomplete')[0]?.details['stoppedAt']).to.deep.equal(['REQUEST without ACK or NAK']);
  });

  it('an exchange cut by the end of the trace, and a renewal answered by ACK, are not incomplete', () => {
    expect(summary(runAnalyzers([fromClient(0, DhcpType.DISCOVER, 0x7777), fromClient(1000, DhcpType.DISCOVER, 0x7777)]))).to.deep.equal([]);
    const renewal = [
      frameAt(START, 0, udpDatagram('10.9.9.50', 68, '10.9.9.1', 67, dhcpMessage({ type: DhcpType.REQUEST, xid: 0x8d716e0f, clientMac: MAC, clientAddress: '10.9.9.50' }))),
      frameAt(START, 840, udpDatagram('10.9.9.1', 67, '10.9.9.50', 68, dhcpMessage({ type: DhcpType.ACK, xid: 0x8d716e0f, clientMac: MAC, yourAddress: '10.9.9.50' }))),
      fromClient(20000, DhcpType.RELEASE, 0x1),
    ];
    expect(summary(runAnalyzers(renewal))).to.deep.equal([]);
  });
});

describe('DHCP decode matches tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-dhcp-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('message type, transaction ID and offered address of every message of case E.7', async function () {
    if (!HAVE_TSHARK) this.skip();
    const frames = [...dhcpNormal().frames, ...dhcpDecline().frames];
    const path = join(scratch, 'dhcp.pcap');
    await writeFrames(path, frames);
    const ours = labels(frames);
    const names: Record<string, string> = { '1': 'DISCOVER', '2': 'OFFER', '3': 'REQUEST', '4': 'DECLINE', '5': 'ACK' };
    const rows = tsharkFields(path, ['frame.number', 'dhcp.option.dhcp', 'dhcp.id', 'dhcp.ip.your', 'dhcp.option.requested_ip_address']);
    expect(rows).to.have.length(frames.length);
    for (const [frame, type, id, your, requested] of rows) {
      const xid = `0x${(id ?? '').replace(/^0x/, '').toUpperCase().padStart(8, '0')}`;
      const address = names[type ?? ''] === 'OFFER' || names[type ?? ''] === 'ACK' ? ` ${your}` : requested !== '' ? ` ${requested}` : '';
      expect(ours[Number(frame)], `frame ${frame}`).to.equal(`dhcp ${names[type ?? ''] ?? type}${address} xid ${xid}`);
    }
  });
});
