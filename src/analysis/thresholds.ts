/**
 * The numbers the analysis decides by: detection thresholds (how many ports make a scan) and the limits
 * that keep memory and the report bounded (how many connections are tracked, how many rows are listed).
 * Each one is a row of data with its default, unit and meaning, so the report can list the values a run
 * used and the documentation can be generated from the same table. A JSON config file overrides any of
 * them: `{ "thresholds": { "scanDistinctPorts": 25 } }` (a bare `{ "scanDistinctPorts": 25 }` works too).
 * One entry is not a number: `localAddresses`, the traced stack's addresses, a list of IP addresses.
 * Defaults follow spec/exception-catalog.md; they are proposals, which is why they are configurable.
 */
import { readFileSync } from 'node:fs';
import { ZctraceError } from '../errors.js';
import { parseIpAddress } from '../filter/address-match.js';

export interface ThresholdDefinition {
  name: string;
  value: number;
  unit: string;
  /** 'detection' decides a finding; 'limit' bounds memory or the size of a report table. */
  kind: 'detection' | 'limit';
  description: string;
}

const DEFINITIONS = [
  // Scans and floods (exception-catalog A.7)
  { name: 'scanWindowSec', value: 60, unit: 's', kind: 'detection', description: 'Sliding window in which failed or probe-only connection attempts from one source are counted as a scan' },
  { name: 'scanDistinctPorts', value: 15, unit: 'ports', kind: 'detection', description: 'Distinct destination ports on one host, probed without success inside the scan window, that make a vertical port scan' },
  { name: 'scanDistinctHosts', value: 10, unit: 'hosts', kind: 'detection', description: 'Distinct destination hosts on one port, probed without success inside the scan window, that make a horizontal scan' },
  { name: 'scanSettleSec', value: 10, unit: 's', kind: 'detection', description: 'How long after a connection attempt its outcome (answered or not) is awaited before it counts toward a scan' },
  { name: 'synFloodPerSec', value: 100, unit: 'SYN/s', kind: 'detection', description: 'SYNs per second to one service that make a SYN flood (when few complete the handshake)' },
  { name: 'synFloodCompletionPercent', value: 10, unit: '%', kind: 'detection', description: 'A SYN flood is reported only when fewer than this share of its SYNs complete the handshake' },
  { name: 'icmpFloodPerSec', value: 100, unit: 'packets/s', kind: 'detection', description: 'ICMP packets per second to one host that make an ICMP flood' },
  { name: 'backscatterTargets', value: 10, unit: 'connections', kind: 'detection', description: 'Unsolicited SYN-ACKs or RSTs from one host to this many different connections raise backscatter from note to warning' },
  { name: 'routingLoopCopies', value: 3, unit: 'copies', kind: 'detection', description: 'Copies of one IP datagram (same source, destination, IP ID, length) with falling TTL that make a routing loop' },
  { name: 'routingLoopWindowSec', value: 5, unit: 's', kind: 'detection', description: 'Time within which the copies of a looping datagram must be seen' },
  { name: 'tinyFragmentBytes', value: 20, unit: 'bytes', kind: 'detection', description: 'A first TCP fragment carrying fewer transport bytes than this (a whole TCP header) is a tiny-fragment evasion' },
  { name: 'fragmentTimeoutSec', value: 30, unit: 's', kind: 'detection', description: 'Fragments of one datagram are compared within this time (the usual reassembly timeout)' },
  // TCP performance (A.4, A.5)
  { name: 'synRetriesFailed', value: 2, unit: 'retries', kind: 'detection', description: 'SYN retransmissions without any answer that make "SYN retries" a finding of its own' },
  { name: 'retransmissionWarnPercent', value: 5, unit: '%', kind: 'detection', description: 'Share of a connection’s data segments retransmitted above which its retransmissions are a warning rather than a note' },
  { name: 'zeroWindowStallErrorSec', value: 10, unit: 's', kind: 'detection', description: 'A zero-window stall (window 0 until the same side opens it again) at least this long is an error rather than a warning' },
  { name: 'highRttSec', value: 0.5, unit: 's', kind: 'detection', description: 'A connection whose handshake round trip (SYN to the ACK of the SYN-ACK, seen from the trace point) or average ACK trip time is above this has a high round-trip time' },
  { name: 'rttJitterSec', value: 0.5, unit: 's', kind: 'detection', description: 'Average change between successive ACK trip times of a connection above which its round-trip time is unsteady (jitter)' },
  { name: 'transferGapSec', value: 5, unit: 's', kind: 'detection', description: 'A pause between two packets of a TCP session this long, while sent data waits for its acknowledgement or a zero window holds it back, is a long gap inside a transfer' },
  { name: 'idleGapSec', value: 60, unit: 's', kind: 'detection', description: 'A pause between two packets of a TCP session this long, with nothing waiting to be acknowledged, is a long idle gap' },
  { name: 'responseTimeThresholdMs', value: 1000, unit: 'ms', kind: 'detection', description: 'Request-to-response time above which a response counts as slow in the response-time summary' },
  { name: 'checkChecksums', value: 0, unit: '0 or 1', kind: 'detection', description: 'Check TCP checksums (1) or not (0, as Wireshark by default): a trace taken on a host that offloads checksums to its adapter holds outbound segments whose checksums are not filled in yet' },
  // z/OS (A.1)
  { name: 'discardStormCount', value: 100, unit: 'packets', kind: 'detection', description: 'Discards of one code on one interface that raise the discard finding from warning to error' },
  { name: 'discardStormPerSec', value: 10, unit: 'packets/s', kind: 'detection', description: 'Discard rate of one code on one interface that raises the discard finding from warning to error' },
  { name: 'foreignDestinationPackets', value: 100, unit: 'packets', kind: 'detection', description: 'Received packets on one interface addressed to none of the stack’s addresses (the sources it sends from, and localAddresses in the config), nor to a broadcast or multicast address, that make a finding (NETSTAT’s address errors)' },
  { name: 'unexpectedInterfacePackets', value: 10, unit: 'packets', kind: 'detection', description: 'Packets from hosts the stack sends to on one link that arrive on another link it never sends to them on (asymmetric routing), for one pair of arriving and sending links, that make a finding' },
  // Applications (A.8)
  // FTP (FTP-01 .. FTP-04)
  { name: 'ftpDataConnectionWaitSec', value: 10, unit: 's', kind: 'detection', description: 'Time after a PORT/PASV announcement within which the data connection SYN is expected' },
  { name: 'ftpDataSynAttempts', value: 2, unit: 'SYNs', kind: 'detection', description: 'SYNs to an announced FTP data port, none answered, that make a failed data connection' },
  { name: 'bruteForceSessions', value: 10, unit: 'sessions', kind: 'detection', description: 'Short login sessions from one source to one server inside the brute-force window that make a password-guessing attack' },
  { name: 'bruteForceWindowSec', value: 60, unit: 's', kind: 'detection', description: 'Window for counting login sessions toward brute force' },
  { name: 'bruteForceFailedLogins', value: 5, unit: 'replies', kind: 'detection', description: 'Failed-login replies (FTP 530) to one source that make a brute-force finding on their own' },
  { name: 'bruteForceFailedLoginWindowSec', value: 600, unit: 's', kind: 'detection', description: 'Window for counting failed-login replies toward brute force' },
  { name: 'ftpShortSessionSec', value: 5, unit: 's', kind: 'detection', description: 'An FTP control session shorter than this counts as short (a login attempt, not work)' },
  // DNS (DNS-01 .. DNS-04)
  { name: 'dnsResponseTimeoutSec', value: 2, unit: 's', kind: 'detection', description: 'A DNS query without a response within this time is unanswered' },
  { name: 'dnsUnansweredSendsWarning', value: 3, unit: 'sends', kind: 'detection', description: 'Unanswered DNS sends (first tries and retries) from one client to one server that raise the finding from note to warning' },
  { name: 'dnsTruncatedRetryWaitSec', value: 5, unit: 's', kind: 'detection', description: 'Time after a truncated UDP answer within which the client is expected to retry over TCP' },
  // DHCP (DHCP-03)
  { name: 'dhcpExchangeTimeoutSec', value: 4, unit: 's', kind: 'detection', description: 'A DHCP transaction not progressing within this time is incomplete' },
  // TLS (TLS-04)
  { name: 'tlsHandshakeTimeoutSec', value: 5, unit: 's', kind: 'detection', description: 'A TLS ClientHello without a ServerHello within this time is an incomplete handshake' },
  // Memory and report limits
  { name: 'connectionIdleSec', value: 10_800, unit: 's', kind: 'limit', description: 'A TCP connection idle this long is closed and summarised (longer than the usual 2-hour keep-alive time, so keep-alives still find their connection)' },
  { name: 'closedConnectionSec', value: 30, unit: 's', kind: 'limit', description: 'A TCP connection that ended (FIN or RST) is summarised after this long without a packet; a SYN on its ports before then is a reused port' },
  { name: 'udpFlowIdleSec', value: 30, unit: 's', kind: 'limit', description: 'A UDP flow idle this long is closed and summarised' },
  { name: 'maxTrackedConnections', value: 50_000, unit: 'connections', kind: 'limit', description: 'TCP connections, and UDP flows, tracked at once (about 2.5 KB per TCP connection); past it the least recently used is closed first (ended connections before open ones)' },
  { name: 'maxTrackedHosts', value: 20_000, unit: 'hosts', kind: 'limit', description: 'Hosts or services each detector keeps state for at once; the least recently used is forgotten first' },
  { name: 'maxFindingGroups', value: 200, unit: 'findings', kind: 'limit', description: 'Findings of one rule listed separately; further ones are merged into one "other" finding of that rule' },
  { name: 'connectionsListed', value: 1000, unit: 'rows', kind: 'limit', description: 'Connections in the sessions table (those with findings first)' },
  { name: 'laddersListed', value: 50, unit: 'sessions', kind: 'limit', description: 'Sessions with findings that get a sequence-of-execution ladder' },
  { name: 'ladderSteps', value: 200, unit: 'packets', kind: 'limit', description: 'Packets shown in one ladder' },
  { name: 'packetsListedFirst', value: 500, unit: 'rows', kind: 'limit', description: 'First packets of the trace listed in the packets table' },
  { name: 'packetsListedEvidence', value: 5000, unit: 'rows', kind: 'limit', description: 'Evidence packets of findings listed in the packets table' },
  { name: 'statisticsRows', value: 500, unit: 'rows', kind: 'limit', description: 'Rows of one statistics table (address, port...); the rest are summed in an "other" row' },
  { name: 'timelineBuckets', value: 120, unit: 'buckets', kind: 'limit', description: 'Bars of the overview time line' },
] as const satisfies readonly ThresholdDefinition[];

