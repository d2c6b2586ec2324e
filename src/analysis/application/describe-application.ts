/**
 * The application part of the packets table's one-line message: "ftp reply code 230", "dns query A
 * www.example.org", "dhcp DISCOVER xid 0x06E32864", "icmp port unreachable", "tls alert
 * handshake_failure", "snmp get community public", "netbios name query WORKGROUP<1d> broadcast",
 * "tn3270". Stateless: a packet is labelled from its own bytes (so a reply continued in a second segment
 * has no code to show, and TLS on an unknown port is named only by its handshake and alert records).
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import { addressAt } from './address-text.js';
import { ApplicationPacket, tcpPayloadOf, type TcpPayload } from './application-packet.js';
import {
  dhcpMessageTypeName,
  dnsOpcodeName,
  dnsRcodeName,
  dnsTypeName,
  icmpMeaning,
  isKnownTlsAlert,
  isTlsPort,
  netbiosOpcodeName,
  snmpPduName,
  snmpVersionName,
  tlsAlertDescriptionName,
  tlsContentTypeName,
  tlsHandshakeTypeName,
} from './application-tables.js';
import { DhcpMessage, DhcpMessageType, DhcpPort, readDhcpMessage, xidText } from './dhcp-message.js';
import { DnsHeader, readFirstQuestion } from './dns-message.js';
import { locateDnsMessage, type DnsLocation } from './dns-packet.js';
import { FTP_CONTROL_PORT, parseFtpCommand, parseReplyLine } from './ftp-control-parser.js';
import { NETBIOS_NAME_PORT, readNetbiosNameMessage } from './netbios-name.js';
import { communityText, isSnmpPort, readSnmpMessage } from './snmp-message.js';
import { TELNET_PORT, describeTelnet } from './telnet-label.js';
import { ALERT_LENGTH, ContentType, TLS_RECORD_HEADER, readRecordHeader } from './tls-records.js';

/** A command or reply line is read up to this many bytes: enough for any verb or code. */
const MAX_LABEL_LINE = 80;

const app = new ApplicationPacket();
const payload: TcpPayload = { start: 0, end: 0, wireLength: 0 };
const dnsHeader = new DnsHeader();
const dnsWhere: DnsLocation = { start: 0, end: 0, overTcp: false, toServer: false };
const dhcp = new DhcpMessage();

/** A few words on the application content of `p`, or null when it has none we decode. */
export function describeApplication(p: AnalyzedPacket): string | null {
  const decoded = app.decode(p);
  if (decoded.icmp !== null) return describeIcmp(decoded);
  if (locateDnsMessage(p, decoded, dnsWhere, dnsHeader)) return describeDns(p.packet.data);
  if (p.tcp !== null) return describeTcp(p);
  if (decoded.udp !== null) return describeUdp(p.packet.data, decoded);
  return null;
}

function describeIcmp(decoded: ApplicationPacket): string {
  const icmp = decoded.icmp!;
  const meaning = icmpMeaning(icmp.ipVersion, icmp.type, icmp.code);
  const mtu = icmp.mtu >= 0 ? ` mtu ${icmp.mtu}` : '';
  return `${icmp.ipVersion === 6 ? 'icmpv6' : 'icmp'} ${meaning.name}${mtu}`;
}

function describeDns(data: Uint8Array): string {
  const h = dnsHeader;
  const q = h.questions > 0 ? readFirstQuestion(data, dnsWhere.start, dnsWhere.end) : null;
  const question = q === null ? '' : ` ${dnsTypeName(q.type)} ${q.name}`;
  const kind = h.opcode === 0 ? (h.isResponse ? 'response' : 'query') : `${dnsOpcodeName(h.opcode)}${h.isResponse ? ' response' : ''}`;
  const rcode = h.isResponse ? ` ${dnsRcodeName(h.rcode)}` : '';
  const truncated = h.isResponse && h.truncated ? ' truncated' : '';
  return `dns ${kind}${rcode}${question}${truncated}`;
}

function describeTcp(p: AnalyzedPacket): string | null {
  const tcp = p.tcp!.tcp;
  if (!tcpPayloadOf(p, payload) || payload.wireLength === 0) return null;
  const data = p.packet.data;
  if (tcp.destinationPort === FTP_CONTROL_PORT) return describeFtpCommand(data);
  if (tcp.sourcePort === FTP_CONTROL_PORT) return describeFtpReply(data);
  if (tcp.sourcePort === TELNET_PORT || tcp.destinationPort === TELNET_PORT) return describeTelnet(data, payload.start, payload.end, payload.wireLength);
  return describeTls(data, isTlsPort(tcp.sourcePort) || isTlsPort(tcp.destinationPort));
}

