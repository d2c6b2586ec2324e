/**
 * Truncated packets (analysis.md §4, exception-catalog Z-08): packets traced shorter than they were on
 * the wire — the packet trace's ABBREV/PCKLENGTH setting, the OSA's 480-byte limit for OSAENTA, a capture
 * snap length, or a segmented record with pieces missing. Payload decodes of these packets are partial
 * and their checksums cannot be checked, so the report says so: one note per interface, with the largest
 * length traced (which shows the ABBREV value in effect).
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';

export class TruncationAnalyzer implements PacketAnalyzer {
  readonly name = 'truncation';
  private readonly groups: FindingGroups;
  private truncated = 0;
  /** The groups by link, for whole packets cut short and for packets with segments missing: no key built per packet. */
  private readonly byLink = [new Map<string, FindingGroup>(), new Map<string, FindingGroup>()];

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  /** Packets seen truncated so far. */
  get truncatedPackets(): number {
    return this.truncated;
  }

  observe(p: AnalyzedPacket): void {
    const packet = p.packet;
    const incomplete = packet.ctrace?.segments?.incomplete === true;
    if (packet.data.length >= packet.originalLength && packet.ctrace?.truncated !== true) return;
    // Data withheld as AT-TLS confidential is not a truncation; at-tls.ts reports it.
    if (packet.ctrace?.flagNames.includes('confidential') === true) return;
    this.truncated++;
    const group = this.groupOf(packet.interface.name, incomplete);
    if (group.hasRoomForEvidence) group.add(p, `${packet.data.length} of ${packet.originalLength} bytes traced`);
    else group.countPacket(p);
    group.maxDetail('largestTracedLength', packet.data.length);
  }

  private groupOf(link: string, incomplete: boolean): FindingGroup {
    const known = this.byLink[incomplete ? 1 : 0]!.get(link);
    if (known !== undefined) return known;
    const group = this.groups.get(`${link}|${incomplete}`, () => ({
      rule: incomplete ? 'capture.incomplete_segments' : 'capture.truncated',
      category: 'capture',
      severity: incomplete ? 'warning' : 'note',
      title: incomplete ? `Packets with trace segments missing on ${link}` : `Packets traced abbreviated on ${link}`,
      explanation: incomplete
        ? 'The stack wrote these packets in several trace entries and some entries are missing: the packets are shorter than they were. Decodes of their payload are partial.'
        : 'These packets were traced shorter than they were on the wire (the packet trace ABBREV or PCKLENGTH setting, the OSA limit of 480 bytes for OSAENTA, or a capture snap length): application decodes of their payload are partial and checksums cannot be checked. Trace FULL where the payload matters.',
      subject: { interface: link },
    }));
    this.byLink[incomplete ? 1 : 0]!.set(link, group);
    return group;
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
