/**
 * Packets received with TTL 0 (exception-catalog IP-04): no router may forward such a packet, so it was
 * crafted (scanning tools do this) or sent from the same link by a broken stack. ICMP Time Exceeded, the
 * other side of TTLs running out, is the ICMP analyzer's (application/icmp-analyzer.ts), with its
 * traceroute handling.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { FindingGroups } from '../finding-groups.js';
import { destinationText, sourceText } from '../address.js';

export class TtlZeroAnalyzer implements PacketAnalyzer {
  readonly name = 'ttl-zero';
  private readonly groups: FindingGroups;

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null || d.ipVersion !== 4 || d.ttl !== 0 || p.packet.direction === 'outbound') return;
    const source = sourceText(d);
    const group = this.groups.get(source, () => ({
      rule: 'hostile.ttl_zero',
      category: 'hostile',
      severity: 'warning',
      title: `Packets received with TTL 0 from ${source}`,
      explanation: 'Packets arrived with TTL 0, which no router may forward: they were crafted (scanning tools do this) or sent from the same link by a broken stack.',
      subject: { host: source },
    }));
    group.add(p, 'TTL 0');
    group.listDetail('destinations', destinationText(d));
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
