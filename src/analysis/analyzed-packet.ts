/**
 * What every analyzer is handed for one packet: the packet, where it came from, its frame number, and
 * the decodes done once for all (the TCP view and Wireshark's tcp.analysis flags), so no analyzer parses
 * the same headers again.
 */
import type { TracePacket } from '../model/trace-packet.js';
import type { ReadSummary } from '../ctrace/read-summary.js';
import type { InputKind } from '../input/packet-source.js';
import type { TcpPacketView } from '../net/packet-view.js';
import type { TcpConnection } from './tcp/tcp-conversation.js';
import type { EvidenceRef, Finding } from './finding.js';
import { PacketLayers, readPacketLayers } from '../net/packet-layers.js';
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
  /**
   * IP-level facts (addresses, protocol, TTL, IP ID, fragments, ports, ICMP type), a reused object valid
   * for this call only; null when the packet holds no whole IP header. Filled by the pipeline; when absent
   * (a packet built by hand) datagramOf() reads it on first use.
   */
  ip?: PacketLayers | null;
  /** The TCP analyzer's connection of this segment (one object per connection, port reuse included). */
  tcpConnection?: TcpConnection | null;
  /** True when the segment goes from the connection's first sender (A, the originator when its SYN was seen). */
  tcpFromA?: boolean;
  /** True for the first segment seen of its connection. */
  tcpFirstPacket?: boolean;
  /** Set by evidenceOf: this packet became evidence, so the report keeps its row in the packets table. */
  isEvidence?: boolean;
}

/** One analyzer: sees every packet once, in stream order, keeps bounded state, reports findings at the end. */
export interface PacketAnalyzer {
  readonly name: string;
  observe(p: AnalyzedPacket): void;
  /** Called once after the last packet: what this analyzer found. */
  finish(): Finding[];
  /**
   * Optional: a few words on what this packet is in the analyzer's protocol ("ftp reply code 230"), for
   * the packets table's message column; null when the packet is not this analyzer's. Called only for
   * packets the report lists, after observe(p).
   */
  describe?(p: AnalyzedPacket): string | null;
}

/** What the pipeline is told about each input when the report is built. */
export interface InputFacts {
  path: string;
  kind: InputKind;
  /** The read summary of a CTRACE input (complete once its packets were read), null for pcap/pcapng. */
  summary: ReadSummary | null;
}

/**
 * An analyzer whose findings are about the inputs themselves (record gaps, time order): they name the
 * input and may need its read summary, so the pipeline asks for them with the inputs' facts.
 */
export interface InputAnalyzer extends PacketAnalyzer {
  findingsFor(inputs: readonly InputFacts[]): Finding[];
}

/** Reads the layers of `packet` into `out`; false when it holds no whole IPv4/IPv6 header. */
export function readDatagram(packet: TracePacket, out: PacketLayers): boolean {
  return readPacketLayers(packet.data, packet.interface.linkType, packet.originalLength, out) && out.ipHeaderComplete;
}

/**
 * The packet's IP facts: the pipeline's decode when present, else read now (for packets built by hand)
 * and kept on the packet. Null when the packet holds no whole IP header.
 */
export function datagramOf(p: AnalyzedPacket): PacketLayers | null {
  if (p.ip === undefined) {
    const layers = new PacketLayers();
    p.ip = readDatagram(p.packet, layers) ? layers : null;
  }
  return p.ip;
}

/** The evidence reference for a packet being observed. */
export function evidenceOf(p: AnalyzedPacket, note: string): EvidenceRef {
  p.isEvidence = true;
  return {
    frame: p.frame,
    input: p.input,
    record: p.packet.ctrace?.recordNumber ?? null,
    time: formatUtc(p.packet.timeSec, p.packet.timeNsec),
    note,
  };
}
