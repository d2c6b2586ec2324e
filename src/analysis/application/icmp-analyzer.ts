/**
 * ICMP and ICMPv6 errors (spec ICMP-01 .. ICMP-06): destination unreachable by code (port unreachable,
 * fragmentation needed with its MTU, administratively prohibited, the others), time exceeded, redirects and
 * parameter problems. The quoted datagram says what failed: each finding names the reporter, the
 * destination and, where it matters, the protocol and port. Rules and severities come from
 * tables/icmp-messages.json.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding, Severity } from '../finding.js';
import { type PacketLayers } from '../../net/packet-layers.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { Icmpv4Type, type IcmpMessage } from '../../net/icmp-message.js';
import { ipProtocolName } from '../../net/ip-protocols.js';
import { addressAt } from './address-text.js';
import { destinationText, sourceText } from '../address.js';
import type { ApplicationPacket } from './application-packet.js';
import { icmpMeaning, type IcmpMeaning } from './application-tables.js';
import type { Thresholds } from '../thresholds.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';

/** UDP ports classic traceroute probes (33434 + hops × probes). */
const TRACEROUTE_PORTS = { first: 33434, last: 33534 } as const;

/** What the quoted datagram says: where it went, over what, to which port. */
interface Target {
  /** "10.1.1.1", or "(not quoted)". */
  address: string;
  protocol: string;
  /** "UDP port 161", "TCP port 21", "ICMP", or "". */
  service: string;
  /** A probe of traceroute (ICMP echo or UDP to its ports): an expected answer, not a fault. */
  traceroute: boolean;
}

class IcmpGroup {
  readonly evidence = new FindingEvidence();
  readonly reporters = new CappedList(10);
  readonly sources = new CappedList(10);
  readonly names = new CappedList(5);
  readonly destinations = new CappedList(10);
  rule = '';
  severity: Severity = 'note';
  target: Target = { address: '', protocol: '', service: '', traceroute: false };
  reporter = '';
  mtu = -1;
  gateway = '';
  allTraceroute = true;
}

export class IcmpAnalyzer implements PacketAnalyzer {
  readonly name = 'icmp';
  private readonly groups: CappedGroups<IcmpGroup>;

  constructor(
    private readonly app: ApplicationPacket,
    t: Thresholds,
  ) {
    this.groups = new CappedGroups(t.maxFindingGroups, () => new IcmpGroup());
  }

  observe(p: AnalyzedPacket): void {
    const app = this.app.decode(p);
    const icmp = app.icmp;
    const ip = app.ip;
    if (icmp === null || ip === null) return;
    const meaning = icmpMeaning(icmp.ipVersion, icmp.type, icmp.code);
    if (meaning.rule === null) return;
    const data = p.packet.data;
    const reporter = sourceText(ip);
    const target = targetOf(app.quoted, data, ip);
    const gateway = icmp.gatewayOffset >= 0 ? addressAt(data, icmp.gatewayOffset, icmp.ipVersion === 6 ? 16 : 4) : '';
    const group = this.groups.get(groupKey(meaning, icmp, reporter, target, gateway));
    group.rule ||= meaning.rule;
    group.severity = meaning.severity;
    group.target = target;
    group.reporter ||= reporter;
    group.mtu = icmp.mtu;
    group.gateway ||= gateway;
    group.allTraceroute &&= target.traceroute;
    group.reporters.add(reporter);
    group.sources.add(destinationText(ip));
    group.names.add(meaning.name);
    group.destinations.add(target.address);
    const mtu = icmp.mtu >= 0 ? ` (MTU ${icmp.mtu})` : '';
    group.evidence.add(p, `${meaning.name}${mtu} for ${target.address}${target.service === '' ? '' : ` ${target.service}`}`);
  }

  finish(): Finding[] {
    return this.groups.entries().map(([key, g]) => findingOf(key === OTHER_GROUP, g));
  }
}

/** The quoted datagram's destination and service, or placeholders when nothing was quoted. */
function targetOf(quoted: PacketLayers | null, data: Uint8Array, outer: PacketLayers): Target {
  if (quoted === null) return { address: '(not quoted)', protocol: '', service: '', traceroute: false };
  const address = destinationText(quoted);
  const protocol = ipProtocolName(quoted.protocol);
  const hasPorts = quoted.destinationPort >= 0;
  const service = hasPorts ? `${protocol} port ${quoted.destinationPort}` : protocol;
  let traceroute = quoted.protocol === IpProtocol.UDP && quoted.destinationPort >= TRACEROUTE_PORTS.first && quoted.destinationPort <= TRACEROUTE_PORTS.last;
  if (quoted.protocol === IpProtocol.ICMP || quoted.protocol === IpProtocol.ICMPV6) {
    // The quoted ICMP type lies inside the outer packet (not past its end): an echo request is a ping or a traceroute.
    const at = quoted.transportOffset;
    const within = at >= 0 && at < Math.min(data.length, outer.transportOffset + outer.transportLength);
    const type = within ? (data[at] ?? -1) : -1;
    traceroute = type === Icmpv4Type.ECHO_REQUEST || type === 128;
  }
  return { address, protocol, service, traceroute };
}

