/**
 * The cases of spec/scenarios.md as sample trace data sets, each in the trace component a z/OS analyst
 * would have it in: SYSTCPDA packet traces (TCP, FTP, DNS, DHCP, the 4114 discards), a SYSTCPOT (OSAENTA)
 * trace for the flooded OSA port, SYSTCPIS (IDS) traces for the scan and the malformed packet. The traffic
 * comes from scenario-packets.ts (application cases) and scenario-traffic.ts (the others), with the
 * published addresses, ports, sequence numbers and times; what had to be scaled down says so in `scaled`.
 *
 * Each sample carries a machine-readable statement of what `zctrace report` must say about it, written
 * from the scenario's "finding" column and the catalog's rules (severities: HIGH/CRIT → error, MED →
 * warning, LOW → note, except where analysis.md fixes a severity, as for Wireshark's TCP flags):
 *  - `findings`: every finding the report must hold, with the facts that make it this case's finding;
 *    at warning and error severity these are also the ONLY ones allowed;
 *  - `notes`: note/chat rules the scenario implies (retransmissions it shows, keep-alives...); any other
 *    note is unexpected;
 *  - `pending`: what the scenario asks for that no analyzer says yet (the test marks it pending).
 */
import type { Finding, Severity } from '../../src/analysis/finding.js';
import { buildDataSet } from './trace-from-capture.js';
import { idsMalformedEntry, IDS_MALFORMED } from './component-samples.js';
import { BRUTE_FORCE_USERS, dhcpNormalAndDecline, dnsErrors, dnsRoutingProblem, ftpBruteForce, ftpGoodPasv, ftpPasvSynUnanswered, ftpPortNoDataConnection, normalFtpSession } from './scenario-packets.js';
import {
  BACKSCATTER,
  between,
  backscatterFrames,
  CRAFTED,
  CRAFTED_PROBES,
  DUP_ACKS,
  duplicateAckFrames,
  IDS_FAST_SCAN,
  idsScanDataSet,
  illegalFlagFrames,
  NBNS_LOOP,
  nbnsLoopFrames,
  OSA_FLOOD,
  osaFloodDataSet,
  packetTrace,
  scaledDown,
  STALL,
  zeroWindowFrames,
} from './scenario-traffic.js';

// ---- What the report must say --------------------------------------------------------------------------

/** A detail that must hold: a value it equals, every listed item present, or a number near a value. */
export type DetailExpectation = string | number | boolean | { includes: readonly (string | number)[] } | { near: number; within: number };

export interface ExpectedFinding {
  rule: string;
  severity: Severity;
  /** The scenario's words this finding stands for. */
  because: string;
  /** Subject fields that must be equal. */
  subject?: Finding['subject'];
  /** Exact count, or a lower bound. */
  count?: number | { atLeast: number };
  details?: Record<string, DetailExpectation>;
  /** Words the title must contain. */
  title?: readonly string[];
  /** Words the explanation must contain. */
  explanation?: readonly string[];
}

/** A note or chat rule the scenario implies (it may appear, at note or chat severity only). */
export interface AllowedNote {
  rule: string;
  because: string;
}

/** What the scenario asks for and no analyzer says yet. */
export interface PendingFinding {
  /** What the report should say. */
  what: string;
  /** Which analyzer (or rule) should say it. */
  analyzer: string;
}

export type SampleComponent = 'SYSTCPDA' | 'SYSTCPOT' | 'SYSTCPIS';

export interface ScenarioSample {
  /** The case's name in spec/scenarios.md. */
  name: string;
  /** File name under samples/scenarios/. */
  file: string;
  component: SampleComponent;
  /** What the data set holds, for samples/scenarios/README.md. */
  holds: string;
  /** What was scaled down from the published case, or null. */
  scaled: string | null;
  /** The report's findings in one line, for samples/scenarios/README.md. */
  reportSays: string;
  findings: readonly ExpectedFinding[];
  notes: readonly AllowedNote[];
  pending: readonly PendingFinding[];
  /**
   * Why "nothing else at warning or error" cannot hold yet: findings the report adds that the case does
   * not call for (`what`), and the analyzers that should not add them (the test marks the check pending).
   */
  strictPending?: PendingFinding;
  build(): Uint8Array;
}

// ---- The catalogue --------------------------------------------------------------------------------------

