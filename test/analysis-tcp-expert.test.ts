/**
 * TCP expert findings: flags grouped per connection and rule with Wireshark's severities, the most
 * specific name of the retransmission family, retransmissions escalated by their share of the data,
 * resets (a RST after the FIN exchange is only a note), and TCP checksums: not checked unless asked for
 * (as in Wireshark), then judged by direction: a bad checksum on a received segment is an error, on a sent
 * one the mark of checksum offload.
 */
import { expect } from 'chai';
import { TcpConversation } from './support/tcp-frame-builder.js';
import { analyze, findingsOf, packetsOf } from './support/analysis-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';

const A = { address: '10.1.1.1', port: 40000 };
const B = { address: '10.2.2.2', port: 80 };

function open(c: TcpConversation): void {
  c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
  c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 900, ack: 101 });
  c.add({ from: 'a', atMs: 2, flags: 'A', seq: 101, ack: 901 });
}

/** RFC 1071 checksum over the pseudo-header and segment of a raw IPv4 TCP frame, written into it. */
function fillTcpChecksum(frame: BuiltFrame): void {
  const data = frame.data;
  const tcpLength = data.length - 20;
  let sum = 6 + tcpLength;
  for (let i = 12; i < 20; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  data[36] = data[37] = 0;
  for (let i = 20; i < data.length; i += 2) sum += (data[i]! << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  data[36] = checksum >> 8;
  data[37] = checksum & 0xff;
}

describe('analysis: TCP expert findings', () => {
  it('groups flags per connection and rule, with Wireshark’s severities and the most specific retransmission name', () => {
    const c = new TcpConversation(A, B);
    open(c);
    c.add({ from: 'a', atMs: 10, flags: 'PA', seq: 101, ack: 901, length: 100 });
    c.add({ from: 'a', atMs: 400, flags: 'PA', seq: 101, ack: 901, length: 100 }); // resent after a timeout
    c.add({ from: 'b', atMs: 410, flags: 'A', seq: 901, ack: 201, window: 0 });
    c.add({ from: 'b', atMs: 900, flags: 'A', seq: 901, ack: 201, window: 8192 });
    const report = analyze(packetsOf(c.frames));
    const [retransmission] = findingsOf(report, 'tcp.retransmission');
    expect(retransmission).to.include({ severity: 'warning', count: 1, category: 'tcp' }); // 1 of 2 data segments: over 5 %
    expect(retransmission!.subject.connection).to.equal('10.1.1.1:40000 → 10.2.2.2:80');
    expect(retransmission!.evidence.map((e) => e.frame)).to.deep.equal([5]);
    const [zeroWindow] = findingsOf(report, 'tcp.zero_window');
    expect(zeroWindow).to.include({ severity: 'warning', count: 1 }); // a 0.49 s stall: Wireshark's warning, not an error
    expect(zeroWindow!.details['sentBy']).to.deep.equal(['10.2.2.2:80']);
    expect(findingsOf(report, 'tcp.window_update').map((f) => f.severity)).to.deep.equal(['chat']);
  });

  it('a few retransmissions in a long transfer stay a note', () => {
    const c = new TcpConversation(A, B);
    open(c);
    let seq = 101;
    for (let i = 0; i < 40; i++, seq += 100) {
      c.add({ from: 'a', atMs: 10 + i * 10, flags: 'PA', seq, ack: 901, length: 100 });
      c.add({ from: 'b', atMs: 15 + i * 10, flags: 'A', seq: 901, ack: seq + 100 });
    }
    c.add({ from: 'a', atMs: 1000, flags: 'PA', seq: seq - 100, ack: 901, length: 100 });
    const [retransmission] = findingsOf(analyze(packetsOf(c.frames)), 'tcp.spurious_retransmission');
    expect(retransmission).to.include({ severity: 'note', count: 1 });
  });

  it('a reset in the middle of a connection is a warning; one after the FIN exchange a note', () => {
    const aborted = new TcpConversation(A, B);
    open(aborted);
    aborted.add({ from: 'b', atMs: 5, flags: 'RA', seq: 901, ack: 101 });
    const closed = new TcpConversation({ ...A, port: 40001 }, B);
    open(closed);
    closed.add({ from: 'a', atMs: 5, flags: 'FA', seq: 101, ack: 901 });
    closed.add({ from: 'b', atMs: 6, flags: 'FA', seq: 901, ack: 102 });
    closed.add({ from: 'a', atMs: 7, flags: 'R', seq: 102 });
    const report = analyze(packetsOf([...aborted.frames, ...closed.frames]));
    expect(findingsOf(report, 'tcp.reset').map((f) => [f.severity, f.details['resetBy']])).to.deep.equal([['warning', ['10.2.2.2:80']]]);
    expect(findingsOf(report, 'tcp.reset_after_close').map((f) => f.severity)).to.deep.equal(['note']);
  });

  describe('checksums', () => {
    /** Frames 1, 3, 4 from the client (sent: outbound), 2, 5, 6, 7 from the server (received: inbound). */
    function session(): TcpConversation {
      const c = new TcpConversation(A, B);
      open(c);
      c.add({ from: 'a', atMs: 10, flags: 'PA', seq: 101, ack: 901, length: 33 });
      for (let i = 0; i < 3; i++) c.add({ from: 'b', atMs: 20 + i, flags: 'PA', seq: 901 + 10 * i, ack: 134, length: 10 });
      return c;
    }
    const CLIENT_FRAMES = new Set([0, 2, 3]);
    const direction = (i: number): 'outbound' | 'inbound' => (CLIENT_FRAMES.has(i) ? 'outbound' : 'inbound');
    const CHECKED = { checkChecksums: 1 };

    it('are not checked unless asked for: bad checksums in either direction give no finding', () => {
      const c = session();
      c.frames.forEach(fillTcpChecksum);
      c.frames[4]!.data[37]! ^= 0xff;
      c.frames[3]!.data[37]! ^= 0xff;
      for (const options of [{ direction }, {}]) {
        const report = analyze(packetsOf(c.frames, options));
        expect(report.findings.filter((f) => f.rule.includes('checksum'))).to.deep.equal([]);
        expect(report.thresholds['checkChecksums']).to.equal(0);
      }
    });

    it('valid checksums give no finding', () => {
      const c = session();
      c.frames.forEach(fillTcpChecksum);
      const report = analyze(packetsOf(c.frames, { direction }), CHECKED);
      expect(report.findings.filter((f) => f.rule.includes('checksum'))).to.deep.equal([]);
    });

    it('a bad checksum on a received segment is an error; on a sent one, checksum offload (a note)', () => {
      const c = session();
      c.frames.forEach(fillTcpChecksum);
      c.frames[4]!.data[37]! ^= 0xff; // the server's data, received
      c.frames[3]!.data[37]! ^= 0xff; // the client's data, sent
      const report = analyze(packetsOf(c.frames, { direction }), CHECKED);
      expect(findingsOf(report, 'tcp.bad_checksum').map((f) => [f.severity, f.evidence[0]!.frame])).to.deep.equal([['error', 5]]);
      expect(findingsOf(report, 'tcp.checksum_offload').map((f) => [f.severity, f.subject.host])).to.deep.equal([['note', '10.1.1.1']]);
    });

    it('without directions, a sender whose checksums are all bad is offloading; one bad among good ones is an error', () => {
      const c = session();
      c.frames.forEach(fillTcpChecksum);
      for (const i of [0, 2, 3]) c.frames[i]!.data[37]! ^= 0xff; // every segment the client sent
      c.frames[4]!.data[37]! ^= 0xff; // one of the server's four
      const report = analyze(packetsOf(c.frames), CHECKED);
      expect(findingsOf(report, 'tcp.checksum_offload').map((f) => f.subject.host)).to.deep.equal(['10.1.1.1']);
      expect(findingsOf(report, 'tcp.bad_checksum').map((f) => [f.subject.host, f.count])).to.deep.equal([['10.2.2.2', 1]]);
    });
  });
});
