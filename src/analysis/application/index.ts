/**
 * The application analyzers (spec analysis.md §3 brute force, §5 application decodes): FTP, DNS, DHCP,
 * ICMP, TLS and SNMP, sharing one per-packet decode of UDP and ICMP; and the packets table's labeller.
 */
import type { PacketAnalyzer } from '../analyzed-packet.js';
import { ApplicationPacket } from './application-packet.js';
import { type ThresholdName, withOverrides } from '../thresholds.js';
import { DhcpAnalyzer } from './dhcp-analyzer.js';
import { DnsAnalyzer } from './dns-analyzer.js';
import { FtpAnalyzer } from './ftp-analyzer.js';
import { IcmpAnalyzer } from './icmp-analyzer.js';
import { SnmpAnalyzer } from './snmp-analyzer.js';
import { TlsAnalyzer } from './tls-analyzer.js';

export { describeApplication } from './describe-application.js';

/**
 * One analyzer per protocol, reading `thresholds` by name (any name missing takes its default). Feed each
 * packet to all of them before the next: they share the decode of the packet being observed.
 */
export function createApplicationAnalyzers(thresholds: Readonly<Partial<Record<ThresholdName, number>>>): PacketAnalyzer[] {
  const t = withOverrides(thresholds);
  const shared = new ApplicationPacket();
  return [new FtpAnalyzer(t), new DnsAnalyzer(shared, t), new DhcpAnalyzer(shared, t), new IcmpAnalyzer(shared, t), new TlsAnalyzer(t), new SnmpAnalyzer(shared, t)];
}
