/**
 * Floods (exception-catalog SCAN-13, ICMP floods): a packet rate to one target far above normal, counted
 * in whole seconds. A SYN flood is many SYNs per second to one service of which few complete the
 * handshake; an ICMP flood is many ICMP messages per second to one host. State is one small counter per
 * target (capped, least recently used forgotten first).
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { Completeness } from '../tcp/tcp-conversation.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { type HostKey, connectionHostKey, destinationKey, destinationText, endpointText, sourceText } from '../address.js';

/** After the last flooded second, SYNs and completions still count toward the episode for this long. */
const EPISODE_TAIL_SEC = 10;

/** Packets per whole second to one target, and the seconds at or above the flood rate. */
class RateCounter {
  second = -1;
  inSecond = 0;
  peak = 0;
  floodSeconds = 0;
  lastFloodSecond = -1;
  group: FindingGroup | null = null;

  /** Counts a packet; true when this second just reached the flood rate. */
  count(second: number, rate: number): boolean {
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    this.inSecond++;
    this.peak = Math.max(this.peak, this.inSecond);
    if (this.inSecond !== rate) return false;
    this.floodSeconds++;
    this.lastFloodSecond = second;
    return true;
  }

  inEpisode(second: number): boolean {
    return this.lastFloodSecond >= 0 && second <= this.lastFloodSecond + EPISODE_TAIL_SEC;
  }
}

class ServiceCounter extends RateCounter {
  synsInEpisode = 0;
  completedInEpisode = 0;
}

/**
 * A map with a size cap that forgets the least recently used key. A counter moves to the back of the
 * map's order only when a new second begins for it: recent enough, and not a re-insert per packet.
 */
function touch<K, V extends RateCounter>(map: Map<K, V>, key: K, make: () => V, cap: number, second: number): V {
  let value = map.get(key);
  if (value !== undefined) {
    if (value.second === second) return value;
    map.delete(key);
  } else {
    value = make();
    if (map.size >= cap) map.delete(map.keys().next().value as K);
  }
  map.set(key, value);
  return value;
}

export class SynFloodAnalyzer implements PacketAnalyzer {
  readonly name = 'syn-flood';
  private readonly groups: FindingGroups;
  private readonly services = new Map<string, ServiceCounter>();
  private readonly completed = new WeakSet<TcpConnection>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    const c = p.tcpConnection ?? null;
    if (p.tcp === null || d === null || c === null) return;
    const flags = p.tcp.tcp.flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST);
    const second = p.packet.timeSec;
    if (flags === TcpFlags.SYN) this.countSyn(p, d.destinationPort, second);
    else if (flags === TcpFlags.ACK && p.tcpFromA === true) this.countCompletion(c, second);
  }

  private countSyn(p: AnalyzedPacket, port: number, second: number): void {
    const d = datagramOf(p)!;
    const key = `${destinationKey(d)}/${port}`;
    const service = touch(this.services, key, () => new ServiceCounter(), this.thresholds.maxTrackedHosts, second);
    if (service.count(second, this.thresholds.synFloodPerSec) && service.group === null) {
      service.group = this.floodGroup(endpointText(destinationText(d), port));
      // The SYNs of this second before the rate was reached belong to the flood too.
      service.group.addEvent(p.packet.timeSec, p.packet.timeNsec, service.inSecond - 1);
      service.synsInEpisode += service.inSecond - 1;
    }
    if (!service.inEpisode(second) || service.group === null) return;
    service.synsInEpisode++;
    service.group.add(p, 'SYN');
    service.group.listDetail('sources', sourceText(d));
    service.group.details['peakSynsPerSecond'] = service.peak;
    service.group.details['floodedSeconds'] = service.floodSeconds;
  }

  /** The originator's first pure ACK after SYN and SYN-ACK: a completed handshake. */
  private countCompletion(c: TcpConnection, second: number): void {
    const both = Completeness.SYN_SENT | Completeness.SYN_ACK;
    if ((c.completeness & both) !== both || this.completed.has(c)) return;
    this.completed.add(c);
    const service = this.services.get(`${connectionHostKey(c, false)}/${c.portB}`);
    if (service !== undefined && service.inEpisode(second)) service.completedInEpisode++;
  }

  private floodGroup(target: string): FindingGroup {
    return this.groups.get(`syn-flood|${target}`, () => ({
      rule: 'hostile.syn_flood',
      category: 'hostile',
      severity: 'error',
      title: `SYN flood against ${target}`,
      explanation: `More SYNs per second reached ${target} than the flood threshold, and few completed the handshake: a SYN flood filling the server's backlog of half-open connections (often from spoofed sources, whose SYN-ACKs go to third parties as backscatter).`,
      subject: { service: target },
    }));
  }

  finish(): Finding[] {
    for (const service of this.services.values()) {
      if (service.group === null) continue;
      const percent = service.synsInEpisode === 0 ? 0 : (100 * service.completedInEpisode) / service.synsInEpisode;
      service.group.details['completedPercent'] = Math.round(percent * 10) / 10;
      // A burst that mostly completes is a busy service, not a flood.
      if (percent >= this.thresholds.synFloodCompletionPercent) service.group.count = 0;
    }
    return this.groups.findings();
  }
}

export class IcmpFloodAnalyzer implements PacketAnalyzer {
  readonly name = 'icmp-flood';
  private readonly groups: FindingGroups;
  private readonly targets = new Map<HostKey, RateCounter>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null || (d.protocol !== IpProtocol.ICMP && d.protocol !== IpProtocol.ICMPV6)) return;
    const second = p.packet.timeSec;
    const counter = touch(this.targets, destinationKey(d), () => new RateCounter(), this.thresholds.maxTrackedHosts, second);
    if (counter.count(second, this.thresholds.icmpFloodPerSec) && counter.group === null) {
      const target = destinationText(d);
      counter.group = this.groups.get(`icmp-flood|${target}`, () => ({
        rule: 'hostile.icmp_flood',
        category: 'hostile',
        severity: 'error',
        title: `ICMP flood against ${target}`,
        explanation: `More ICMP messages per second reached ${target} than the flood threshold: a ping flood or another ICMP denial of service (z/OS IDS calls these FLOOD or PERPETUAL ECHO attacks).`,
        subject: { host: target },
      }));
    }
    if (counter.group === null || !counter.inEpisode(second)) return;
    if (counter.group.hasRoomForEvidence) counter.group.add(p, `ICMP type ${d.icmpType} code ${d.icmpCode}`);
    else counter.group.countPacket(p);
    counter.group.listDetail('sources', sourceText(d));
    counter.group.listDetail('icmpTypes', d.icmpType);
    counter.group.details['peakPerSecond'] = counter.peak;
    counter.group.details['floodedSeconds'] = counter.floodSeconds;
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
