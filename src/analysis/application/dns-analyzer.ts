/**
 * The DNS analyzer: reads each DNS message (UDP or TCP port 53) once and hands the facts to the error
 * responses (rcodes, truncation) and to the query tracker (unanswered queries, queries answered by ICMP).
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { PacketRow } from '../../report/report-model.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { UDP_HEADER_LENGTH } from '../../net/udp-header.js';
import { destinationText, sourceText } from '../address.js';
import { secondsOf, type ApplicationPacket } from './application-packet.js';
import { dnsTypeName, icmpMeaning } from './application-tables.js';
import type { Thresholds } from '../thresholds.js';
import { DnsErrorResponses } from './dns-error-responses.js';
import { DNS_PORT, DnsHeader, readFirstQuestion } from './dns-message.js';
import { locateDnsMessage, type DnsLocation } from './dns-packet.js';
import { DnsQueryTracker } from './dns-query-tracker.js';

export class DnsAnalyzer implements PacketAnalyzer {
  readonly name = 'dns';
  private readonly header = new DnsHeader();
  private readonly where: DnsLocation = { start: 0, end: 0, overTcp: false, toServer: false };
  private readonly errors: DnsErrorResponses;
  private readonly queries: DnsQueryTracker;
  private readonly lateRows: LateEvidenceRows;

  constructor(
    private readonly app: ApplicationPacket,
    t: Thresholds,
  ) {
    this.lateRows = new LateEvidenceRows(t.packetsListedEvidence);
    this.errors = new DnsErrorResponses({
      truncatedRetryWaitSec: t.dnsTruncatedRetryWaitSec,
      maxTracked: t.maxTrackedConnections,
      maxFindingGroups: t.maxFindingGroups,
      lateRows: this.lateRows,
    });
    this.queries = new DnsQueryTracker({
      responseTimeoutSec: t.dnsResponseTimeoutSec,
      sendsForWarning: t.dnsUnansweredSendsWarning,
      maxTracked: t.maxTrackedConnections,
      maxFindingGroups: t.maxFindingGroups,
      lateRows: this.lateRows,
    });
  }

  observe(p: AnalyzedPacket): void {
    const now = secondsOf(p);
    this.queries.expire(now);
    this.errors.expire(now);
    const app = this.app.decode(p);
    const ip = app.ip;
    if (ip === null) return;
    if (app.icmp !== null) {
      this.icmpError(p, app);
      return;
    }
    const tcp = p.tcp?.tcp;
    if (tcp !== undefined && tcp.destinationPort === DNS_PORT && (tcp.flags & (TcpFlags.SYN | TcpFlags.ACK)) === TcpFlags.SYN) {
      this.errors.tcpRetry(sourceText(ip), destinationText(ip));
    }
    if (!locateDnsMessage(p, app, this.where, this.header)) return;
    const h = this.header;
    // A response's question is only told when it reports an error or a truncation: most need no name read.
    const needsQuestion = !h.isResponse || h.rcode !== 0 || h.truncated;
    const q = needsQuestion && h.questions > 0 ? readFirstQuestion(p.packet.data, this.where.start, this.where.end) : null;
    const question = q === null ? '' : `${q.name} ${dnsTypeName(q.type)}`;
    const source = sourceText(ip);
    const destination = destinationText(ip);
    const sourcePort = app.udp?.sourcePort ?? tcp?.sourcePort ?? 0;
    const destinationPort = app.udp?.destinationPort ?? tcp?.destinationPort ?? 0;
    if (!h.isResponse) {
      if (destinationPort !== DNS_PORT) return;
      this.queries.query(p, { client: source, clientPort: sourcePort, server: destination, id: h.id, overTcp: this.where.overTcp, question });
      return;
    }
    if (sourcePort !== DNS_PORT) return;
    this.queries.response(destination, destinationPort, source, h.id, this.where.overTcp);
    this.errors.response(p, { server: source, client: destination, rcode: h.rcode, truncated: h.truncated, overTcp: this.where.overTcp, question });
  }

  finish(): Finding[] {
    return [...this.errors.finish(), ...this.queries.finish()];
  }

  /** Rows of the packets held as evidence until their findings were known (see evidence-rows.ts). */
  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }

  /** An ICMP error quoting a UDP datagram to port 53 answers that query. */
  private icmpError(p: AnalyzedPacket, app: ApplicationPacket): void {
    const quoted = app.quoted;
    const ip = app.ip!;
    const icmp = app.icmp!;
    if (quoted === null || quoted.protocol !== IpProtocol.UDP || quoted.destinationPort !== DNS_PORT || quoted.transportOffset < 0) return;
    // The message ID follows the quoted UDP header when the quote is long enough (RFC 792 promises 8 bytes only).
    const idAt = quoted.transportOffset + UDP_HEADER_LENGTH;
    const outerEnd = Math.min(p.packet.data.length, ip.transportOffset + ip.transportLength);
    const data = p.packet.data;
    const id = idAt + 2 <= outerEnd ? ((data[idAt] ?? 0) << 8) | (data[idAt + 1] ?? 0) : -1;
    this.queries.icmpAnswer(p, {
      client: sourceText(quoted),
      clientPort: quoted.sourcePort,
      server: destinationText(quoted),
      id,
      reporter: sourceText(ip),
      kind: icmpMeaning(icmp.ipVersion, icmp.type, icmp.code).name,
    });
  }
}
