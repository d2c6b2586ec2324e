/**
 * The decodes the application analyzers share for one packet, done once whichever analyzer asks first:
 * the UDP header, or the ICMP message with the datagram it quotes. IP facts come from the pipeline's
 * reading of the packet’s layers (datagramOf); TCP from its TCP view. The objects are reused from packet
 * to packet.
 */
import { type AnalyzedPacket, datagramOf } from '../analyzed-packet.js';
import { PacketLayers, readIpLayers } from '../../net/packet-layers.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { IcmpMessage, readIcmpMessage } from '../../net/icmp-message.js';
import { UdpHeader, readUdpHeader } from '../../net/udp-header.js';

export class ApplicationPacket {
  /** The IP facts, or null when the packet holds no IP header. */
  ip: PacketLayers | null = null;
  /** Set when the packet is a first (or only) UDP fragment with its header captured. */
  udp: UdpHeader | null = null;
  /** Set for ICMP and ICMPv6 messages. */
  icmp: IcmpMessage | null = null;
  /** The datagram an ICMP error quotes, when its IP header is captured. */
  quoted: PacketLayers | null = null;

  private readonly udpHeader = new UdpHeader();
  private readonly icmpMessage = new IcmpMessage();
  private readonly quotedDatagram = new PacketLayers();
  private decodedFor: AnalyzedPacket | null = null;
  private decodedFrame = -1;
  private decodedInput = -1;

  /** Decodes `p` unless it is the packet decoded last; returns this. */
  decode(p: AnalyzedPacket): this {
    if (this.decodedFor === p && this.decodedFrame === p.frame && this.decodedInput === p.input) return this;
    this.decodedFor = p;
    this.decodedFrame = p.frame;
    this.decodedInput = p.input;
    this.udp = this.icmp = this.quoted = null;
    const ip = datagramOf(p);
    this.ip = ip;
    if (ip === null || ip.transportOffset < 0) return this;
    const data = p.packet.data;
    const transportEnd = ip.transportOffset + ip.transportLength;
    if (ip.protocol === IpProtocol.UDP) {
      if (readUdpHeader(data, ip.transportOffset, transportEnd, this.udpHeader)) this.udp = this.udpHeader;
    } else if (ip.protocol === IpProtocol.ICMP || ip.protocol === IpProtocol.ICMPV6) {
      const version = ip.ipVersion === 6 ? 6 : 4;
      if (readIcmpMessage(data, ip.transportOffset, transportEnd, version, this.icmpMessage)) {
        this.icmp = this.icmpMessage;
        const quoted = this.icmpMessage.quotedOffset;
        if (quoted >= 0 && readIpLayers(data, quoted, data.length, this.quotedDatagram) && this.quotedDatagram.ipHeaderComplete) {
          this.quoted = this.quotedDatagram;
        }
      }
    }
    return this;
  }
}

/** Capture time in seconds (a float: thresholds are seconds, far coarser than its precision). */
export function secondsOf(p: AnalyzedPacket): number {
  return p.packet.timeSec + p.packet.timeNsec / 1e9;
}

/** Where the TCP payload of `p` starts and ends in its bytes, and its length on the wire. */
export interface TcpPayload {
  start: number;
  /** End of the captured payload bytes. */
  end: number;
  /** Payload length per the IP lengths (may exceed end − start in a truncated capture). */
  wireLength: number;
}

/** Fills `out` for a TCP packet; false when `p` is not one. */
export function tcpPayloadOf(p: AnalyzedPacket, out: TcpPayload): boolean {
  const view = p.tcp;
  if (view === null) return false;
  out.start = view.tcpOffset + view.tcp.headerLength;
  out.wireLength = view.payloadLength;
  out.end = Math.max(out.start, Math.min(p.packet.data.length, out.start + view.payloadLength));
  return true;
}
