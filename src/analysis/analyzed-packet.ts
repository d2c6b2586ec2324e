/**
 * What every analyzer is handed for one packet: the packet, where it came from, its frame number, and
 * the decodes done once for all (the TCP view and Wireshark's tcp.analysis flags), so no analyzer parses
 * the same headers again.
 */
import type { TracePacket } from '../model/trace-packet.js';
import type { TcpPacketView } from '../net/packet-view.js';
import type { EvidenceRef, Finding } from './finding.js';
import { formatUtc } from '../model/time.js';

export interface AnalyzedPacket {
  /** 1-based position in the analysed stream (equals the frame number in a converted capture). */
  frame: number;
  /** Index into the report's inputs. */
  input: number;
  packet: TracePacket;
  /** The TCP segment when the packet is TCP (a reused view: valid for this call only), else null. */
  tcp: TcpPacketView | null;
  /** TcpAnalysisFlag mask from the TCP analyzer (0 for non-TCP packets). */
  tcpFlags: number;
}

/** One analyzer: sees every packet once, in stream order, keeps bounded state, reports findings at the end. */
export interface PacketAnalyzer {
  readonly name: string;
  observe(p: AnalyzedPacket): void;
  /** Called once after the last packet: what this analyzer found. */
  finish(): Finding[];
}

/** The evidence reference for a packet being observed. */
export function evidenceOf(p: AnalyzedPacket, note: string): EvidenceRef {
  return {
    frame: p.frame,
    input: p.input,
    record: p.packet.ctrace?.recordNumber ?? null,
    time: formatUtc(p.packet.timeSec, p.packet.timeNsec),
    note,
  };
}
