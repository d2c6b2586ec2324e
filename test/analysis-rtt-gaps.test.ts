/**
 * High round-trip time and jitter (exception-catalog PERF-10) and long pauses inside a session (PERF-11),
 * judged once per connection when it is summarised. The times the findings state are checked against
 * tshark's own view of the same frames: tcp.analysis.initial_rtt (SYN → ACK of the SYN-ACK),
 * tcp.analysis.ack_rtt and tcp.time_delta (time since the previous frame of the conversation).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpConversation, writePcap, type BuiltFrame } from './support/tcp-frame-builder.js';
import { analyze, findingsOf, packetsOf } from './support/analysis-packets.js';
import { tsharkFields } from './support/tshark.js';
import { LinkType } from '../src/capture/link-types.js';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import type { Report } from '../src/report/report-model.js';

const CLIENT = { address: '10.1.1.10', port: 1025 };
const SERVER = { address: '10.2.2.20', port: 8080 };
const ISN_A = 1000;
const ISN_B = 5000;

/** A traced at the client: A's segments are outbound. */
function traced(frames: readonly BuiltFrame[], fromA: readonly boolean[]): Report {
  return analyze(packetsOf(frames, { direction: (i) => (fromA[i] ? 'outbound' : 'inbound') }));
}

/**
 * A session: handshake (the SYN-ACK after `handshakeMs`), then `exchanges` requests of 100 bytes from the
 * client, each acknowledged by the server after the next of `ackMs`, and a close. `pauseMs` before a
 * request (by index) makes the session idle there.
 */
function session(options: { handshakeMs?: number; ackMs: readonly number[]; pauseMs?: Record<number, number> }): { frames: BuiltFrame[]; fromA: boolean[] } {
  const c = new TcpConversation(CLIENT, SERVER);
  const fromA: boolean[] = [];
  const add = (from: 'a' | 'b', atMs: number, flags: string, seq: number, ack: number, length = 0): void => {
    c.add({ from, atMs, flags, seq, ack, length });
    fromA.push(from === 'a');
  };
  let t = 0;
  add('a', t, 'S', ISN_A, 0);
  t += options.handshakeMs ?? 20;
  add('b', t, 'SA', ISN_B, ISN_A + 1);
  t += 1;
  add('a', t, 'A', ISN_A + 1, ISN_B + 1);
  let seq = ISN_A + 1;
  options.ackMs.forEach((ackMs, i) => {
    t += 10 + (options.pauseMs?.[i] ?? 0);
    add('a', t, 'PA', seq, ISN_B + 1, 100);
    seq += 100;
    t += ackMs;
    add('b', t, 'A', ISN_B + 1, seq);
  });
  t += 10;
  add('a', t, 'FA', seq, ISN_B + 1);
  t += 10;
  add('b', t, 'FA', ISN_B + 1, seq + 1);
  t += 1;
  add('a', t, 'A', seq + 1, ISN_B + 2);
  return { frames: c.frames, fromA };
}

