/**
 * Hand-made TCP conversations for what the real captures cannot show: Linux never sends a 1-byte
 * zero-window probe (it probes with seq − 1, which Wireshark calls a keep-alive), never acknowledges
 * data the capture missed, and never wraps its sequence numbers within a test. Each case lists the
 * flags Wireshark's rules give, frame by frame (tshark 4.0.17 agrees: the test checks it when present).
 */
import type { TcpAnalysisFlagName } from '../../src/analysis/tcp/tcp-flags.js';
import { type BuiltFrame, TcpConversation, TcpOption } from './tcp-frame-builder.js';

export interface CraftedCase {
  name: string;
  frames: BuiltFrame[];
  /** Frame number → flags; frames not listed have none. */
  expected: ReadonlyMap<number, readonly TcpAnalysisFlagName[]>;
}

/** 1-byte probes into a zero window and their ACKs, an ACK of a segment never seen, a 1-byte keep-alive. */
function zeroWindowProbes(): CraftedCase {
  const c = new TcpConversation({ address: '192.0.2.10', port: 40000 }, { address: '192.0.2.20', port: 80 });
  c.add({ from: 'a', atMs: 0, flags: 'S', seq: 1000 });
  c.add({ from: 'b', atMs: 10, flags: 'SA', seq: 5000, ack: 1001, window: 8192 });
  c.add({ from: 'a', atMs: 20, flags: 'A', seq: 1001, ack: 5001 });
  c.add({ from: 'a', atMs: 30, flags: 'PA', seq: 1001, ack: 5001, length: 100 });
  c.add({ from: 'b', atMs: 40, flags: 'A', seq: 5001, ack: 1101, window: 0 }); // 5
  c.add({ from: 'a', atMs: 300, flags: 'PA', seq: 1101, ack: 5001, length: 1 });
  c.add({ from: 'b', atMs: 310, flags: 'A', seq: 5001, ack: 1101, window: 0 });
  c.add({ from: 'a', atMs: 900, flags: 'PA', seq: 1101, ack: 5001, length: 1 });
  c.add({ from: 'b', atMs: 910, flags: 'A', seq: 5001, ack: 1101, window: 0 });
  c.add({ from: 'b', atMs: 1000, flags: 'A', seq: 5001, ack: 1101, window: 4096 }); // 10
  c.add({ from: 'a', atMs: 1010, flags: 'PA', seq: 1101, ack: 5001, length: 500 });
  c.add({ from: 'b', atMs: 1020, flags: 'A', seq: 5001, ack: 1601, window: 4096, trailer: 6 });
  c.add({ from: 'a', atMs: 1030, flags: 'PA', seq: 1601, ack: 5001, length: 100 });
  c.add({ from: 'a', atMs: 1040, flags: 'PA', seq: 1801, ack: 5001, length: 100 }); // 1701..1800 not captured
  c.add({ from: 'b', atMs: 1050, flags: 'A', seq: 5001, ack: 1901, window: 4096 }); // 15
  c.add({ from: 'a', atMs: 5000, flags: 'A', seq: 1900, ack: 5001, length: 1 });
  c.add({ from: 'b', atMs: 5010, flags: 'A', seq: 5001, ack: 1901, window: 4096 });
  c.add({ from: 'a', atMs: 5020, flags: 'PA', seq: 1900, ack: 5001, length: 101 });
  c.add({ from: 'b', atMs: 5030, flags: 'A', seq: 5001, ack: 2001, window: 4096 });
  c.add({ from: 'a', atMs: 5040, flags: 'FA', seq: 2001, ack: 5001 }); // 20
  c.add({ from: 'b', atMs: 5050, flags: 'FA', seq: 5001, ack: 2002, window: 4096 });
  c.add({ from: 'a', atMs: 5060, flags: 'A', seq: 2002, ack: 5002 });
  return {
    name: 'zero-window probes, ACKed unseen segment, 1-byte keep-alive',
    frames: c.frames,
    expected: new Map<number, TcpAnalysisFlagName[]>([
      [5, ['zero_window']],
      [6, ['zero_window_probe']],
      [7, ['zero_window', 'zero_window_probe_ack']],
      [8, ['zero_window_probe']],
      [9, ['zero_window', 'zero_window_probe_ack']],
      [10, ['window_update']],
      [14, ['lost_segment']],
      [15, ['ack_lost_segment']],
      [16, ['keep_alive']],
      [17, ['keep_alive_ack']],
      // The data resumes at the keep-alive's seq, one below the sender's contiguous mark, so the mark
      // stays behind and the ACK of that data counts as acknowledging something unseen.
      [19, ['ack_lost_segment']],
    ]),
  };
}

