/**
 * The TCP analysis flags as data: Wireshark's tcp.analysis.* names, the bit each takes in a flag mask,
 * the expert severity (Wireshark's, as in spec/analysis.md §1) and Wireshark's description.
 *
 * A mask follows Wireshark's display-filter meaning: a fast or spurious retransmission also carries
 * RETRANSMISSION (Wireshark adds both expert items, so `tcp.analysis.retransmission` matches all three).
 * retransmissionKind() gives the one most specific name for a report.
 */

export type ExpertSeverity = 'chat' | 'note' | 'warning' | 'error';

export const TcpAnalysisFlag = {
  RETRANSMISSION: 1 << 0,
  FAST_RETRANSMISSION: 1 << 1,
  SPURIOUS_RETRANSMISSION: 1 << 2,
  OUT_OF_ORDER: 1 << 3,
  LOST_SEGMENT: 1 << 4,
  ACK_LOST_SEGMENT: 1 << 5,
  DUPLICATE_ACK: 1 << 6,
  ZERO_WINDOW: 1 << 7,
  ZERO_WINDOW_PROBE: 1 << 8,
  ZERO_WINDOW_PROBE_ACK: 1 << 9,
  WINDOW_FULL: 1 << 10,
  WINDOW_UPDATE: 1 << 11,
  KEEP_ALIVE: 1 << 12,
  KEEP_ALIVE_ACK: 1 << 13,
  REUSED_PORTS: 1 << 14,
} as const;

export type TcpAnalysisFlagName =
  | 'retransmission'
  | 'fast_retransmission'
  | 'spurious_retransmission'
  | 'out_of_order'
  | 'lost_segment'
  | 'ack_lost_segment'
  | 'duplicate_ack'
  | 'zero_window'
  | 'zero_window_probe'
  | 'zero_window_probe_ack'
  | 'window_full'
  | 'window_update'
  | 'keep_alive'
  | 'keep_alive_ack'
  | 'reused_ports';

export interface TcpAnalysisFlagInfo {
  name: TcpAnalysisFlagName;
  bit: number;
  severity: ExpertSeverity;
  /** The Wireshark display-filter field. */
  field: `tcp.analysis.${TcpAnalysisFlagName}`;
  /** Wireshark's description of the field. */
  description: string;
}

/** In mask-bit order. */
export const TCP_ANALYSIS_FLAGS: readonly TcpAnalysisFlagInfo[] = [
  { name: 'retransmission', bit: TcpAnalysisFlag.RETRANSMISSION, severity: 'note', field: 'tcp.analysis.retransmission', description: 'This frame is a (suspected) retransmission' },
  { name: 'fast_retransmission', bit: TcpAnalysisFlag.FAST_RETRANSMISSION, severity: 'note', field: 'tcp.analysis.fast_retransmission', description: 'This frame is a (suspected) fast retransmission' },
  { name: 'spurious_retransmission', bit: TcpAnalysisFlag.SPURIOUS_RETRANSMISSION, severity: 'note', field: 'tcp.analysis.spurious_retransmission', description: 'This frame is a (suspected) spurious retransmission' },
  { name: 'out_of_order', bit: TcpAnalysisFlag.OUT_OF_ORDER, severity: 'warning', field: 'tcp.analysis.out_of_order', description: 'This frame is a (suspected) out-of-order segment' },
  { name: 'lost_segment', bit: TcpAnalysisFlag.LOST_SEGMENT, severity: 'warning', field: 'tcp.analysis.lost_segment', description: 'Previous segment(s) not captured (common at capture start)' },
  { name: 'ack_lost_segment', bit: TcpAnalysisFlag.ACK_LOST_SEGMENT, severity: 'warning', field: 'tcp.analysis.ack_lost_segment', description: "ACKed segment that wasn't captured (common at capture start)" },
  { name: 'duplicate_ack', bit: TcpAnalysisFlag.DUPLICATE_ACK, severity: 'note', field: 'tcp.analysis.duplicate_ack', description: 'Duplicate ACK' },
  { name: 'zero_window', bit: TcpAnalysisFlag.ZERO_WINDOW, severity: 'warning', field: 'tcp.analysis.zero_window', description: 'TCP Zero Window segment' },
  { name: 'zero_window_probe', bit: TcpAnalysisFlag.ZERO_WINDOW_PROBE, severity: 'note', field: 'tcp.analysis.zero_window_probe', description: 'TCP Zero Window Probe' },
  { name: 'zero_window_probe_ack', bit: TcpAnalysisFlag.ZERO_WINDOW_PROBE_ACK, severity: 'note', field: 'tcp.analysis.zero_window_probe_ack', description: 'ACK to a TCP Zero Window Probe' },
  { name: 'window_full', bit: TcpAnalysisFlag.WINDOW_FULL, severity: 'warning', field: 'tcp.analysis.window_full', description: 'TCP window specified by the receiver is now completely full' },
  { name: 'window_update', bit: TcpAnalysisFlag.WINDOW_UPDATE, severity: 'chat', field: 'tcp.analysis.window_update', description: 'TCP window update' },
  { name: 'keep_alive', bit: TcpAnalysisFlag.KEEP_ALIVE, severity: 'note', field: 'tcp.analysis.keep_alive', description: 'TCP keep-alive segment' },
  { name: 'keep_alive_ack', bit: TcpAnalysisFlag.KEEP_ALIVE_ACK, severity: 'note', field: 'tcp.analysis.keep_alive_ack', description: 'ACK to a TCP keep-alive segment' },
  { name: 'reused_ports', bit: TcpAnalysisFlag.REUSED_PORTS, severity: 'note', field: 'tcp.analysis.reused_ports', description: 'A new tcp session is started with the same ports as an earlier session in this trace' },
];

/** The names of the flags set in `mask`, in table order. */
export function tcpFlagNames(mask: number): TcpAnalysisFlagName[] {
  return TCP_ANALYSIS_FLAGS.filter((flag) => (mask & flag.bit) !== 0).map((flag) => flag.name);
}

/** The mask for a list of names (the inverse of tcpFlagNames). */
export function tcpFlagMask(names: Iterable<TcpAnalysisFlagName>): number {
  let mask = 0;
  for (const name of names) mask |= TCP_ANALYSIS_FLAGS.find((flag) => flag.name === name)?.bit ?? 0;
  return mask;
}

/** The most specific member of the retransmission family in `mask`, or null when none is set. */
export function retransmissionKind(mask: number): 'fast_retransmission' | 'spurious_retransmission' | 'out_of_order' | 'retransmission' | null {
  if (mask & TcpAnalysisFlag.FAST_RETRANSMISSION) return 'fast_retransmission';
  if (mask & TcpAnalysisFlag.SPURIOUS_RETRANSMISSION) return 'spurious_retransmission';
  if (mask & TcpAnalysisFlag.OUT_OF_ORDER) return 'out_of_order';
  if (mask & TcpAnalysisFlag.RETRANSMISSION) return 'retransmission';
  return null;
}

/** The worst severity among the flags in `mask`, or null for an empty mask. */
export function worstSeverity(mask: number): ExpertSeverity | null {
  const order: readonly ExpertSeverity[] = ['error', 'warning', 'note', 'chat'];
  const present = new Set(TCP_ANALYSIS_FLAGS.filter((flag) => (mask & flag.bit) !== 0).map((flag) => flag.severity));
  return order.find((severity) => present.has(severity)) ?? null;
}
