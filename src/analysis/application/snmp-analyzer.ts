/**
 * SNMP v1 and v2c community strings in clear (spec APP-01): one note per agent (or trap receiver) and
 * community. A community is a password: only the well-known defaults (public, private) are named in the
 * report; any other is shown by its length only.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import type { ApplicationPacket } from './application-packet.js';
import { isDefaultSnmpCommunity, snmpPduName, snmpVersionName } from './application-tables.js';
import type { Thresholds } from '../thresholds.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import { SnmpPort, communityText, isSnmpPort, readSnmpMessage } from './snmp-message.js';

class CommunityGroup {
  readonly evidence = new FindingEvidence();
  readonly versions = new CappedList(3);
  readonly peers = new CappedList(15);
  readonly pdus = new CappedList(10);
  target = '';
  community = '';
  isDefault = false;
}

export class SnmpAnalyzer implements PacketAnalyzer {
  readonly name = 'snmp';
  private readonly groups: CappedGroups<CommunityGroup>;

  constructor(
    private readonly app: ApplicationPacket,
    t: Thresholds,
  ) {
    this.groups = new CappedGroups(t.maxFindingGroups, () => new CommunityGroup());
  }

  observe(p: AnalyzedPacket): void {
    const app = this.app.decode(p);
    const udp = app.udp;
    const ip = app.ip;
    if (udp === null || ip === null || !isSnmpPort(udp.sourcePort, udp.destinationPort)) return;
    const message = readSnmpMessage(p.packet.data, udp.payloadOffset, udp.payloadEnd);
    if (message === null || message.community === null) return;
    // The agent (161) or trap receiver (162) is the side on the SNMP port.
    const toService = udp.destinationPort === SnmpPort.AGENT || udp.destinationPort === SnmpPort.TRAP;
    const target = toService ? endpointText(destinationText(ip), udp.destinationPort) : endpointText(sourceText(ip), udp.sourcePort);
    const peer = toService ? sourceText(ip) : destinationText(ip);
    const shown = communityText(message.community);
    const group = this.groups.get(`${target}|${shown}`);
    group.target ||= target;
    group.community = shown;
    group.isDefault = isDefaultSnmpCommunity(message.community);
    group.versions.add(snmpVersionName(message.version));
    group.peers.add(peer);
    const pdu = snmpPduName(message.pduTag);
    if (pdu !== null) group.pdus.add(pdu);
    group.evidence.add(p, `SNMP ${snmpVersionName(message.version)} ${pdu ?? 'message'} with community ${shown}`);
  }

  finish(): Finding[] {
    return this.groups.entries().map(([key, g]) => {
      const target = key === OTHER_GROUP ? '(other agents)' : g.target;
      const community = key === OTHER_GROUP ? '(various)' : g.community;
      const count = g.evidence.count;
      return g.evidence.toFinding('snmp.community_in_clear', 'application', 'note', {
        title: `SNMP ${g.versions.text()} community ${community} sent in clear to or from ${target} (${count} ${count === 1 ? 'message' : 'messages'})`,
        explanation:
          'SNMP v1 and v2c authenticate with a community string carried as plain text: anyone who sees this traffic can ' +
          'read it and query the agent (or change it, with a write community). ' +
          (g.isDefault ? 'This is a default community that attackers try first. ' : '') +
          'Use SNMPv3 with authentication and privacy, or restrict the agent to its managers.',
        subject: { host: target, service: 'snmp' },
        details: { messages: count, community, versions: g.versions.values, pdus: g.pdus.values, peers: g.peers.values },
      });
    });
  }
}