describe('analysis: high RTT and long pauses inside a session', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-rtt-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** tshark's values of `field` over the frames. */
  function tsharkValues(name: string, frames: readonly BuiltFrame[], field: string, filter?: string): number[] {
    const path = join(dir, name);
    writePcap(path, LinkType.RAW, frames);
    return tsharkFields(path, [field], { prefs: { 'tcp.calculate_timestamps': 'TRUE' }, ...(filter === undefined ? {} : { filter }) })
      .map((row) => row[0] ?? '')
      .filter((value) => value !== '')
      .map(Number);
  }

  describe('high RTT (PERF-10)', () => {
    it('a handshake taking 0.8 s is a high RTT, with the time tshark measures and the handshake as evidence', () => {
      const { frames, fromA } = session({ handshakeMs: 800, ackMs: [20, 20, 20] });
      const [finding, ...more] = findingsOf(traced(frames, fromA), 'connection.high_rtt');
      expect(more).to.have.length(0);
      expect(finding).to.include({ severity: 'warning', category: 'connection', count: 1 });
      expect(finding!.subject).to.deep.equal({ service: '10.2.2.20:8080' });
      const [initialRtt] = tsharkValues('handshake.pcap', frames, 'tcp.analysis.initial_rtt');
      expect(finding!.details['handshakeRttSec']).to.be.closeTo(initialRtt!, 1e-6);
      expect(finding!.evidence.map((e) => e.frame)).to.deep.equal([1, 2, 3]);
    });

    it('a slow handshake in a session with data both ways (its first packets no longer kept): the completing ACK is the evidence', () => {
      const c = new TcpConversation(CLIENT, SERVER);
      c.add({ from: 'a', atMs: 0, flags: 'S', seq: ISN_A });
      c.add({ from: 'b', atMs: 10, flags: 'SA', seq: ISN_B, ack: ISN_A + 1 });
      c.add({ from: 'a', atMs: 700, flags: 'A', seq: ISN_A + 1, ack: ISN_B + 1 });
      c.add({ from: 'a', atMs: 710, flags: 'PA', seq: ISN_A + 1, ack: ISN_B + 1, length: 50 });
      c.add({ from: 'b', atMs: 720, flags: 'PA', seq: ISN_B + 1, ack: ISN_A + 51, length: 500 });
      c.add({ from: 'a', atMs: 730, flags: 'A', seq: ISN_A + 51, ack: ISN_B + 501 });
      c.add({ from: 'b', atMs: 740, flags: 'PA', seq: ISN_B + 501, ack: ISN_A + 51, length: 500 });
      // Traced at the client, whose own late ACK of the SYN-ACK makes the handshake slow: none of its segments waits long for an ACK.
      const report = analyze(packetsOf(c.frames, { direction: (i) => ([1, 4, 6].includes(i) ? 'inbound' : 'outbound') }));
      const [finding] = findingsOf(report, 'connection.high_rtt');
      const [initialRtt] = tsharkValues('late-ack.pcap', c.frames, 'tcp.analysis.initial_rtt');
      expect(finding!.details['handshakeRttSec']).to.be.closeTo(initialRtt!, 1e-6);
      expect(finding!.evidence.map((e) => e.frame)).to.deep.equal([3]);
    });

    it('ACKs arriving about 0.9 s after the data they acknowledge: the average ACK trip as tshark measures it', () => {
      const { frames, fromA } = session({ ackMs: [900, 850, 920] });
      const [finding] = findingsOf(traced(frames, fromA), 'connection.high_rtt');
      expect(finding, 'high RTT finding').to.not.equal(undefined);
      // The client is the traced side: its segments' trips are tshark's ack_rtt on the server's frames (SYN-ACK, data ACKs, FIN).
      const ackRtts = tsharkValues('acks.pcap', frames, 'tcp.analysis.ack_rtt', 'ip.src == 10.2.2.20');
      expect(ackRtts).to.have.length(5);
      const average = ackRtts.reduce((sum, value) => sum + value, 0) / ackRtts.length;
      expect(average).to.be.above(0.5);
      expect(finding!.details['averageAckRttSec']).to.be.closeTo(average, 1e-6);
      expect(finding!.details['maxAckRttSec']).to.be.closeTo(Math.max(...ackRtts), 1e-6);
      expect(finding!.details['handshakeRttSec']).to.be.below(0.5);
      // The slowest ACK is the evidence: the 920 ms one, frame 9.
      expect(finding!.evidence.map((e) => e.frame)).to.include(9);
    });

    it('ACK trips switching between 20 ms and 0.9 s: average below 0.5 s, but the jitter is high', () => {
      const { frames, fromA } = session({ ackMs: [20, 900, 20, 900, 20] });
      const [finding] = findingsOf(traced(frames, fromA), 'connection.high_rtt');
      expect(finding!.details['averageAckRttSec']).to.be.below(0.5);
      // Jitter: the average change between successive trips, from tshark's ack_rtt of the server's frames.
      const trips = tsharkValues('jitter.pcap', frames, 'tcp.analysis.ack_rtt', 'ip.src == 10.2.2.20');
      const changes = trips.slice(1).map((trip, i) => Math.abs(trip - trips[i]!));
      const jitter = changes.reduce((sum, value) => sum + value, 0) / changes.length;
      expect(jitter).to.be.above(0.5);
      expect(finding!.details['averageJitterSec']).to.be.closeTo(jitter, 1e-6);
    });

    it('says nothing for a quick session, or when the thresholds are raised above what it shows', () => {
      const quick = session({ ackMs: [30, 40, 25] });
      expect(findingsOf(traced(quick.frames, quick.fromA), 'connection.high_rtt')).to.deep.equal([]);
      const slow = session({ handshakeMs: 800, ackMs: [700, 20] });
      const report = analyze(packetsOf(slow.frames, { direction: (i) => (slow.fromA[i] ? 'outbound' : 'inbound') }), { highRttSec: 1, rttJitterSec: 1 });
      expect(findingsOf(report, 'connection.high_rtt')).to.deep.equal([]);
    });

    it('an unanswered SYN has no round trip: no high-RTT finding, even with retries seconds apart', () => {
      const c = new TcpConversation(CLIENT, SERVER);
      for (const atMs of [0, 3000, 9000]) c.add({ from: 'a', atMs, flags: 'S', seq: ISN_A });
      const report = analyze(packetsOf(c.frames, { direction: () => 'outbound' }));
      expect(findingsOf(report, 'connection.high_rtt')).to.deep.equal([]);
      expect(findingsOf(report, 'connection.long_gap')).to.deep.equal([]);
    });
  });

  describe('long pause inside a session (PERF-11)', () => {
    it('data waiting 6 s for its acknowledgement is a long pause inside a transfer (5 s), as long as tshark’s largest time delta', () => {
      const { frames, fromA } = session({ ackMs: [20, 6000, 20] });
      const [finding, ...more] = findingsOf(traced(frames, fromA), 'connection.long_gap');
      expect(more).to.have.length(0);
      expect(finding).to.include({ severity: 'warning', category: 'connection', count: 1 });
      const deltas = tsharkValues('transfer-gap.pcap', frames, 'tcp.time_delta');
      expect(finding!.details['longestTransferGapSec']).to.be.closeTo(Math.max(...deltas), 1e-6);
      // The gap is between the second request (frame 6) and its ACK (frame 7); the ACK is the evidence.
      expect(finding!.details['longestTransferGapFrames']).to.deep.equal(['6 → 7']);
      expect(finding!.evidence.map((e) => e.frame)).to.deep.equal([7]);
      expect(finding!.details).to.not.have.property('longestIdleGapSec');
    });

    it('an interactive session idle 30 s between requests (nothing outstanding) stays under the 60 s idle threshold', () => {
      const { frames, fromA } = session({ ackMs: [20, 20, 20], pauseMs: { 1: 30_000 } });
      expect(findingsOf(traced(frames, fromA), 'connection.long_gap')).to.deep.equal([]);
    });

    it('idle 75 s with nothing outstanding is a long idle pause; a lower idleGapSec finds the 30 s one', () => {
      const long = session({ ackMs: [20, 20], pauseMs: { 1: 75_000 } });
      const [finding] = findingsOf(traced(long.frames, long.fromA), 'connection.long_gap');
      expect(finding!.details['longestIdleGapSec']).to.be.closeTo(75.01, 1e-6);
      expect(finding!.details['longestIdleGapFrames']).to.deep.equal(['5 → 6']);
      const short = session({ ackMs: [20, 20], pauseMs: { 1: 30_000 } });
      const report = analyze(packetsOf(short.frames, { direction: (i) => (short.fromA[i] ? 'outbound' : 'inbound') }), { idleGapSec: 20 });
      expect(findingsOf(report, 'connection.long_gap')).to.have.length(1);
    });

    it('a 4 s wait for an ACK stays under the transfer threshold', () => {
      const { frames, fromA } = session({ ackMs: [20, 4000, 20] });
      expect(findingsOf(traced(frames, fromA), 'connection.long_gap')).to.deep.equal([]);
    });

    it('stray SYN-ACKs minutes apart (backscatter) are not a session: no pause finding', () => {
      const c = new TcpConversation(SERVER, CLIENT);
      c.add({ from: 'a', atMs: 0, flags: 'SA', seq: ISN_B, ack: 674711610 });
      c.add({ from: 'a', atMs: 92_000, flags: 'SA', seq: ISN_B, ack: 674711610 });
      expect(findingsOf(analyze(packetsOf(c.frames)), 'connection.long_gap')).to.deep.equal([]);
    });

    it('real captures of working sessions give neither finding', async () => {
      for (const name of ['real-tcp-ipv4.pcap', 'real-mixed.pcap']) {
        const report = await analyzeInputs([join('test/fixtures', name)], { readOptions: DEFAULT_READ_OPTIONS });
        expect(findingsOf(report, 'connection.high_rtt'), name).to.deep.equal([]);
        expect(findingsOf(report, 'connection.long_gap'), name).to.deep.equal([]);
      }
    });
  });
});