/** The first line of the payload, up to MAX_LABEL_LINE bytes. */
function firstLine(data: Uint8Array): string {
  let text = '';
  for (let at = payload.start; at < Math.min(payload.end, payload.start + MAX_LABEL_LINE); at++) {
    const byte = data[at] ?? 0;
    if (byte === 0x0d || byte === 0x0a) break;
    text += String.fromCharCode(byte);
  }
  return text;
}

function describeFtpCommand(data: Uint8Array): string | null {
  const command = parseFtpCommand(firstLine(data));
  return command === null ? null : `ftp command ${command.verb}`;
}

function describeFtpReply(data: Uint8Array): string | null {
  const reply = parseReplyLine(firstLine(data));
  return reply === null ? null : `ftp reply code ${reply.code}`;
}

/**
 * TLS from the first record of the segment. On a TLS port any record type is named; elsewhere only a
 * plain alert with a known description or a handshake record, which random bytes rarely imitate.
 */
function describeTls(data: Uint8Array, tlsPort: boolean): string | null {
  const record = readRecordHeader(data, payload.start, payload.end);
  if (record === null) return null;
  const body = payload.start + TLS_RECORD_HEADER;
  if (record.type === ContentType.ALERT) {
    if (record.length !== ALERT_LENGTH) return tlsPort ? 'tls encrypted alert' : null;
    if (body + ALERT_LENGTH > payload.end) return null;
    const level = data[body] ?? 0;
    const description = data[body + 1] ?? 0;
    if (!tlsPort && ((level !== 1 && level !== 2) || !isKnownTlsAlert(description))) return null;
    return `tls alert ${tlsAlertDescriptionName(description)}`;
  }
  if (record.type === ContentType.HANDSHAKE && body < payload.end) {
    const type = data[body] ?? 0;
    // After ChangeCipherSpec a handshake record is encrypted: its first byte means nothing.
    if (type === 1 || type === 2) return `tls ${tlsHandshakeTypeName(type)}`;
    return tlsPort ? 'tls handshake' : null;
  }
  if (!tlsPort) return null;
  return `tls ${(tlsContentTypeName(record.type) ?? 'record').replace(/_/g, ' ')}`;
}

function describeUdp(data: Uint8Array, decoded: ApplicationPacket): string | null {
  const udp = decoded.udp!;
  const { sourcePort, destinationPort } = udp;
  if ((sourcePort === DhcpPort.CLIENT || sourcePort === DhcpPort.SERVER) && (destinationPort === DhcpPort.CLIENT || destinationPort === DhcpPort.SERVER)) {
    return describeDhcp(data, udp.payloadOffset, udp.payloadEnd);
  }
  if (isSnmpPort(sourcePort, destinationPort)) {
    const message = readSnmpMessage(data, udp.payloadOffset, udp.payloadEnd);
    if (message === null) return null;
    if (message.community === null) return `snmp ${snmpVersionName(message.version)}`;
    const pdu = snmpPduName(message.pduTag);
    return `snmp ${pdu === null ? snmpVersionName(message.version) : pdu} community ${communityText(message.community)}`;
  }
  if (sourcePort === NETBIOS_NAME_PORT || destinationPort === NETBIOS_NAME_PORT) {
    const message = readNetbiosNameMessage(data, udp.payloadOffset, udp.payloadEnd);
    if (message === null) return null;
    const name = message.name === null ? '' : ` ${message.name}`;
    return `netbios name ${netbiosOpcodeName(message.opcode)}${message.response ? ' response' : ''}${name}${message.broadcast ? ' broadcast' : ''}`;
  }
  return null;
}

function describeDhcp(data: Uint8Array, start: number, end: number): string | null {
  if (!readDhcpMessage(data, start, end, dhcp)) return null;
  if (dhcp.messageType < 0) return `bootp xid ${xidText(dhcp.xid)}`;
  const type = dhcp.messageType;
  let address = '';
  if (type === DhcpMessageType.OFFER || type === DhcpMessageType.ACK) address = ` ${addressAt(data, dhcp.yourAddressAt, 4)}`;
  else if (dhcp.requestedAddressAt >= 0) address = ` ${addressAt(data, dhcp.requestedAddressAt, 4)}`;
  return `dhcp ${dhcpMessageTypeName(type)}${address} xid ${xidText(dhcp.xid)}`;
}