/** IPv6 behind a hop-by-hop header, sequence numbers passing 2^32, window scaling, window full, dup ACKs. */
function wrapAndScale(): CraftedCase {
  const a = { address: '2001:0db8:0001:0000:0000:0000:0000:0010', port: 50000 };
  const b = { address: '2001:0db8:0001:0000:0000:0000:0000:0020', port: 443 };
  const c = new TcpConversation(a, b, 1_700_000_100, true);
  const handshake = (shift: number): number[] => [...TcpOption.mss(1440), ...TcpOption.nop(), ...TcpOption.windowScale(shift)];
  c.add({ from: 'a', atMs: 0, flags: 'S', seq: 4294966000, options: handshake(2) });
  c.add({ from: 'b', atMs: 5, flags: 'SA', seq: 70000, ack: 4294966001, options: handshake(3) });
  c.add({ from: 'a', atMs: 10, flags: 'A', seq: 4294966001, ack: 70001, window: 1000 });
  c.add({ from: 'a', atMs: 20, flags: 'PA', seq: 4294966001, ack: 70001, window: 1000, length: 1000 });
  c.add({ from: 'a', atMs: 21, flags: 'PA', seq: 4294967001, ack: 70001, window: 1000, length: 1000 }); // 5: wraps
  c.add({ from: 'b', atMs: 30, flags: 'A', seq: 70001, ack: 705, window: 250 }); // 250 << 3 = 2000 bytes
  c.add({ from: 'a', atMs: 31, flags: 'PA', seq: 705, ack: 70001, window: 1000, length: 1000 });
  c.add({ from: 'a', atMs: 32, flags: 'PA', seq: 1705, ack: 70001, window: 1000, length: 1000 }); // 8: 705 + 2000
  c.add({ from: 'b', atMs: 40, flags: 'A', seq: 70001, ack: 2705, window: 250 });
  c.add({ from: 'b', atMs: 41, flags: 'A', seq: 70001, ack: 2705, window: 250 }); // 10
  c.add({ from: 'b', atMs: 42, flags: 'A', seq: 70001, ack: 2705, window: 250, options: TcpOption.sack(3705, 4705) });
  c.add({ from: 'a', atMs: 43, flags: 'PA', seq: 2705, ack: 70001, window: 1000, length: 1000 });
  c.add({ from: 'a', atMs: 50, flags: 'R', seq: 3705 });
  return {
    name: 'IPv6, sequence wrap, window scaling',
    frames: c.frames,
    expected: new Map<number, TcpAnalysisFlagName[]>([
      [8, ['window_full']],
      [10, ['duplicate_ack']],
      [11, ['duplicate_ack']],
    ]),
  };
}

/** Out-of-order within the handshake RTT (100 ms), a retransmission after it, a spurious one, a new SYN-ACK ISN. */
function reordering(): CraftedCase {
  const c = new TcpConversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.20', port: 25 }, 1_700_000_200);
  c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
  c.add({ from: 'b', atMs: 50, flags: 'SA', seq: 900, ack: 101, window: 29200 });
  c.add({ from: 'a', atMs: 100, flags: 'A', seq: 101, ack: 901 });
  c.add({ from: 'b', atMs: 110, flags: 'PA', seq: 901, ack: 101, length: 100 });
  c.add({ from: 'b', atMs: 111, flags: 'PA', seq: 1101, ack: 101, length: 100 }); // 5
  c.add({ from: 'b', atMs: 150, flags: 'PA', seq: 1001, ack: 101, length: 100 });
  c.add({ from: 'b', atMs: 400, flags: 'PA', seq: 1001, ack: 101, length: 100 });
  c.add({ from: 'a', atMs: 410, flags: 'A', seq: 101, ack: 1201 });
  c.add({ from: 'b', atMs: 420, flags: 'PA', seq: 1001, ack: 101, length: 100 });
  c.add({ from: 'b', atMs: 500, flags: 'SA', seq: 7777, ack: 101, window: 29200 }); // 10
  c.add({ from: 'a', atMs: 510, flags: 'A', seq: 101, ack: 7778 });
  return {
    name: 'out-of-order, retransmission, spurious retransmission, SYN-ACK with a new ISN',
    frames: c.frames,
    expected: new Map<number, TcpAnalysisFlagName[]>([
      [5, ['lost_segment']],
      [6, ['out_of_order']],
      [7, ['retransmission']],
      [9, ['retransmission', 'spurious_retransmission']],
      [10, ['lost_segment', 'reused_ports']],
      [11, ['ack_lost_segment']],
    ]),
  };
}

