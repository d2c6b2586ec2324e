/**
 * Finds the DNS message in a packet: UDP to or from port 53, or a TCP segment on port 53 that begins a
 * length-prefixed message (RFC 1035 §4.2.2; only messages that start a segment are read, since TCP DNS
 * is rare and short). Shared by the DNS analyzer and the packet labels.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { ApplicationPacket, TcpPayload } from './application-packet.js';
import { tcpPayloadOf } from './application-packet.js';
import { DNS_PORT, DnsHeader, readDnsHeader, tcpDnsMessageStart } from './dns-message.js';

export interface DnsLocation {
  start: number;
  end: number;
  overTcp: boolean;
  /** The packet goes to port 53 (a query, normally). */
  toServer: boolean;
}

const payload: TcpPayload = { start: 0, end: 0, wireLength: 0 };

/** Fills `where` and `header` when `p` carries a DNS message; false otherwise. */
export function locateDnsMessage(p: AnalyzedPacket, app: ApplicationPacket, where: DnsLocation, header: DnsHeader): boolean {
  const data = p.packet.data;
  const udp = app.udp;
  if (udp !== null) {
    if (udp.sourcePort !== DNS_PORT && udp.destinationPort !== DNS_PORT) return false;
    where.start = udp.payloadOffset;
    where.end = udp.payloadEnd;
    where.overTcp = false;
    where.toServer = udp.destinationPort === DNS_PORT;
    return readDnsHeader(data, where.start, where.end, header);
  }
  const tcp = p.tcp?.tcp;
  if (tcp === undefined || (tcp.sourcePort !== DNS_PORT && tcp.destinationPort !== DNS_PORT) || !tcpPayloadOf(p, payload)) return false;
  const start = tcpDnsMessageStart(data, payload.start, payload.end);
  if (start < 0) return false;
  where.start = start;
  where.end = payload.end;
  where.overTcp = true;
  where.toServer = tcp.destinationPort === DNS_PORT;
  // A segment in the middle of a long TCP message could look like a length prefix: one question is the norm.
  return readDnsHeader(data, start, payload.end, header) && header.questions === 1;
}
