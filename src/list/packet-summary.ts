/**
 * One packet as `zctrace list` shows it, in the spirit of IPCS's packet trace SUMMARY report: record
 * number, time, direction, link, protocol, addresses and ports, TCP flags, sequence/acknowledgment/window,
 * lengths, and the CTRACE facts that matter when hunting a problem (discard reason, IDS probe). `--json`
 * prints exactly this object, one per line: every field is documented here and keeps its name.
 */
import { formatIpv4, formatIpv6 } from '../net/ip-header.js';
import { ipProtocolName, IpProtocol } from '../net/ip-protocols.js';
import { PacketLayers, readPacketLayers } from '../net/packet-layers.js';
import { TcpFlags, TcpHeader, readTcpHeader } from '../net/tcp-header.js';
import { formatUtc } from '../model/time.js';
import type { Component } from '../model/component.js';
import type { Direction } from '../model/trace-packet.js';
import type { SourcedPacket } from '../input/time-order-window.js';
import { addressCopyOf, correlatorOf, formatProbeId, jobNameOf, portCopyOf, probeIdOf, protocolCopyOf } from '../filter/packet-facts.js';

export interface PacketSummary {
  /** The input file the packet came from, as named on the command line. */
  input: string;
  /** CTRACE record number of the packet's (first) entry; for a pcap/pcapng input, the frame number. */
  record: number;
  /** Capture time, ISO 8601 UTC to the nanosecond (2024-05-01T10:00:00.123456789Z). */
  time: string;
  /** Relative to the traced stack: inbound, outbound, or unknown. */
  direction: Direction;
  /** Link, interface or OSA port name (for a capture input, its interface name or file name). */
  link: string;
  /** Trace component (SYSTCPDA, SYSTCPOT, SYSTCPIS); null for a capture input. */
  component: Component | null;
  /** CTRACE format ID (4 packet trace, 5 data trace, 7 OSAENTA; the probe ID for IDS); null for a capture input. */
  formatId: number | null;
  /** 4 or 6; null when the packet holds no IP header. */
  ipVersion: number | null;
  /** IP protocol number (after IPv6 extension headers); null when unknown. */
  protocol: number | null;
  /** TCP, UDP, ICMP, ICMPv6… or the number as text; null when unknown. */
  protocolName: string | null;
  /** Source and destination addresses (IPv6 in RFC 5952 form); null when not traced. */
  source: string | null;
  destination: string | null;
  /** TCP/UDP ports; null for other protocols or when not traced. */
  sourcePort: number | null;
  destinationPort: number | null;
  /** IPv4 identification; null for IPv6. */
  ipId: number | null;
  /** TCP flags set, in header order as Wireshark lists them (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE); null for non-TCP. */
  tcpFlags: string[] | null;
  /** TCP sequence and acknowledgment numbers (raw, not relative) and window field as sent (unscaled). */
  seq: number | null;
  ack: number | null;
  window: number | null;
  /** ICMP/ICMPv6 type and code. */
  icmpType: number | null;
  icmpCode: number | null;
  /** Bytes on the wire (the IP packet, or the frame for Ethernet links). */
  length: number;
  /** Bytes traced: fewer than `length` when the trace was abbreviated. */
  captured: number;
  /** Transport payload bytes on the wire (TCP/UDP data length), from the IP lengths; null when unknown. */
  payloadLength: number | null;
  /** The stack's discard reason, when it discarded the packet. */
  discard: { code: number; name: string | null; layer: string } | null;
  /** IDS probe ID, 8 hex digits (03030000); null for other records. */
  probe: string | null;
  /** IDS correlator (ties the record to console message EZZ8763I); null when absent. */
  correlator: number | null;
  /** Job name of IDS and data trace records; null when absent. */
  job: string | null;
}

/** TCP flag names, lowest bit first. */
const TCP_FLAG_NAMES = Object.entries(TcpFlags).map(([name, bit]) => ({ name, bit }));

function tcpFlagNames(flags: number): string[] {
  return TCP_FLAG_NAMES.filter((f) => (flags & f.bit) !== 0).map((f) => f.name);
}

/** Builds summaries; holds the scratch views it reuses from packet to packet. */
export class PacketSummarizer {
  private readonly layers = new PacketLayers();
  private readonly tcp = new TcpHeader();

  /** `inputs` are the input names in command-line order (SourcedPacket.input indexes them). */
  constructor(private readonly inputs: readonly string[]) {}

  summarize(packet: SourcedPacket): PacketSummary {
    const data = packet.data;
    const l = this.layers;
    readPacketLayers(data, packet.interface.linkType, packet.originalLength, l);
    const ctrace = packet.ctrace;
    const protocol = l.protocol >= 0 ? l.protocol : protocolCopyOf(packet);
    const isTcp = l.protocol === IpProtocol.TCP && readTcpHeader(data, l.transportOffset, data.length, this.tcp);
    const isIcmp = (l.protocol === IpProtocol.ICMP || l.protocol === IpProtocol.ICMPV6) && l.transportOffset >= 0 && l.transportOffset + 2 <= data.length;
    const probe = probeIdOf(packet);
    return {
      input: this.inputs[packet.input] ?? '',
      record: ctrace?.recordNumber ?? packet.ordinal,
      time: formatUtc(packet.timeSec, packet.timeNsec),
      direction: packet.direction,
      link: packet.interface.name,
      component: ctrace?.component ?? null,
      formatId: ctrace?.formatId ?? null,
      ipVersion: l.ipVersion === 0 ? null : l.ipVersion,
      protocol,
      protocolName: protocol === null ? null : ipProtocolName(protocol),
      source: this.address(data, l.sourceAddressAt) ?? addressCopyOf(packet, 'source'),
      destination: this.address(data, l.destinationAddressAt) ?? addressCopyOf(packet, 'destination'),
      sourcePort: l.sourcePort >= 0 ? l.sourcePort : portCopyOf(packet, 'source'),
      destinationPort: l.destinationPort >= 0 ? l.destinationPort : portCopyOf(packet, 'destination'),
      ipId: l.ipId >= 0 ? l.ipId : null,
      tcpFlags: isTcp ? tcpFlagNames(this.tcp.flags) : null,
      seq: isTcp ? this.tcp.seq : null,
      ack: isTcp ? this.tcp.ack : null,
      window: isTcp ? this.tcp.window : null,
      icmpType: isIcmp ? (data[l.transportOffset] ?? 0) : null,
      icmpCode: isIcmp ? (data[l.transportOffset + 1] ?? 0) : null,
      length: Math.max(packet.originalLength, data.length),
      captured: data.length,
      payloadLength: l.payloadLength >= 0 ? l.payloadLength : null,
      discard: ctrace?.discard == null ? null : { code: ctrace.discard.code, name: ctrace.discard.name, layer: ctrace.discard.layer },
      probe: probe === null ? null : formatProbeId(probe),
      correlator: correlatorOf(packet),
      job: jobNameOf(packet),
    };
  }

  private address(data: Uint8Array, at: number): string | null {
    if (at < 0) return null;
    return this.layers.ipVersion === 6 ? formatIpv6(data, at) : formatIpv4(data, at);
  }
}
