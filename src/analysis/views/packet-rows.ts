/**
 * One line per packet for the report's packets table (analysis.md §6, exception-catalog B.2): number,
 * time, datagram size, addresses and ports, protocol, a one-line message ("ACK PSH len 22 : ftp reply code
 * 200 [retransmission]"), seq/ack/window and the CTRACE header facts.
 */
import { type AnalyzedPacket, datagramOf } from '../analyzed-packet.js';
import type { PacketRow } from '../../report/report-model.js';
import type { CtraceMeta, TracePacket } from '../../model/trace-packet.js';
import type { PacketLayers } from '../../net/packet-layers.js';
import { IpProtocol, ipProtocolName } from '../../net/ip-protocols.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { tcpFlagNames } from '../tcp/tcp-flags.js';
import { formatUtc } from '../../model/time.js';
import { formatDiscard } from '../../ctrace/code-tables.js';

/** Flag words in the order the z/OS trace tools print them: "ACK PSH FIN", "ACK SYN", "ACK RST". */
const FLAG_WORDS: readonly [number, string][] = [
  [TcpFlags.ACK, 'ACK'],
  [TcpFlags.PSH, 'PSH'],
  [TcpFlags.URG, 'URG'],
  [TcpFlags.SYN, 'SYN'],
  [TcpFlags.FIN, 'FIN'],
  [TcpFlags.RST, 'RST'],
  [TcpFlags.ECE, 'ECE'],
  [TcpFlags.CWR, 'CWR'],
];

export function tcpFlagWords(flags: number): string {
  const words: string[] = [];
  for (const [bit, word] of FLAG_WORDS) if ((flags & bit) !== 0) words.push(word);
  return words.length === 0 ? '(no flags)' : words.join(' ');
}

/** The names by protocol number (0-255), made once each: the statistics ask for every packet. */
const PROTOCOL_NAMES: string[] = [];

/** Wireshark's name of the protocol (ip-protocols.ts), "IP proto N" for one without a name, "IP" when unknown. */
export function protocolName(protocol: number): string {
  if (protocol < 0) return 'IP';
  const known = PROTOCOL_NAMES[protocol];
  if (known !== undefined) return known;
  const name = ipProtocolName(protocol);
  const shown = name === String(protocol) ? `IP proto ${protocol}` : name;
  if (protocol < 256) PROTOCOL_NAMES[protocol] = shown;
  return shown;
}

/** The protocol column: TCP, UDP, ICMP…, or "non-IP" for a frame that holds no IP packet. */
export function protocolColumn(d: PacketLayers | null): string {
  return d === null ? 'non-IP' : protocolName(d.protocol);
}

/** The CTRACE facts an analyst reads next to the packet (B.3): link, device, discard, IDS probe... */
export function ctraceColumns(packet: Pick<TracePacket, 'interface' | 'ctrace'>): Record<string, string | number> | null {
  const meta: CtraceMeta | null = packet.ctrace;
  if (meta === null) return null;
  const columns: Record<string, string | number> = { component: meta.component, format: meta.formatId, link: packet.interface.name };
  if (meta.deviceName !== null) columns['device'] = meta.deviceName;
  if (meta.discard !== null) columns['discard'] = formatDiscard(meta.discard);
  if (meta.asid !== null) columns['asid'] = meta.asid.toString(16).toUpperCase().padStart(4, '0');
  if (meta.traceCount !== null) columns['traceCount'] = meta.traceCount;
  if (meta.flagNames.length > 0) columns['flags'] = meta.flagNames.join(' ');
  const extra = meta.extra;
  for (const key in extra) columns[key] = extra[key]!;
  return columns;
}

/** "[retransmission, duplicate ack]" or ''. */
function analysisSuffix(mask: number): string {
  return mask === 0 ? '' : ` [${tcpFlagNames(mask).map((n) => n.replace(/_/g, ' ')).join(', ')}]`;
}

function ctraceSuffix(meta: CtraceMeta | null): string {
  if (meta === null) return '';
  const parts: string[] = [];
  if (meta.discard !== null) parts.push(`discarded ${formatDiscard(meta.discard)}`);
  const probe = meta.extra['ids'];
  if (probe !== undefined) parts.push(`IDS: Probe ID - ${probe}${meta.extra['correlator'] !== undefined ? ` Correlator - ${meta.extra['correlator']}` : ''}`);
  if (meta.truncated) parts.push('truncated');
  return parts.length === 0 ? '' : ` : ${parts.join(' : ')}`;
}

function transportWords(p: AnalyzedPacket, d: PacketLayers | null, labelled: boolean): string {
  if (d === null) return 'not an IP packet';
  if (p.tcp !== null) {
    const length = p.tcp.payloadLength;
    return `${tcpFlagWords(p.tcp.tcp.flags)}${length > 0 ? ` len ${length}` : ''}`;
  }
  if (d.transportOffset < 0 && d.isFragment) return `fragment at offset ${d.fragmentOffset}`;
  if (d.protocol === IpProtocol.UDP) return `UDP len ${Math.max(0, d.transportLength - 8)}`;
  // An ICMP message a labeller names needs no type and code.
  if (d.icmpType >= 0 && !labelled) return `${protocolName(d.protocol)} type ${d.icmpType} code ${d.icmpCode}`;
  return protocolName(d.protocol);
}

/** The message column: transport words, the analyzers' labels, CTRACE facts, TCP analysis flags. */
export function packetMessage(p: AnalyzedPacket, labellers: readonly ((p: AnalyzedPacket) => string | null)[]): string {
  const labels: string[] = [];
  for (const labeller of labellers) {
    const label = labeller(p);
    if (label !== null && label !== '') labels.push(label);
  }
  const words = transportWords(p, datagramOf(p), labels.length > 0);
  return [words, ...labels].join(' : ') + ctraceSuffix(p.packet.ctrace) + analysisSuffix(p.tcpFlags);
}

export function packetRow(p: AnalyzedPacket, message: string): PacketRow {
  const d = datagramOf(p);
  const packet = p.packet;
  const tcp = p.tcp;
  return {
    frame: p.frame,
    input: p.input,
    record: packet.ctrace?.recordNumber ?? null,
    time: formatUtc(packet.timeSec, packet.timeNsec),
    size: d === null ? packet.originalLength : d.totalLength,
    direction: packet.direction,
    source: d === null ? '' : endpointText(sourceText(d), d.sourcePort),
    destination: d === null ? '' : endpointText(destinationText(d), d.destinationPort),
    protocol: protocolColumn(d),
    message,
    seq: tcp === null ? null : tcp.tcp.seq,
    ack: tcp === null ? null : tcp.tcp.ack,
    window: tcp === null ? null : tcp.tcp.window,
    ctrace: ctraceColumns(packet),
  };
}