/** Every threshold of a run. */
export const THRESHOLD_DEFINITIONS: readonly ThresholdDefinition[] = DEFINITIONS;

export type ThresholdName = (typeof DEFINITIONS)[number]['name'];
export type Thresholds = Readonly<Record<ThresholdName, number>> & {
  /** Addresses of the traced stack stated in the config (`"localAddresses": ["10.1.1.1"]`), besides those the trace shows. */
  readonly localAddresses?: readonly string[];
};

/** The config entry that is a list of addresses rather than a number. */
const LOCAL_ADDRESSES = 'localAddresses';

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze(
  Object.fromEntries(THRESHOLD_DEFINITIONS.map((d) => [d.name, d.value])) as Record<ThresholdName, number>,
);

function isThresholdName(name: string): name is ThresholdName {
  return Object.hasOwn(DEFAULT_THRESHOLDS, name);
}

/** Thresholds with `overrides` applied; an unknown name or a value that is not a non-negative number is refused. */
export function withOverrides(overrides: Record<string, unknown>, source: string | null = null): Thresholds {
  const result: Record<ThresholdName, number> & { localAddresses?: readonly string[] } = { ...DEFAULT_THRESHOLDS };
  for (const [name, value] of Object.entries(overrides)) {
    if (name === LOCAL_ADDRESSES) {
      result.localAddresses = addressList(value, source);
      continue;
    }
    if (!isThresholdName(name)) {
      throw new ZctraceError('USAGE', `unknown threshold "${name}" (known: ${[...Object.keys(DEFAULT_THRESHOLDS), LOCAL_ADDRESSES].join(', ')})`, source);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ZctraceError('USAGE', `threshold "${name}" must be a non-negative number, not ${JSON.stringify(value)}`, source);
    }
    result[name] = value;
  }
  return Object.freeze(result);
}

