/**
 * The code tables of the application decodes (tables/*.json), loaded once, with the lookups the
 * analyzers and labels use. Tables are data so that a code, a name or a severity changes in one place.
 */
import { createRequire } from 'node:module';
import type { Severity } from '../finding.js';

export interface CodeMeaning {
  meaning: string;
  severity: Severity;
}

interface FtpReplyTable {
  codes: Record<string, CodeMeaning>;
  default4xx: CodeMeaning;
  default5xx: CodeMeaning;
}

interface DnsTable {
  rcodes: Record<string, { name: string; severity?: Severity; meaning?: string }>;
  types: Record<string, string>;
  opcodes: Record<string, string>;
}

interface IcmpCode {
  name: string;
  rule?: string;
  severity?: Severity;
}

interface IcmpTypeRow extends IcmpCode {
  codes?: Record<string, IcmpCode>;
}

interface TlsTable {
  contentTypes: Record<string, string>;
  handshakeTypes: Record<string, string>;
  alertLevels: Record<string, string>;
  alertDescriptions: Record<string, string>;
  versions: Record<string, { name: string; legacy: boolean }>;
  ports: number[];
}

interface LabelTable {
  snmp: { versions: Record<string, string>; pdus: Record<string, string>; defaultCommunities: string[] };
  netbiosName: { opcodes: Record<string, string> };
  tn3270e: { dataTypes: Record<string, string> };
}

const require = createRequire(import.meta.url);
const ftpReplies = require('./tables/ftp-reply-codes.json') as FtpReplyTable;
const dns = require('./tables/dns-codes.json') as DnsTable;
const dhcp = require('./tables/dhcp-codes.json') as { messageTypes: Record<string, string> };
const icmp = require('./tables/icmp-messages.json') as { ipv4: Record<string, IcmpTypeRow>; ipv6: Record<string, IcmpTypeRow> };
const tls = require('./tables/tls-codes.json') as TlsTable;
const labels = require('./tables/label-codes.json') as LabelTable;

export function ftpReplyMeaning(code: number): CodeMeaning {
  return ftpReplies.codes[String(code)] ?? (code < 500 ? ftpReplies.default4xx : ftpReplies.default5xx);
}

/** "Name Error", or "rcode 12" for a code the table lacks. */
export function dnsRcodeName(rcode: number): string {
  return dns.rcodes[String(rcode)]?.name ?? `rcode ${rcode}`;
}

/** The severity and meaning of an error rcode that makes a finding (1–5), or null. */
export function dnsRcodeFinding(rcode: number): CodeMeaning | null {
  const row = dns.rcodes[String(rcode)];
  return row?.severity === undefined ? null : { severity: row.severity, meaning: row.meaning ?? row.name };
}

/** "AAAA", or "TYPE99" (RFC 3597 notation) for a type the table lacks. */
export function dnsTypeName(type: number): string {
  return dns.types[String(type)] ?? `TYPE${type}`;
}

export function dnsOpcodeName(opcode: number): string {
  return dns.opcodes[String(opcode)] ?? `opcode ${opcode}`;
}

/** "DECLINE", or "type 99". */
export function dhcpMessageTypeName(type: number): string {
  return dhcp.messageTypes[String(type)] ?? `type ${type}`;
}

export interface IcmpMeaning {
  /** The code's name when the table has it, else the type's ("port unreachable", "echo request"). */
  name: string;
  /** The type's name ("destination unreachable"). */
  typeName: string;
  /** The finding rule, or null for messages that are not errors worth a finding. */
  rule: string | null;
  severity: Severity;
}

const icmpMeanings = new Map<number, IcmpMeaning>();

/** What an ICMP (version 4) or ICMPv6 (version 6) type and code mean; a shared object, never modify it. */
export function icmpMeaning(version: 4 | 6, type: number, code: number): IcmpMeaning {
  const key = (version << 16) | ((type & 0xff) << 8) | (code & 0xff);
  let meaning = icmpMeanings.get(key);
  if (meaning === undefined) {
    const row = (version === 6 ? icmp.ipv6 : icmp.ipv4)[String(type)];
    const codeRow = row?.codes?.[String(code)];
    const typeName = row?.name ?? `type ${type}`;
    meaning = {
      name: codeRow?.name ?? (row === undefined ? `type ${type} code ${code}` : typeName),
      typeName,
      rule: codeRow?.rule ?? row?.rule ?? null,
      severity: codeRow?.severity ?? row?.severity ?? 'note',
    };
    icmpMeanings.set(key, meaning);
  }
  return meaning;
}

export function tlsContentTypeName(type: number): string | null {
  return tls.contentTypes[String(type)] ?? null;
}

export function tlsHandshakeTypeName(type: number): string {
  return tls.handshakeTypes[String(type)] ?? `handshake type ${type}`;
}

export function tlsAlertLevelName(level: number): string | null {
  return tls.alertLevels[String(level)] ?? null;
}

/** "handshake_failure", or "alert 200" for a description the table lacks. */
export function tlsAlertDescriptionName(description: number): string {
  return tls.alertDescriptions[String(description)] ?? `alert ${description}`;
}

export function isKnownTlsAlert(description: number): boolean {
  return tls.alertDescriptions[String(description)] !== undefined;
}

/** "TLS 1.2", or "0x7f1c" for a version the table lacks (drafts, GREASE). */
export function tlsVersionName(version: number): string {
  return tls.versions[String(version)]?.name ?? `0x${version.toString(16).padStart(4, '0')}`;
}

/** True for a known version that RFC 8996 deprecates. */
export function isLegacyTlsVersion(version: number): boolean {
  return tls.versions[String(version)]?.legacy === true;
}

const TLS_PORTS: ReadonlySet<number> = new Set(tls.ports);

/** Ports where TLS runs from the first byte (HTTPS, LDAPS, FTPS implicit, TN3270 over TLS...). */
export function isTlsPort(port: number): boolean {
  return TLS_PORTS.has(port);
}

export function snmpVersionName(version: number): string {
  return labels.snmp.versions[String(version)] ?? `version ${version}`;
}

export function snmpPduName(tag: number): string | null {
  return labels.snmp.pdus[String(tag)] ?? null;
}

export function isDefaultSnmpCommunity(community: string): boolean {
  return labels.snmp.defaultCommunities.includes(community);
}

export function netbiosOpcodeName(opcode: number): string {
  return labels.netbiosName.opcodes[String(opcode)] ?? `opcode ${opcode}`;
}

export function tn3270eDataTypeName(type: number): string | null {
  return labels.tn3270e.dataTypes[String(type)] ?? null;
}
