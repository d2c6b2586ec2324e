/**
 * Packets whose addresses cannot be genuine (exception-catalog IP-08, analysis.md §3): martian sources
 * and destinations (spoofed or misrouted), and LAND attacks (a SYN whose source equals its destination,
 * ports included, which makes some stacks answer themselves forever). Loopback addresses are normal on
 * the stack's loopback interface, and 0.0.0.0 is the normal source of a DHCP client asking for an address.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { FindingGroups } from '../finding-groups.js';
import { type PacketLayers } from '../../net/packet-layers.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { destinationText, endpointText, sameSourceAndDestination, sourceText } from '../address.js';
import { isIpv4Loopback, martianIpv4Destination, martianIpv4Source, martianIpv6Source } from './martian-addresses.js';
import { onLoopbackInterface } from '../loopback-interface.js';

const DHCP_CLIENT_PORT = 68;
const DHCP_SERVER_PORT = 67;

function isDhcpDiscover(d: PacketLayers): boolean {
  return d.protocol === IpProtocol.UDP && d.sourcePort === DHCP_CLIENT_PORT && d.destinationPort === DHCP_SERVER_PORT;
}

/** Why the packet's addresses are impossible, or null. */
function martianReason(p: AnalyzedPacket, d: PacketLayers): { reason: string; role: 'source' | 'destination' } | null {
  if (d.ipVersion === 4) {
    const loopbackTraffic = isIpv4Loopback(d.source0) && isIpv4Loopback(d.destination0);
    if (loopbackTraffic && onLoopbackInterface(p.packet)) return null;
    const source = martianIpv4Source(d.source0);
    if (source !== null && !(d.source0 === 0 && isDhcpDiscover(d))) return { reason: source, role: 'source' };
    const destination = martianIpv4Destination(d.destination0);
    return destination === null ? null : { reason: destination, role: 'destination' };
  }
  if (onLoopbackInterface(p.packet)) return null;
  const source = martianIpv6Source(d.source0, d.source1, d.source2, d.source3);
  return source === null ? null : { reason: source, role: 'source' };
}

export class BadAddressAnalyzer implements PacketAnalyzer {
  readonly name = 'bad-addresses';
  private readonly groups: FindingGroups;

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null) return;
    const martian = martianReason(p, d);
    if (martian !== null) this.noteMartian(p, d, martian.reason, martian.role);
    if (p.tcp !== null && (p.tcp.tcp.flags & (TcpFlags.SYN | TcpFlags.ACK)) === TcpFlags.SYN && sameSourceAndDestination(d) && d.sourcePort === d.destinationPort) {
      this.noteLand(p, d);
    }
  }

  private noteMartian(p: AnalyzedPacket, d: PacketLayers, reason: string, role: 'source' | 'destination'): void {
    const address = role === 'source' ? sourceText(d) : destinationText(d);
    const group = this.groups.get(`${role}|${address}`, () => ({
      rule: 'hostile.martian_address',
      category: 'hostile',
      severity: 'warning',
      title: `Impossible ${role} address ${address}`,
      explanation: `Packets with ${reason}: such an address is never valid on the wire, so the packets are spoofed, or a host or router is misconfigured (z/OS IDS reports these as malformed packets).`,
      subject: { host: address },
    }));
    group.add(p, reason);
    group.listDetail(role === 'source' ? 'destinations' : 'sources', role === 'source' ? destinationText(d) : sourceText(d));
  }

  private noteLand(p: AnalyzedPacket, d: PacketLayers): void {
    const target = endpointText(destinationText(d), d.destinationPort);
    this.groups
      .get(`land|${target}`, () => ({
        rule: 'hostile.land',
        category: 'hostile',
        severity: 'error',
        title: `LAND attack on ${target}`,
        explanation: 'A SYN whose source address and port equal its destination: the LAND attack, which makes a vulnerable stack answer itself in a loop. The packet is spoofed.',
        subject: { service: target },
      }))
      .add(p, 'SYN from the target to itself');
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
