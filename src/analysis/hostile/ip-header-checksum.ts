/**
 * IPv4 header checksum errors on received packets (exception-catalog IP-17). Unlike TCP's, the IP header
 * checksum is not left to the adapter: the sending stack computes it in software, so a received header
 * that does not verify was damaged on the way or crafted, and the receiver (stack or OSA adapter) throws
 * the packet away. Sent packets are not checked: the trace may see them before the header is final; nor
 * is a field of 0, the mark of a header no one filled in.
 * One finding per source and link.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { FindingGroups } from '../finding-groups.js';
import { destinationText, sourceText } from '../address.js';
import { checksumOf, checksumVerifies, onesComplementSum } from '../../net/internet-checksum.js';

/** Offset of the header checksum field in the IPv4 header. */
const CHECKSUM_FIELD = 10;

function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

export class IpHeaderChecksumAnalyzer implements PacketAnalyzer {
  readonly name = 'ip-header-checksum';
  private readonly groups: FindingGroups;

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    if (p.packet.direction !== 'inbound') return;
    const d = datagramOf(p);
    if (d === null || d.ipVersion !== 4 || !d.ipHeaderComplete) return;
    const data = p.packet.data;
    const start = d.ipOffset;
    const end = start + d.ipHeaderLength;
    if (end > data.length) return;
    const field = ((data[start + CHECKSUM_FIELD] ?? 0) << 8) | (data[start + CHECKSUM_FIELD + 1] ?? 0);
    // A field of 0 was never filled in (a header traced before it was final, a hand-built packet), not damage.
    if (field === 0 || checksumVerifies(data, start, end)) return;
    const source = sourceText(d);
    const link = p.packet.interface.name;
    const group = this.groups.get(`${source}|${link}`, () => ({
      rule: 'hostile.bad_ip_checksum',
      category: 'hostile',
      severity: 'warning',
      title: `IPv4 header checksum errors from ${source} on ${link}`,
      explanation: `Received IPv4 packets whose header checksum is wrong. The sender computes it in software (no adapter offload), so the header was damaged on the way or the packets were crafted; the receiving stack or adapter discards them (header errors in the link statistics).`,
      subject: { host: source, interface: link },
    }));
    if (group.hasRoomForEvidence) {
      const right = checksumOf(onesComplementSum(data, start + CHECKSUM_FIELD + 2, end, onesComplementSum(data, start, start + CHECKSUM_FIELD)));
      group.add(p, `header checksum ${hex4(field)}, should be ${hex4(right)}`);
    } else group.countPacket(p);
    group.listDetail('destinations', destinationText(d));
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
