/**
 * Discarded packets (analysis.md §4, exception-catalog Z-01..03): packet trace records the stack (or the
 * OSA adapter) wrote for a packet it threw away, with the discard reason code. One finding per code,
 * interface and peer, so "4114 IP_MAC_BRDCST on OSDL from 172.29.96.93" reads as one line; a warning,
 * an error when the group is large or fast (a discard storm). Codes 1-4095 are the OSA adapter's, the
 * rest the stack's layers (contract §5); the code table supplies names and meanings.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import type { DiscardReason } from '../../model/trace-packet.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import { formatDiscard } from '../../ctrace/code-tables.js';
import { protocolColumn } from '../views/packet-rows.js';

/** Discard codes below this are the OSA adapter's (contract §5), the rest the TCP/IP stack's. */
const FIRST_STACK_CODE = 4096;
/** Z-03's second criterion: a link discarding at least half of what comes in is in a storm ... */
const STORM_SHARE_PERCENT = 50;
/** ... once enough came in for a share to mean something (a trace of two packets is no storm). */
const STORM_SHARE_MIN_DISCARDS = 10;

/** Inbound packets traced on one link, and how many of them were discarded. */
interface LinkInbound {
  traced: number;
  discarded: number;
}

class DiscardGroup {
  second = -1;
  inSecond = 0;
  peakPerSecond = 0;

  constructor(readonly group: FindingGroup) {}

  count(second: number): void {
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    this.inSecond++;
    this.peakPerSecond = Math.max(this.peakPerSecond, this.inSecond);
  }
}

function explain(reason: DiscardReason, byOsa: boolean): string {
  const who = byOsa ? 'The OSA-Express adapter' : 'The TCP/IP stack';
  const meaning = reason.description === null ? `a reason of the ${reason.layer} layer that the code table does not name yet (see z/OS Communications Server IP and SNA Codes)` : reason.description;
  return `${who} discarded these packets: ${meaning}. The packets never reached (or never left) the application.`;
}

export class DiscardAnalyzer implements PacketAnalyzer {
  readonly name = 'discards';
  private readonly groups: FindingGroups;
  private readonly rates = new Map<FindingGroup, DiscardGroup>();
  /** Per link (a handful per trace); the groups of inbound discards keep their link's name. */
  private readonly inbound = new Map<string, LinkInbound>();
  private readonly inboundGroups = new Map<FindingGroup, string>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const reason = p.packet.ctrace?.discard ?? null;
    const link = p.packet.interface.name;
    if (p.packet.direction === 'inbound') this.countInbound(link, reason !== null);
    if (reason === null) return;
    const d = datagramOf(p);
    // The peer is the far end: the source of a packet coming in, the destination of one going out.
    const peer = d === null ? 'non-IP' : p.packet.direction === 'outbound' ? destinationText(d) : sourceText(d);
    const byOsa = reason.code < FIRST_STACK_CODE;
    const code = formatDiscard(reason);
    const group = this.groups.get(`${reason.code}|${link}|${peer}`, () => ({
      rule: 'zos.discard',
      category: 'zos',
      severity: 'warning',
      title: `Discarded ${code} on ${link} ${p.packet.direction === 'outbound' ? 'to' : 'from'} ${peer}`,
      explanation: explain(reason, byOsa),
      subject: { interface: link, host: peer },
    }));
    let rate = this.rates.get(group);
    if (rate === undefined) {
      rate = new DiscardGroup(group);
      this.rates.set(group, rate);
      Object.assign(group.details, { code: reason.code, name: reason.name ?? '(not in the code table)', layer: reason.layer, discardedBy: byOsa ? 'OSA adapter' : 'TCP/IP stack' });
    }
    if (p.packet.direction === 'inbound') this.inboundGroups.set(group, link);
    rate.count(p.packet.timeSec);
    const destination = d === null ? '' : endpointText(destinationText(d), d.destinationPort);
    if (group.hasRoomForEvidence) group.add(p, `discard ${code}: ${d === null ? '' : `${endpointText(sourceText(d), d.sourcePort)} → ${destination} `}${protocolColumn(d)}`);
    else group.countPacket(p);
    if (d !== null) group.listDetail('destinations', destination);
    if (p.packet.ctrace?.deviceName) group.listDetail('devices', p.packet.ctrace.deviceName);
  }

  private countInbound(link: string, discarded: boolean): void {
    let counts = this.inbound.get(link);
    if (counts === undefined) {
      if (this.inbound.size >= this.thresholds.maxTrackedHosts) return;
      counts = { traced: 0, discarded: 0 };
      this.inbound.set(link, counts);
    }
    counts.traced++;
    if (discarded) counts.discarded++;
  }

  /** The link's share of inbound packets discarded (all codes and peers), as NETSTAT's link statistics would show it. */
  private inboundShare(group: FindingGroup): LinkInbound | null {
    const link = this.inboundGroups.get(group);
    const counts = link === undefined ? undefined : this.inbound.get(link);
    if (counts === undefined || counts.traced === 0) return null;
    group.details['inboundOnLink'] = counts.traced;
    group.details['discardedInboundOnLink'] = counts.discarded;
    group.details['percentOfInboundDiscarded'] = Math.round((1000 * counts.discarded) / counts.traced) / 10;
    return counts;
  }

  finish(): Finding[] {
    for (const rate of this.rates.values()) {
      const { group } = rate;
      group.details['peakPerSecond'] = rate.peakPerSecond;
      const share = this.inboundShare(group);
      const mostlyDiscarded = share !== null && share.discarded >= STORM_SHARE_MIN_DISCARDS && 100 * share.discarded >= STORM_SHARE_PERCENT * share.traced;
      const storm = group.count >= this.thresholds.discardStormCount || rate.peakPerSecond >= this.thresholds.discardStormPerSec || mostlyDiscarded;
      const shareText = mostlyDiscarded ? `: ${share.discarded} of ${share.traced} inbound packets on ${group.spec.subject.interface} discarded` : '';
      if (storm) group.spec = { ...group.spec, severity: 'error', title: `${group.spec.title} (discard storm${shareText})` };
    }
    return this.groups.findings();
  }
}