/**
 * One direction only: 10001 unacknowledged segments, then a FIN. Wireshark lists at most 10000 unacked
 * segments and only a listed FIN counts as a sequence number, so the ACK after it looks like a gap.
 */
function unackedCap(): CraftedCase {
  const c = new TcpConversation({ address: '192.0.2.30', port: 40002 }, { address: '192.0.2.40', port: 9000 }, 1_700_000_300);
  let seq = 777;
  for (let i = 0; i < 10_001; i++, seq += 10) c.add({ from: 'a', atMs: i * 0.01, flags: 'A', seq, ack: 1, length: 10 });
  c.add({ from: 'a', atMs: 200, flags: 'FA', seq, ack: 1 });
  const after = c.add({ from: 'a', atMs: 210, flags: 'A', seq: seq + 1, ack: 2 });
  return { name: 'one-way flow past the unacked-segment cap', frames: c.frames, expected: new Map([[after, ['lost_segment']]]) };
}

/** A SYN cut inside its options, IPv4 total length 0 (TSO), a 16-byte TCP header. */
function damagedHeaders(): CraftedCase {
  const c = new TcpConversation({ address: '192.0.2.50', port: 40003 }, { address: '192.0.2.60', port: 8080 }, 1_700_000_400);
  const handshake = (shift: number): number[] => [...TcpOption.mss(1460), ...TcpOption.nop(), ...TcpOption.windowScale(shift)];
  c.add({ from: 'a', atMs: 0, flags: 'S', seq: 10, options: handshake(4), captureBytes: 42 });
  c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 500, ack: 11, window: 100, options: handshake(3) });
  c.add({ from: 'a', atMs: 2, flags: 'A', seq: 11, ack: 501, window: 1000 });
  c.add({ from: 'b', atMs: 3, flags: 'A', seq: 501, ack: 11, window: 100 });
  c.add({ from: 'a', atMs: 4, flags: 'PA', seq: 11, ack: 501, length: 400 }); // 5
  c.add({ from: 'a', atMs: 5, flags: 'PA', seq: 411, ack: 501, length: 400 });
  c.add({ from: 'b', atMs: 6, flags: 'PA', seq: 501, ack: 811, window: 100, length: 1000 });
  c.add({ from: 'b', atMs: 7, flags: 'PA', seq: 1501, ack: 811, window: 100, length: 1000, ipLengthField: 0 });
  c.add({ from: 'a', atMs: 8, flags: 'A', seq: 811, ack: 2501, window: 1000, dataOffsetWords: 4 });
  c.add({ from: 'a', atMs: 9, flags: 'PA', seq: 811, ack: 2501, window: 1000, length: 50 }); // 10
  c.add({ from: 'b', atMs: 10, flags: 'A', seq: 2501, ack: 861, window: 100 });
  return {
    name: 'damaged headers: options cut by the snap length, IP length 0, TCP header below 20 bytes',
    frames: c.frames,
    expected: new Map<number, TcpAnalysisFlagName[]>([
      // A pure ACK repeating the SYN-ACK's ACK number and window is a duplicate ACK to Wireshark.
      [4, ['duplicate_ack']],
      // The cut SYN leaves the client's scale unknown, but the server's shift 3 is known: 11 + 100 << 3.
      [6, ['window_full']],
      // The 16-byte header's 4 "payload" bytes moved nextSeq; the real data then looks reordered.
      [10, ['out_of_order']],
      [11, ['ack_lost_segment']],
    ]),
  };
}

export function craftedCases(): CraftedCase[] {
  return [zeroWindowProbes(), wrapAndScale(), reordering(), unackedCap(), damagedHeaders()];
}
