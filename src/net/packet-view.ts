/**
 * From a captured frame to its TCP segment: the frame's layers (packet-layers.ts) and the TCP header, in
 * one reusable view. The segment length is the way Wireshark takes it: from the IP lengths, so a snapped
 * capture still counts the whole payload.
 */
import type { TracePacket } from '../model/trace-packet.js';
import { IPV6_HEADER } from './ip-header.js';
import { IpProtocol } from './ip-protocols.js';
import { PacketLayers, readPacketLayers } from './packet-layers.js';
import { TcpHeader, readTcpHeader } from './tcp-header.js';

/** One TCP segment of a frame: its layers and TCP header. Filled in place; valid until the next read. */
export class TcpPacketView extends PacketLayers {
  readonly tcp = new TcpHeader();

  /** Where the TCP header starts in the frame. */
  get tcpOffset(): number {
    return this.transportOffset;
  }

  /** TCP header + payload bytes per the IP header (never more than the wire carried). */
  get tcpLength(): number {
    return this.transportLength;
  }
}

/**
 * After readPacketLayers filled `view` from `data`: true, with the TCP header read, when the frame holds an
 * analysable TCP segment. False for anything else: not TCP, an IP fragment (Wireshark sees the segment only
 * once reassembled, and we do not reassemble), an IPv6 jumbogram, fewer than 20 TCP header bytes captured,
 * or an IP length too short for the TCP header it carries.
 */
export function readTcpOfLayers(data: Uint8Array, view: TcpPacketView): boolean {
  if (!view.ipHeaderComplete || view.protocol !== IpProtocol.TCP || view.isFragment || view.transportOffset < 0) return false;
  const stated = view.statedLength;
  if (view.ipVersion === 4 ? stated !== 0 && stated < view.ipHeaderLength : stated === IPV6_HEADER) return false;
  if (view.transportOffset > view.ipOffset + view.totalLength) return false;
  if (!readTcpHeader(data, view.transportOffset, data.length, view.tcp)) return false;
  return view.transportLength >= view.tcp.headerLength;
}

/**
 * Fills `out` with the TCP segment of one frame; false when it holds no analysable segment (see
 * readTcpOfLayers). `originalLength` is the frame's length on the wire.
 */
export function readTcpSegment(data: Uint8Array, linkType: number, originalLength: number, out: TcpPacketView): boolean {
  return readPacketLayers(data, linkType, originalLength, out) && readTcpOfLayers(data, out);
}

/** readTcpSegment for a TracePacket. */
export function readTcpPacket(packet: TracePacket, out: TcpPacketView): boolean {
  return readTcpSegment(packet.data, packet.interface.linkType, packet.originalLength, out);
}