/** `localAddresses`: a list of IPv4 or IPv6 addresses, each checked. */
function addressList(value: unknown, source: string | null): readonly string[] {
  const bad = (why: string): ZctraceError => new ZctraceError('USAGE', `"${LOCAL_ADDRESSES}" must be a list of IPv4 or IPv6 addresses: ${why}`, source);
  if (!Array.isArray(value)) throw bad(`not ${JSON.stringify(value)}`);
  for (const item of value) if (typeof item !== 'string' || parseIpAddress(item.trim()) === null) throw bad(`${JSON.stringify(item)} is not an address`);
  return Object.freeze((value as string[]).map((item) => item.trim()));
}

/** Reads a thresholds config file (JSON) and applies it over the defaults. */
export function loadThresholds(path: string | null | undefined): Thresholds {
  if (path === null || path === undefined) return DEFAULT_THRESHOLDS;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ZctraceError('IO', `cannot read the thresholds file: ${(error as Error).message}`, path);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ZctraceError('USAGE', `the thresholds file is not valid JSON: ${(error as Error).message}`, path);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ZctraceError('USAGE', 'the thresholds file must hold a JSON object', path);
  }
  const body = (document as Record<string, unknown>)['thresholds'] ?? document;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ZctraceError('USAGE', '"thresholds" must be a JSON object of names and numbers', path);
  }
  // The stack's addresses may stand next to "thresholds" as well as inside it.
  const stated = body === document ? undefined : (document as Record<string, unknown>)[LOCAL_ADDRESSES];
  return withOverrides(stated === undefined ? (body as Record<string, unknown>) : { [LOCAL_ADDRESSES]: stated, ...body }, path);
}
