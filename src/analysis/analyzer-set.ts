/**
 * The analyzers of one run, in the order they see each packet, and the place where each family plugs in.
 * Each analyzer is a PacketAnalyzer with one job; the pipeline hands every packet to all of them.
 */
import type { AnalyzedPacket, InputAnalyzer, PacketAnalyzer } from './analyzed-packet.js';
import type { Thresholds } from './thresholds.js';
import type { PacketRow } from '../report/report-model.js';
import { TcpExpertAnalyzer } from './tcp-expert-analyzer.js';
import { TcpChecksumAnalyzer } from './tcp-checksum.js';
import { ConnectionAnalyzer } from './connections/connection-analyzer.js';
import { PortScanAnalyzer } from './hostile/port-scan.js';
import { IllegalFlagsAnalyzer } from './hostile/illegal-flags.js';
import { IcmpFloodAnalyzer, SynFloodAnalyzer } from './hostile/floods.js';
import { RoutingLoopAnalyzer } from './hostile/routing-loop.js';
import { FragmentationAnalyzer } from './hostile/fragmentation.js';
import { BadAddressAnalyzer } from './hostile/bad-addresses.js';
import { TtlZeroAnalyzer } from './hostile/ttl-zero.js';
import { BackscatterAnalyzer } from './hostile/backscatter.js';
import { IpHeaderChecksumAnalyzer } from './hostile/ip-header-checksum.js';
import { ForeignDestinationAnalyzer } from './hostile/foreign-destinations.js';
import { UnexpectedInterfaceAnalyzer } from './zos/unexpected-interface.js';
import { DiscardAnalyzer } from './zos/discards.js';
import { IdsEventAnalyzer } from './zos/ids-events.js';
import { TruncationAnalyzer } from './zos/truncation.js';
import { AtTlsAnalyzer } from './zos/at-tls.js';
import { TraceCountGapAnalyzer } from './zos/trace-count-gaps.js';
import { TimeOrderAnalyzer } from './capture-time-order.js';
import { createApplicationAnalyzers, describeApplication } from './application/index.js';

/** An analyzer that finds some evidence only after its packet went by keeps the packets-table rows itself. */
export interface LateEvidenceSource {
  lateEvidenceRows(): PacketRow[];
}

export function hasLateEvidence(analyzer: PacketAnalyzer): analyzer is PacketAnalyzer & LateEvidenceSource {
  return typeof (analyzer as Partial<LateEvidenceSource>).lateEvidenceRows === 'function';
}

/** Words on what a packet is, for the packets table's message column ("ftp reply code 230"). */
export type PacketLabeller = (p: AnalyzedPacket) => string | null;

export interface AnalyzerSet {
  /** Every analyzer, in the order packets reach them. */
  all: PacketAnalyzer[];
  /** Those that read traffic: they see wire packets only (see wire-packets.ts). */
  wire: PacketAnalyzer[];
  /** Those that read the trace records' z/OS facts: they see every record. */
  records: PacketAnalyzer[];
  /** The application decoders' labeller, then any analyzer's own describe(). */
  labellers: PacketLabeller[];
  /** Those the report reads more than findings from. */
  connections: ConnectionAnalyzer;
  truncation: TruncationAnalyzer;
  /** Those whose findings are about the inputs (also in `records`): the pipeline asks them with the inputs' facts. */
  inputs: InputAnalyzer[];
}

export function createAnalyzers(thresholds: Thresholds): AnalyzerSet {
  const connections = new ConnectionAnalyzer(thresholds);
  const truncation = new TruncationAnalyzer(thresholds);
  const inputs: InputAnalyzer[] = [new TraceCountGapAnalyzer(), new TimeOrderAnalyzer()];
  const wire: PacketAnalyzer[] = [
    // TCP (analysis.md §1) and connections (§2); checksums only when asked for (see tcp-checksum.ts)
    new TcpExpertAnalyzer(thresholds),
    ...(thresholds.checkChecksums > 0 ? [new TcpChecksumAnalyzer(thresholds)] : []),
    connections,
    // Scans, floods and hostile traffic (§3)
    new PortScanAnalyzer(thresholds),
    new IllegalFlagsAnalyzer(thresholds),
    new SynFloodAnalyzer(thresholds),
    new IcmpFloodAnalyzer(thresholds),
    new RoutingLoopAnalyzer(thresholds),
    new FragmentationAnalyzer(thresholds),
    new BadAddressAnalyzer(thresholds),
    new TtlZeroAnalyzer(thresholds),
    new BackscatterAnalyzer(thresholds),
    new IpHeaderChecksumAnalyzer(thresholds),
    new ForeignDestinationAnalyzer(thresholds),
    // Packets arriving on an unexpected interface (§4): a wire analyzer, since it reads traffic
    new UnexpectedInterfaceAnalyzer(thresholds),
    // Application decoders (§5): FTP, DNS, DHCP, ICMP, TLS, SNMP, and FTP brute force.
    ...createApplicationAnalyzers(thresholds),
  ];
  // z/OS exceptions (§4)
  const records: PacketAnalyzer[] = [new DiscardAnalyzer(thresholds), new IdsEventAnalyzer(thresholds), truncation, new AtTlsAnalyzer(thresholds), ...inputs];
  const all = [...wire, ...records];
  const labellers: PacketLabeller[] = [describeApplication];
  for (const analyzer of all) if (analyzer.describe !== undefined) labellers.push((p) => analyzer.describe!(p));
  return { all, wire, records, labellers, connections, truncation, inputs };
}