export const SCENARIO_SAMPLES: readonly ScenarioSample[] = [
  {
    name: 'Zero-window stall',
    file: 'zero-window-stall.bin',
    component: 'SYSTCPDA',
    holds: 'HTTP download 61.8.0.17:80 → 10.0.52.164:2550 traced at 10.0.52.164: rows 355-379 as published (window 2190 → 1460 → 730 → 0, six probes at +0.67, 1.13, 2.20, 4.13, 8.06, 16.07 s, window 940 then 64240)',
    scaled: 'the published session moves 5.3 MB in 7195 datagrams over 2:05; the sample keeps 12 segments before the stall and 6 after it (2:05 elapsed becomes 36.6 s)',
    reportSays: 'zero window on the client 10.0.52.164:2550 (error, 32.38 s stall: the receiving application is not reading, not a network problem); window full (warning); the server’s six zero-window probes at doubling intervals, 0.67 to 16.07 s (note), which are the largest gaps of the session ladder; the longest of them, 16.07 s, as a long pause inside the transfer (warning)',
    findings: [
      {
        rule: 'tcp.zero_window',
        severity: 'error',
        because: 'zero window on the client (receiver not reading — not a network problem); a 32.38 s stall (PERF-06: ≥ 10 s is HIGH)',
        subject: { connection: '10.0.52.164:2550 → 61.8.0.17:80' },
        details: { sentBy: { includes: ['10.0.52.164:2550'] }, longestStallSec: { near: 32.381, within: 0.002 } },
        explanation: ['not reading', 'not a network problem'],
      },
      {
        rule: 'tcp.window_full',
        severity: 'warning',
        because: 'the window shrinks as data arrives: the segment of row 363 fills the client’s last 2920-byte (730 × 4) window exactly',
        subject: { connection: '10.0.52.164:2550 → 61.8.0.17:80' },
        details: { sentBy: { includes: ['61.8.0.17:80'] } },
      },
      {
        rule: 'tcp.zero_window_probe',
        severity: 'note',
        because: 'the six 40-byte segments during the stall (zero-length, one below the next expected byte, which Wireshark flags keep-alives) are the server’s zero-window probes, their intervals doubling: 0.67, 1.13, 2.20, 4.13, 8.06, 16.07 s',
        subject: { connection: '10.0.52.164:2550 → 61.8.0.17:80' },
        count: 6,
        details: { sentBy: { includes: ['61.8.0.17:80'] }, intervalsSec: { includes: [0.67, 1.13, 2.2, 4.13, 8.06, 16.07] } },
        title: ['Zero-window probes'],
      },
      {
        rule: 'connection.long_gap',
        severity: 'warning',
        because: 'the session’s largest gap, 16.07 s before the last zero-window probe (row 375), falls inside the transfer (the window is 0): at least the 5 s a transfer may pause (PERF-11, which the catalog expects for this case: "between which packets is the most time spent?")',
        subject: { service: '61.8.0.17:80' },
        details: { longestTransferGapSec: { near: 16.0743, within: 0.002 } },
      },
    ],
    notes: [{ rule: 'tcp.window_update', because: 'the client opens its window to 940, then 64240' }],
    pending: [],
    build: () => packetTrace(zeroWindowFrames(), { local: [STALL.client.address] }),
  },
  {
    name: 'Duplicate ACKs',
    file: 'duplicate-acks.bin',
    component: 'SYSTCPDA',
    holds: 'FTP data 143.166.11.10:64334 → 192.168.1.105:49330 traced at the receiver: segment 3179870150 is lost, the 23 segments after it each get ack 3179870150 (win 64860, a SACK block growing by 1380), then the fast retransmission',
    scaled: null,
    reportSays: 'previous segment not captured (warning: the lost segment), 23 duplicate ACKs from 192.168.1.105:49330, one fast retransmission of seq 3179870150',
    findings: [
      {
        rule: 'tcp.lost_segment',
        severity: 'warning',
        because: 'the missing segment: the data after it arrives first (TCP-11, analysis.md: lost_segment is a Warning)',
        subject: { connection: '143.166.11.10:64334 → 192.168.1.105:49330' },
        count: 1,
      },
      {
        rule: 'tcp.duplicate_ack',
        severity: 'note',
        because: 'repeated ACKs with the same ack number after a missing segment: packet loss inferred (analysis.md: duplicate_ack is a Note)',
        subject: { connection: '143.166.11.10:64334 → 192.168.1.105:49330' },
        count: 23,
        details: { sentBy: { includes: ['192.168.1.105:49330'] } },
        explanation: ['missing', 'fast retransmission'],
      },
      {
        rule: 'tcp.fast_retransmission',
        severity: 'note',
        because: 'fast retransmission after 3 dup ACKs: the lost segment resent (analysis.md: a Note); 1 of the connection’s 28 data segments stays under the 5 % warning share',
        subject: { connection: '143.166.11.10:64334 → 192.168.1.105:49330' },
        count: 1,
        details: { bytes: 1380 },
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(duplicateAckFrames(), { local: [DUP_ACKS.client.address] }),
  },
  {
    name: 'FTP PORT, no data connection',
    file: 'ftp-port-no-data-connection.bin',
    component: 'SYSTCPDA',
    holds: 'FTP control 137.72.43.137:10432 → 137.72.43.207:21 traced at the z/OS server 137.72.43.207: PORT 137,72,43,137,40,196, the 200 reply sent 8 times at growing intervals, no SYN to 10436',
    scaled: 'the published trace also holds background traffic (NetBIOS, TN3270, SNMP to a closed port); the sample keeps only the FTP session',
    reportSays: 'active FTP data connection to 137.72.43.137:10436 never opened (error); the 200 reply retransmitted 7 times (warning); the 54.27 s wait before its last retransmission as a long pause inside the session (warning)',
    findings: [
      {
        rule: 'ftp.port_no_data_connection',
        severity: 'error',
        because: 'active FTP data connection never opened — firewall or FTP.DATA/TCP profile settings (FTP-01 HIGH)',
        title: ['137.72.43.137', '10436'],
        explanation: ['firewall'],
      },
      {
        rule: 'tcp.retransmission',
        severity: 'warning',
        because: 'the server replies 200 repeatedly at growing intervals: 7 of the connection’s 17 data segments are retransmissions (above the 5 % warning share)',
        subject: { connection: '137.72.43.137:10432 → 137.72.43.207:21' },
        count: 7,
        details: { bytes: 7 * 22 },
      },
      {
        rule: 'connection.long_gap',
        severity: 'warning',
        because: 'the 200 reply waits unacknowledged through the back-off; the last wait, 54.27 s (02:36:22.7005 → 02:37:16.9704 as published), is the session’s largest gap and at least the 5 s data may wait for its acknowledgement (PERF-11): the session’s time went there',
        subject: { service: '137.72.43.207:21' },
        details: { longestTransferGapSec: { near: 54.2699, within: 0.002 } },
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(between(ftpPortNoDataConnection().frames, '137.72.43.137', 10432, '137.72.43.207', 21), { local: ['137.72.43.207'], asid: 0x35 }),
  },
  {
    name: 'FTP PASV, SYN unanswered',
    file: 'ftp-pasv-syn-unanswered.bin',
    component: 'SYSTCPDA',
    holds: 'FTP client 207.33.247.67:1538 → 192.233.80.108:21 traced at the client: 227 Entering Passive Mode (192,233,80,108,89,23), SYNs from 1539 to 22807 at 0, 3, 9, 21, 45 s, the client quits (FIN, 221, RST) and its stack tries twice more',
    scaled: null,
    reportSays: 'passive data connection to 192.233.80.108:22807 never answered: 7 SYNs with back-off (error); SYN retries and the unanswered connection attempt to 22807 (warnings)',
    findings: [
      {
        rule: 'ftp.data_syn_unanswered',
        severity: 'error',
        because: 'passive data connection failed: SYN retries with back-off to the announced port (FTP-02 HIGH)',
        title: ['192.233.80.108', '22807'],
        count: { atLeast: 7 },
        details: { syns: 7, dataPorts: { includes: ['22807'] } },
      },
      {
        rule: 'connection.syn_retries',
        severity: 'warning',
        because: 'SYN retries with back-off: the first SYN and six more (TCP-02 MED)',
        subject: { service: '192.233.80.108:22807' },
        details: { retries: 6, clients: { includes: ['207.33.247.67:1539'] } },
      },
      {
        rule: 'connection.no_answer',
        severity: 'warning',
        because: 'never answered: the data connection attempt stays S0 (analysis.md §2: failed connections are exceptions)',
        subject: { service: '192.233.80.108:22807' },
        details: { clients: { includes: ['207.33.247.67'] } },
      },
    ],
    notes: [
      { rule: 'tcp.retransmission', because: 'the SYN to 22807 sent again six times' },
      { rule: 'tcp.reset_after_close', because: 'the client ends the control connection with RST after QUIT' },
    ],
    pending: [],
    build: () => packetTrace(ftpPasvSynUnanswered().frames, { local: ['207.33.247.67'] }),
  },
  {
    name: 'Good PASV',
    file: 'ftp-good-pasv.bin',
    component: 'SYSTCPDA',
    holds: 'FTP 137.72.43.137:21157 → 137.72.43.207:21 traced at the z/OS server: 227 (137,72,43,207,14,95), the data connection to 3679 opened within 11 ms, data, FIN/ACK both ways (records 730-747 as published)',
    scaled: null,
    reportSays: 'nothing at warning or error: a normal passive transfer',
    findings: [],
    notes: [{ rule: 'tcp.window_update', because: 'record 743: the client opens its window from 63520 to 64240' }],
    pending: [],
    build: () => packetTrace(ftpGoodPasv().frames, { local: ['137.72.43.207'] }),
  },
  {
    name: 'FTP brute force',
    file: 'ftp-brute-force.bin',
    component: 'SYSTCPDA',
    holds: '30 FTP control sessions from 69.181.135.56 (ports 1285, 1288, 1291… step 3) to 67.161.39.46:21 in 2 s, traced at the server: banner, USER ADMIN, ROOT, SYSTEM, ANONYMOUS, LOGIN, FTP, USER…, 530 replies ("User ID is unknown", "Login incorrect")',
    scaled: null,
    reportSays: 'brute-force login attempt from 69.181.135.56 (error): 30 sessions, the user names tried, 29 failed logins; the reset ending the first session, a banner grab (warning)',
    findings: [
      {
        rule: 'ftp.brute_force',
        severity: 'error',
        because: 'brute-force login attempt from one source: session count, user names tried, failure replies (FTP-03 CRIT)',
        title: ['69.181.135.56'],
        subject: { host: '69.181.135.56', service: '67.161.39.46:21' },
        details: { sessions: 30, usersTried: { includes: BRUTE_FORCE_USERS.slice(0, 7) }, failedLogins: 29, sourcePortStep: 3 },
      },
      {
        rule: 'tcp.reset',
        severity: 'warning',
        because: 'the first session (port 1285) is a banner grab the tool ends with RST 4 ms after the 220 (E.6; analysis.md: RST is a Warning)',
        subject: { connection: '69.181.135.56:1285 → 67.161.39.46:21' },
        count: 1,
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(ftpBruteForce().frames, { local: ['67.161.39.46'] }),
  },
  {
    name: 'DNS errors',
    file: 'dns-errors.bin',
    component: 'SYSTCPDA',
    holds: 'clients 192.168.1.100/105/106/108 → 192.168.0.254:53 answered Name Error (rcode 3) and Server Failure (rcode 2); 192.168.200.12 asking 192.168.200.51 again and again without answer; a Server Failure for a query the trace never saw',
    scaled: null,
    reportSays: 'Server Failure from 192.168.0.254 (warning) and from 192.168.200.51 (warning), Name Error from 192.168.0.254 (note), unanswered queries to 192.168.200.51 (warning)',
    findings: [
      {
        rule: 'dns.error_rcode',
        severity: 'warning',
        because: 'DNS failures by rcode and server: Server Failure (rcode 2) from 192.168.0.254 to three clients (DNS-01 MED)',
        title: ['Server Failure', '192.168.0.254'],
        count: 3,
        details: { rcode: 2, clients: { includes: ['192.168.1.105', '192.168.1.106', '192.168.1.108'] } },
      },
      {
        rule: 'dns.error_rcode',
        severity: 'warning',
        because: 'DNS failures by rcode and server: a Server Failure from 192.168.200.51 (DNS-01 MED)',
        title: ['Server Failure', '192.168.200.51'],
        count: 1,
        details: { rcode: 2 },
      },
      {
        rule: 'dns.error_rcode',
        severity: 'note',
        because: 'DNS failures by rcode and server: Name Error (rcode 3) from 192.168.0.254 (DNS-01 LOW)',
        title: ['Name Error', '192.168.0.254'],
        count: 3,
        details: { rcode: 3, clients: { includes: ['192.168.1.100'] } },
      },
      {
        rule: 'dns.unanswered',
        severity: 'warning',
        because: 'unanswered queries: 192.168.200.12 retries the same query every ~1 s (DNS-02 MED)',
        title: ['192.168.200.12', '192.168.200.51'],
        count: 7,
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(dnsErrors().frames, { local: ['192.168.0.254', '192.168.200.51'] }),
  },
  {
    name: 'DNS through a routing problem',
    file: 'dns-routing-problem.bin',
    component: 'SYSTCPDA',
    holds: '207.33.247.70:1030 asks 204.156.128.1, .10 and .20 in turn for www.netanalysis.org, traced at the client; each query answered 1.8 s later by ICMP Time Exceeded from router 207.33.247.65',
    scaled: null,
    reportSays: 'DNS queries answered by ICMP time exceeded from 207.33.247.65 (error: none of the 3 DNS servers reachable); ICMP time exceeded in transit at 207.33.247.65 (warning)',
    findings: [
      {
        rule: 'dns.query_icmp_error',
        severity: 'error',
        because: 'routing loop or TTL too low between client and DNS servers: TTL exceeded tied to the queries (DNS-03 HIGH)',
        title: ['207.33.247.65'],
        count: 12,
        details: { servers: { includes: ['204.156.128.1', '204.156.128.10', '204.156.128.20'] }, reportedBy: { includes: ['207.33.247.65'] } },
      },
      {
        rule: 'icmp.time_exceeded',
        severity: 'warning',
        because: 'TTL exceeded in transit, from router 207.33.247.65, 1.8 s after each query (IP-02 MED; the HIGH the catalog asks for when the original is DNS is carried by dns.query_icmp_error)',
        subject: { host: '207.33.247.65' },
        count: 12,
        details: { destinations: { includes: ['204.156.128.1', '204.156.128.10', '204.156.128.20'] } },
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(dnsRoutingProblem().frames, { local: ['207.33.247.70'] }),
  },
  {
    name: 'DHCP normal and decline',
    file: 'dhcp-normal-and-decline.bin',
    component: 'SYSTCPDA',
    holds: 'DISCOVER, OFFER 192.168.1.4, REQUEST, ACK with xid 0x06E32864; a second exchange (xid 0xED63F236) ending with the DECLINE of 192.168.0.104; traced at the DHCP server',
    scaled: null,
    reportSays: 'DHCP decline of 192.168.0.104 (warning): an address conflict; the normal exchange says nothing',
    findings: [
      {
        rule: 'dhcp.decline',
        severity: 'warning',
        because: 'DHCP decline: address conflict on the network (DHCP-01 MED)',
        title: ['192.168.0.104'],
        count: 1,
        details: { addresses: { includes: ['192.168.0.104'] }, transactions: { includes: ['0xED63F236'] } },
      },
    ],
    notes: [],
    pending: [],
    build: () => packetTrace(dhcpNormalAndDecline().frames, { local: ['192.168.1.1', '192.168.0.1'] }),
  },
  {
    name: 'NetBIOS broadcasts discarded 4114',
    file: 'netbios-discard-4114.bin',
    component: 'SYSTCPDA',
    holds: '172.29.96.93:137 → 172.29.191.255:137, UDP 78 bytes, IP ID 0x0135, 127 times with TTL 127 … 1, about 0.8 ms apart; every record discarded with code 4114 IP_MAC_BRDCST on link OSDL (MPC IP AQENET)',
    scaled: null,
    reportSays: 'routing loop: one datagram 127 times with TTL 127 → 1 (error); 127 discards 4114 IP_MAC_BRDCST on OSDL from 172.29.96.93 (error, discard storm: likely an invalid locally administered MAC address)',
    findings: [
      {
        rule: 'hostile.routing_loop',
        severity: 'error',
        because: 'a routing loop re-sending one datagram (same ID, falling TTL) (IP-01 HIGH)',
        count: 127,
        title: ['172.29.96.93', '172.29.191.255'],
        details: { mostCopies: 127, highestTtl: 127, lowestTtl: 1, ipIds: { includes: [0x0135] } },
      },
      {
        rule: 'zos.discard',
        severity: 'error',
        because: 'stack discards with 4114: broadcast MAC header but non-broadcast destination IP — likely an invalid locally administered MAC address (Z-02; Z-03 HIGH at ≥ 100 records)',
        subject: { interface: 'OSDL', host: '172.29.96.93' },
        count: 127,
        details: { code: 4114, name: 'IP_MAC_BRDCST', discardedBy: 'TCP/IP stack' },
        explanation: ['locally administered MAC address'],
      },
    ],
    notes: [],
    pending: [],
    build: () =>
      packetTrace(nbnsLoopFrames(), {
        local: [],
        link: NBNS_LOOP.link,
        asid: NBNS_LOOP.asid,
        tcb: 0,
        decorate: (_traced, index) => ({ fields: { discardCode: NBNS_LOOP.discardCode, traceCount: NBNS_LOOP.traceCount + index, connectionId: 9 } }),
      }),
  },
  {
    name: 'OSA flooded with bad packets',
    file: 'osa-flooded.bin',
    component: 'SYSTCPOT',
    holds: 'OSAENTA trace of OSA port OSDLPORT (stack address 172.29.96.20): 389 inbound broadcast frames from 172.29.96.93 with a broken IP header checksum and destination 172.29.191.255 (not this subnet’s broadcast), all discarded by the OSA (code 1); one echo request and its reply go through',
    scaled: '1 : 500,000 of the NETSTAT figures: 194,853,959 inbound → 390, 194,353,459 in error and 194,352,011 discarded → 389, 387,012 outbound → 1; two seconds of traffic',
    reportSays: 'discard storm on OSDLPORT: 389 frames from 172.29.96.93 discarded by the OSA adapter, 389 of the port’s 390 inbound frames (error); their IPv4 header checksums wrong (warning); their destination 172.29.191.255 not an address of the port, whose stack sends from 172.29.96.20 (error: invalid destination addresses, all 389 discarded)',
    findings: [
      {
        rule: 'zos.discard',
        severity: 'error',
        because: 'interface discarding almost everything (Z-03 HIGH: ≥ 100 discards of one code on one link)',
        subject: { interface: OSA_FLOOD.port, host: OSA_FLOOD.floodIp },
        count: scaledDown(OSA_FLOOD.inboundDiscarded),
        details: {
          code: OSA_FLOOD.discardCode,
          discardedBy: 'OSA adapter',
          inboundOnLink: scaledDown(OSA_FLOOD.inboundPackets),
          discardedInboundOnLink: scaledDown(OSA_FLOOD.inboundDiscarded),
          percentOfInboundDiscarded: { near: (100 * OSA_FLOOD.inboundDiscarded) / OSA_FLOOD.inboundPackets, within: 0.1 },
        },
        title: ['discard storm', `${scaledDown(OSA_FLOOD.inboundDiscarded)} of ${scaledDown(OSA_FLOOD.inboundPackets)} inbound`],
      },
      {
        rule: 'hostile.bad_ip_checksum',
        severity: 'warning',
        because: 'the discarded frames’ IPv4 header checksums are wrong: header errors (IP-17 MED; the sender computes that checksum in software)',
        subject: { interface: OSA_FLOOD.port, host: OSA_FLOOD.floodIp },
        count: scaledDown(OSA_FLOOD.inboundDiscarded),
        details: { destinations: { includes: ['172.29.191.255'] } },
      },
      {
        rule: 'hostile.foreign_destination',
        severity: 'error',
        because: 'the discarded frames’ destination 172.29.191.255 is no address of the link, nor the broadcast of any subnet holding the stack’s 172.29.96.20: invalid destination addresses (Z-12 HIGH: address errors ≥ 10 % of the packets received)',
        subject: { interface: OSA_FLOOD.port, host: OSA_FLOOD.floodIp },
        count: scaledDown(OSA_FLOOD.inboundDiscarded),
        details: {
          destinations: { includes: [OSA_FLOOD.floodDestination] },
          discarded: scaledDown(OSA_FLOOD.inboundDiscarded),
          inboundOnLink: scaledDown(OSA_FLOOD.inboundPackets),
          linkAddresses: { includes: [OSA_FLOOD.localIp] },
        },
        title: [OSA_FLOOD.floodDestination, 'not an address of'],
      },
    ],
    notes: [],
    pending: [],
    build: osaFloodDataSet,
  },
  {
    name: 'IDS scan',
    file: 'ids-scan.bin',
    component: 'SYSTCPIS',
    holds: 'IDS records 4-16 of correlator 2: SYNs from 50.79.43.252:53 to 192.86.33.199 ports 53, 256, 23, 1720, 113, 993, 1025, 3389, 3306, 8080, 143, 1723 (seq 1998194860, window 1024, MSS 1460, TTL 34; probe 03020002, rule ScanEventLowTcp-rule), the scanner’s RST to port 21 (probe 03020020)',
    scaled: null,
    reportSays: 'one IDS scan event, correlator 2, from 50.79.43.252 (warning: probes "possibly suspicious"): 13 records, ports probed, probes 03020002 and 03020020, rule ScanEventLowTcp-rule; the one ISN 1998194860 and window 1024 on every SYN as the mark of a scanning tool',
    findings: [
      {
        rule: 'zos.ids_scan',
        severity: 'warning',
        because: 'one fast scan event: source, ports probed, probes, correlator 2, rule (Z-04: a possibly suspicious scan probe is MED)',
        subject: { host: IDS_FAST_SCAN.scanner },
        count: 13,
        details: {
          correlator: '2',
          rules: { includes: [IDS_FAST_SCAN.rule] },
          sources: { includes: ['50.79.43.252:53'] },
          destinations: { includes: [IDS_FAST_SCAN.target] },
          destinationPorts: { includes: [...IDS_FAST_SCAN.probes.map(([port]) => port), IDS_FAST_SCAN.rst.port] },
          // TCP-15: the constant ISN and window 1024 on every probe mark a scanning tool.
          fixedIsn: IDS_FAST_SCAN.seq,
          synWindow: IDS_FAST_SCAN.window,
        },
        title: ['correlator 2', '50.79.43.252'],
      },
    ],
    notes: [],
    pending: [],
    build: idsScanDataSet,
  },
  {
    name: 'IDS malformed packet',
    file: 'ids-malformed.bin',
    component: 'SYSTCPIS',
    holds: 'one IDS record: probe 04010006 from 164.216.140.182 to 251.238.107.85, rule AttackMalformed-rule, action Attack-action',
    scaled: null,
    reportSays: 'IDS attack event from 164.216.140.182 (error): malformed packet, IPv4 header error, source or destination address error',
    findings: [
      {
        rule: 'zos.ids_attack',
        severity: 'error',
        because: 'attack: malformed packet (IPv4 source/destination address error) (Z-06 HIGH)',
        subject: { host: IDS_MALFORMED.source },
        count: 1,
        details: {
          rules: { includes: [IDS_MALFORMED.rule] },
          actions: { includes: [IDS_MALFORMED.action] },
          destinations: { includes: [IDS_MALFORMED.destination] },
        },
        title: ['malformed packet', 'address error'],
      },
    ],
    notes: [],
    pending: [],
    build: () => buildDataSet([idsMalformedEntry()], 'raw'),
  },
  {
    name: 'SYN-ACK to a scanner',
    file: 'synack-backscatter.bin',
    component: 'SYSTCPDA',
    holds: 'traced at 10.44.0.21, one of the addresses a SYN flood forged: SYN-ACKs from 172.30.66.67 ports 6666/6667 (ack 674711610, resent with the same ISNs), RSTs from 172.30.51.10:510 and 172.30.23.23:23 (ack 674711610) to ports nobody here contacted',
    scaled: 'the published packets come from three days; the sample puts them on one day at their published times',
    reportSays: 'unsolicited SYN-ACKs or RSTs from 172.30.66.67, 172.30.51.10 and 172.30.23.23 (notes): backscatter, flood tool signature ack 674711610',
    findings: [
      {
        rule: 'hostile.backscatter',
        severity: 'note',
        because: 'unsolicited SYN-ACKs: backscatter from spoofed traffic (SCAN-14 LOW)',
        subject: { host: BACKSCATTER.ircHost },
        count: 4,
        details: { floodToolSignatures: { includes: ['ack 674711610'] } },
      },
      {
        rule: 'hostile.backscatter',
        severity: 'note',
        because: 'unsolicited RSTs: backscatter from spoofed traffic (SCAN-14 LOW)',
        subject: { host: BACKSCATTER.firstclass },
        count: 3,
        details: { floodToolSignatures: { includes: ['ack 674711610'] } },
      },
      {
        rule: 'hostile.backscatter',
        severity: 'note',
        because: 'unsolicited RSTs: backscatter from spoofed traffic (SCAN-14 LOW)',
        subject: { host: BACKSCATTER.auction },
        count: 3,
        details: { floodToolSignatures: { includes: ['ack 674711610'] } },
      },
    ],
    notes: [{ rule: 'tcp.retransmission', because: 'the SYN-ACKs resent 60-92 s later with the same ISNs, as published' }],
    pending: [],
    build: () => packetTrace(backscatterFrames(), { local: [BACKSCATTER.local] }),
  },
  {
    name: 'Illegal flag combinations',
    file: 'illegal-tcp-flags.bin',
    component: 'SYSTCPDA',
    holds: 'traced at 10.20.0.125: from 10.20.6.125 (ports 56862-56866, one ISN 2449289213) to closed port 41089 a SYN+FIN, a SYN+RST, a FIN without ACK, a segment with no flags and one with all flags; the stack answers RST-ACK where a closed port must',
    scaled: null,
    reportSays: 'illegal TCP flags from 10.20.6.125 (errors): SYN+FIN, SYN+RST, FIN without ACK, NULL, XMAS — crafted packets, a scan or OS fingerprinting; the closed port’s RST-ACK answers shown with the probe they answer',
    // The closed port's RST-ACK answers belong to the probe they answer (no reset warnings of their own, no
    // "ACKed segment not captured" for the SYN+FIN's ack = ISN + 2); the all-flags segment is no backscatter.
    findings: CRAFTED_PROBES.map(([, scenarioWords, reportWord, , , answered]) => ({
      rule: 'hostile.illegal_tcp_flags',
      severity: 'error' as const,
      because: `crafted packets: scan or OS fingerprinting — ${scenarioWords} (SCAN-05..08 HIGH)${answered ? '; the closed port answers with RST-ACK' : ''}`,
      subject: { host: CRAFTED.scanner },
      count: 1,
      title: [reportWord],
      details: {
        targets: { includes: [`${CRAFTED.target}:${CRAFTED.closedPort}`] },
        ...(answered ? { answeredWithReset: { includes: [`${CRAFTED.target}:${CRAFTED.closedPort}`] } } : {}),
      },
    })),
    notes: [{ rule: 'connection.rejected', because: 'the closed port answers the SYN+FIN with RST-ACK' }],
    pending: [],
    build: () => packetTrace(illegalFlagFrames(), { local: [CRAFTED.target] }),
  },
  {
    name: 'Normal FTP session (baseline)',
    file: 'normal-ftp-session.bin',
    component: 'SYSTCPDA',
    holds: 'FTP 137.72.43.117:4408 → 137.72.43.207:21 traced at the z/OS server: handshake with MSS 536 and SACK permitted, 220 banner, USER/PASS/TYPE/PORT, data from port 20 to 4410, 250, QUIT, FIN/ACK both sides',
    scaled: null,
    reportSays: 'no finding at warning or error: the negative control',
    findings: [],
    notes: [],
    pending: [],
    build: () => packetTrace(normalFtpSession().frames, { local: ['137.72.43.207'] }),
  },
];

/** The zero-window probes' gaps from the packet before them: the published "Elapsed" of rows 365, 367 ... 375. */
export const ZERO_WINDOW_PROBE_GAPS: readonly number[] = [0.667, 1.1335, 2.198, 4.128, 8.0642, 16.0743];

// ---- samples/scenarios/README.md ------------------------------------------------------------------------

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** samples/scenarios/README.md, written by `npm run gen:samples` from the statements above. */
export function scenarioSamplesReadme(): string {
  const notSaidYet = SCENARIO_SAMPLES.flatMap((s) => [
    ...s.pending.map((p) => `- ${s.name}: ${p.what}.`),
    ...(s.strictPending === undefined ? [] : [`- ${s.name}: ${s.strictPending.what}, which the case does not call for.`]),
  ]);
  const lines = [
    '# Scenario samples',
    '',
    'One trace data set per case of the project’s scenario list: the cases z/OS network analysts meet, taken',
    'from published trace-analysis case studies (SHARE 2017 "Effective Network Trace Analysis", classic',
    'intrusion-detection papers) and rebuilt as synthetic traffic with the published addresses, ports,',
    'sequence numbers and times. Each is in the trace component an analyst would have it in, packed into',
    '64 KiB trace buffers as a `binary` FTP download delivers them. This file and the samples are written by',
    '`npm run gen:samples` (test/support/scenario-samples.ts); the tests check both byte for byte and run',
    '`zctrace report` on every sample (test/scenario-reports.test.ts).',
    '',
    '```',
    'node dist/cli.js report samples/scenarios/zero-window-stall.bin -o samples/out/zero-window.html',
    'node dist/cli.js report samples/scenarios/normal-ftp-session.bin --json samples/out/baseline.json --fail-on warning',
    '```',
    '',
    '| case | file | component | what the report says |',
    '|---|---|---|---|',
    ...SCENARIO_SAMPLES.map((s) => `| ${cell(s.name)} | \`${s.file}\` | ${s.component} | ${cell(s.reportSays)} |`),
    '',
    '## What each sample holds',
    '',
    ...SCENARIO_SAMPLES.flatMap((s) => [`- **${s.name}** (\`${s.file}\`): ${s.holds}.${s.scaled === null ? '' : ` Scaled down: ${s.scaled}.`}`]),
    '',
    '## Not said yet',
    '',
    ...(notSaidYet.length === 0
      ? ['Nothing: the report says what every case asks for, and nothing more at warning or error.']
      : ['What a case asks for that the report does not say yet (the tests list these as pending):', '', ...notSaidYet]),
    '',
  ];
  return lines.join('\n');
}