/** Findings group what an analyst fixes together: one service not listening, one router's MTU, one loop. */
function groupKey(meaning: IcmpMeaning, icmp: IcmpMessage, reporter: string, target: Target, gateway: string): string {
  switch (meaning.rule) {
    case 'icmp.port_unreachable':
      return `${meaning.rule}|${target.address}|${target.service}`;
    case 'icmp.fragmentation_needed':
      return `${meaning.rule}|${reporter}|${target.address}|${icmp.mtu}`;
    case 'icmp.admin_prohibited':
      return `${meaning.rule}|${reporter}|${target.address}|${target.service}`;
    case 'icmp.redirect':
      return `${meaning.rule}|${reporter}|${gateway}|${target.address}`;
    case 'icmp.time_exceeded':
      return `${meaning.rule}|${meaning.name}|${reporter}`; // a loop or a low TTL at one router, whatever the destinations
    default:
      return `${meaning.rule}|${meaning.name}|${reporter}|${target.address}`;
  }
}

interface RuleWords {
  title(g: IcmpGroup, times: string): string;
  explanation: string;
  /** The finding is about the router that reported (not the destination it could not reach). */
  aboutReporter?: boolean;
}

const WORDS: Readonly<Record<string, RuleWords>> = {
  'icmp.port_unreachable': {
    title: (g, times) => `Port unreachable: ${g.target.address} ${g.target.service} not listening${times}`,
    explanation:
      'The host answered datagrams with ICMP port unreachable: no program listens on that port. Repeated for one ' +
      'service, the service is down or not started (on z/OS, check the started task and the PORT reservation in the TCPIP profile).',
  },
  'icmp.fragmentation_needed': {
    aboutReporter: true,
    title: (g, times) => `Fragmentation needed: ${g.reporter} reports MTU ${g.mtu} toward ${g.target.address}${times}`,
    explanation:
      'A router could not forward a packet with the Don\'t Fragment flag (or an IPv6 packet) because it is larger than the ' +
      'next link\'s MTU. Path MTU discovery should shrink the packets; if these messages repeat or are filtered, large ' +
      'transfers stall. Check the MTU along the path (on z/OS, the MTU on the interface or ROUTE statements).',
  },
  'icmp.admin_prohibited': {
    aboutReporter: true,
    title: (g, times) => `Administratively prohibited: ${g.reporter} filters traffic to ${g.target.address}${g.target.service === '' ? '' : ` ${g.target.service}`}${times}`,
    explanation: 'A router or firewall refused to forward the traffic by policy (an access list or firewall rule), and said so.',
  },
  'icmp.destination_unreachable': {
    title: (g, times) => `Destination unreachable (${g.names.text()}): ${g.reporter} cannot reach ${g.target.address}${times}`,
    explanation: 'A router (or the sending host) has no way to deliver to this destination: a missing route, a host that is down, or a link that failed.',
  },
  'icmp.time_exceeded': {
    aboutReporter: true,
    title: (g, times) => `Time exceeded (${g.names.text()}) at ${g.reporter} on the way to ${g.destinations.text()}${times}`,
    explanation:
      'The packet\'s TTL (hop limit) reached zero at a router before it arrived: a routing loop between routers, or a ' +
      'TTL set too low by the sender. (Fragment reassembly time exceeded means fragments were lost.)',
  },
  'icmp.redirect': {
    aboutReporter: true,
    title: (g, times) => `ICMP redirect from ${g.reporter}: use ${g.gateway || 'another gateway'} for ${g.target.address}${times}`,
    explanation:
      'A router told the sender to use another first hop: the sender\'s routes point at the wrong router. z/OS IDS treats ' +
      'redirects as an attack type (ICMP_REDIRECT); fix the static routes rather than rely on redirects.',
  },
  'icmp.parameter_problem': {
    aboutReporter: true,
    title: (g, times) => `Parameter problem (${g.names.text()}) reported by ${g.reporter} for ${g.target.address}${times}`,
    explanation: 'A host or router found a header it could not process (a bad option or length) and dropped the packet.',
  },
};

function findingOf(other: boolean, g: IcmpGroup): Finding {
  const count = g.evidence.count;
  const times = ` (${count} ${count === 1 ? 'time' : 'times'})`;
  const words = WORDS[g.rule] ?? WORDS['icmp.destination_unreachable']!;
  const traceroute = g.rule === 'icmp.time_exceeded' && g.allTraceroute;
  const details: Finding['details'] = {
    messages: count,
    icmp: g.names.values,
    reportedBy: g.reporters.values,
    destinations: g.destinations.values,
    sentTo: g.sources.values,
  };
  if (g.target.service !== '') details['service'] = g.target.service;
  if (g.mtu >= 0) details['mtu'] = g.mtu;
  if (g.gateway !== '') details['gateway'] = g.gateway;
  return g.evidence.toFinding(g.rule, 'application', traceroute ? 'note' : g.severity, {
    title: other ? `${g.rule}: other destinations${times}` : words.title(g, times),
    explanation: traceroute ? `${words.explanation} These answer traceroute probes (ICMP echo or UDP ports ${TRACEROUTE_PORTS.first}+): expected.` : words.explanation,
    subject: { host: words.aboutReporter === true ? g.reporter : g.target.address, service: g.target.service === '' ? 'icmp' : g.target.service },
    details,
  });
}
