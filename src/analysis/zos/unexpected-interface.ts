/**
 * Packets arriving on an unexpected interface (analysis.md §4): asymmetric routing seen from the traced
 * stack. For each remote host (the source of what comes in, the destination of what goes out) the analyzer
 * learns the links the stack sends to it on and the links its packets arrive on. A link its packets arrive
 * on that the stack never sends to it on, while the stack does send to it on another one, is unexpected:
 * requests come in by OSA B while the replies leave by OSA A. That breaks stateful firewalls and filters in
 * one of the paths, and makes one path's problems (drops, discards, MTU) look like the host's.
 *
 * Two kinds, one finding per kind, arriving link(s) and sending link(s), listing the hosts:
 *  - complete: none of the host's packets arrive on a link the stack sends to it on (a warning);
 *  - partial: some do and some come in by another link, as when routers share the load of the traffic
 *    to the stack's VIPA over several links while the stack answers on one (a note: often by design).
 * The stack sending to a host on several links (ECMP, IPCONFIG MULTIPATH) makes each of them expected.
 *
 * What it leaves alone: packets of unknown direction (a pcap without directions); loopback links; the
 * socket-data interfaces of data traces (wire-packets.ts keeps their records away; by name when read back
 * from a converted pcapng); arrivals on the links to the sysplex's other stacks (sysplex-links.json: a
 * sysplex distributor forwards a DVIPA's packets that way by design); multicast, broadcast, loopback and
 * unspecified peers; received packets not addressed to an address the stack sends from or to one of the
 * config's localAddresses (broadcasts, packets it forwards; before it has sent anything, any unicast
 * destination passes); findings of fewer than `unexpectedInterfacePackets` such arrivals.
 *
 * Cost: per packet one lookup in a bounded host table (the least recently used judged and forgotten
 * first) and a look at the host's few links; nothing allocated unless a host or a link is new, or a packet
 * is held as evidence (only once a host's arrivals look unexpected, a few per host, a bounded number in all).
 */
import { createRequire } from 'node:module';
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import type { PacketRow } from '../../report/report-model.js';
import type { PacketLayers } from '../../net/packet-layers.js';
import type { TracePacket } from '../../model/trace-packet.js';
import { CappedList, FindingEvidence, FindingGroup } from '../finding-groups.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { addressText } from '../address.js';
import { parseIpAddress } from '../../filter/address-match.js';
// Data trace records are shown on interfaces of their own: socket data, not packets on a link.
import { SOCKET_DATA_INTERFACE_PREFIX } from '../../ctrace/data-trace-decoder.js';
import { onLoopbackInterface } from '../loopback-interface.js';
import { AddressList } from '../hostile/link-addresses.js';

const require = createRequire(import.meta.url);
const SYSPLEX_LINK_PREFIXES = (require('./sysplex-links.json') as { prefixes: string[] }).prefixes;

const RULE = 'zos.unexpected_interface';
/** Links tracked; a trace has a handful. */
const MAX_LINKS = 256;
/** Links told apart per host (ECMP uses up to 16 routes; a host on more links than this is counted aside). */
const LINKS_PER_HOST = 16;
/** Addresses the stack sends from, learned to recognise packets addressed to it (per IP version). */
const OWN_ADDRESSES = 4096;
/** Packets held as evidence per host: a few arrivals and one packet sent the other way. */
const HELD_ARRIVALS_PER_HOST = 4;
/** Packets held as evidence in all (each a copy of the packet). */
const HELD_IN_ALL = 4000;
/** Findings (kind × arriving links × sending links) told apart; a trace has a few. */
const MAX_PATTERNS = 1000;
/** Hosts named in a title. */
const HOSTS_NAMED = 3;

/** One link as this analyzer sees it. */
interface LinkInfo {
  name: string;
  /** A link to another stack of the sysplex: what arrives on it is never unexpected. */
  sysplex: boolean;
}

/** What one host did on one link. */
class LinkUse {
  sent = 0;
  arrived = 0;
  firstSec = 0;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;

  constructor(readonly link: LinkInfo) {}

  arrive(sec: number, nsec: number): void {
    if (this.arrived === 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
    }
    this.arrived++;
    this.lastSec = sec;
    this.lastNsec = nsec;
  }
}

/**
 * One remote host: the links the stack sends to it on and those its packets arrive on. The host is itself
 * its use of the first link it was seen on (uses[0]), where most of its packets go: one object fewer to
 * reach per packet, which matters when the other analyzers have pushed this state out of the CPU caches.
 */
class HostPaths extends LinkUse {
  readonly uses: LinkUse[] = [this];
  /** Links the stack has sent to it on. */
  sendingLinks = 0;
  /** Packets on links past LINKS_PER_HOST. */
  notTracked = 0;
  /** Held only once its arrivals look unexpected. */
  evidence: FindingEvidence | null = null;
  heldArrivals = 0;
  heldSent = false;
  /** Another IPv6 host whose address folds to the same table key. */
  next: HostPaths | null = null;
  /** The host table's clock when its chain (this host when it heads one) was last used. */
  touched = 0;

  /** The address as signed 32-bit words (IPv4: w0 only); `link` the first it was seen on. */
  constructor(
    link: LinkInfo,
    readonly version: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
  ) {
    super(link);
  }

  is(version: number, w0: number, w1: number, w2: number, w3: number): boolean {
    return this.w0 === (w0 | 0) && this.version === version && this.w1 === (w1 | 0) && this.w2 === (w2 | 0) && this.w3 === (w3 | 0);
  }

  useOf(link: LinkInfo): LinkUse | null {
    if (this.link === link) return this;
    const uses = this.uses;
    for (let i = 1; i < uses.length; i++) if (uses[i]!.link === link) return uses[i]!;
    if (uses.length >= LINKS_PER_HOST) return null;
    const use = new LinkUse(link);
    uses.push(use);
    return use;
  }

  /** Links its packets arrived on that the stack has not sent it anything on, so far. */
  linksNotSentOn = 0;

  sendOn(use: LinkUse): void {
    if (use.sent++ > 0) return;
    this.sendingLinks++;
    if (use.arrived > 0) this.linksNotSentOn--;
  }

  arriveOn(use: LinkUse, sec: number, nsec: number): void {
    if (use.arrived === 0 && use.sent === 0) this.linksNotSentOn++;
    use.arrive(sec, nsec);
  }

  get text(): string {
    return addressText(this.version, this.w0, this.w1, this.w2, this.w3);
  }
}

type Kind = 'complete' | 'partial';

/** The hosts of one finding: one kind, the same arriving and sending links. */
class Pattern {
  readonly group: FindingGroup;
  readonly hosts = new CappedList<string>(50);
  /** Hosts in order of unexpected packets, for the title. */
  readonly top: { text: string; count: number }[] = [];
  arrivedElsewhere = 0;
  arrivedOnSendingLinks = 0;
  sent = 0;

  constructor(
    readonly kind: Kind,
    readonly arriving: string[],
    readonly sending: string[],
  ) {
    this.group = new FindingGroup({ rule: RULE, category: 'zos', severity: kind === 'complete' ? 'warning' : 'note', title: '', explanation: '', subject: {} });
  }
}

/** A peer that is no single remote host: 0/8, loopback, multicast, class E, the limited broadcast; IPv6 ::, ::1, multicast. */
function notAHost(version: number, w0: number, w1: number, w2: number, w3: number): boolean {
  if (version === 4) {
    const first = w0 >>> 24;
    return first === 0 || first === 127 || first >= 224;
  }
  if (w0 >>> 24 === 0xff) return true;
  return w0 === 0 && w1 === 0 && w2 === 0 && (w3 === 0 || w3 === 1);
}

/**
 * The host table's key, a small integer so a lookup builds nothing: an IPv4 address as its signed 32-bit
 * word, an IPv6 address folded into one (the hosts sharing a key are chained, see HostPaths.next).
 */
export function tableKey(version: number, w0: number, w1: number, w2: number, w3: number): number {
  if (version === 4) return w0 | 0;
  return (w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35)) | 0;
}

function listText(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export class UnexpectedInterfaceAnalyzer implements PacketAnalyzer {
  readonly name = 'unexpected-interface';
  /** Per link name; null for a link left alone (loopback, socket data) or past MAX_LINKS. */
  private readonly links = new Map<string, LinkInfo | null>();
  /** The link of the previous packet (packets come in runs on one link). */
  private lastName: string | null = null;
  private lastLink: LinkInfo | null = null;
  /** The addresses the stack sends from (and those stated in the config). */
  private readonly own = new AddressList(OWN_ADDRESSES);
  /** Per table key (see tableKey), the chain of hosts sharing it; at most maxTrackedHosts keys. */
  private readonly hosts = new Map<number, HostPaths>();
  /** Counts host lookups: a chain's `touched` says when it was last used. */
  private clock = 0;
  private readonly hostLimit: number;
  private readonly patterns = new Map<string, Pattern>();
  /** Hosts judged unexpected whose pattern did not fit MAX_PATTERNS. */
  private hostsNotReported = 0;
  private held = 0;
  private readonly lateRows: LateEvidenceRows;

  constructor(private readonly thresholds: Thresholds) {
    this.hostLimit = Math.max(1, thresholds.maxTrackedHosts);
    // The stack's addresses stated in the config count as its own from the start (a VIPA it only receives on).
    for (const text of thresholds.localAddresses ?? []) {
      const bytes = parseIpAddress(text);
      if (bytes === null) continue;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.length === 4) this.own.add(4, view.getUint32(0), 0, 0, 0);
      else this.own.add(6, view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12));
    }
    this.lateRows = new LateEvidenceRows(thresholds.packetsListedEvidence);
  }

  observe(p: AnalyzedPacket): void {
    const direction = p.packet.direction;
    if (direction === 'unknown') return;
    const link = this.linkOf(p.packet);
    if (link === null) return;
    const d = datagramOf(p);
    if (d === null) return;
    const outbound = direction === 'outbound';
    if (outbound) {
      if (!notAHost(d.ipVersion, d.source0, d.source1, d.source2, d.source3)) this.own.add(d.ipVersion, d.source0, d.source1, d.source2, d.source3);
    } else if (link.sysplex || !this.addressedToStack(d)) {
      return;
    }
    const w0 = outbound ? d.destination0 : d.source0;
    const w1 = outbound ? d.destination1 : d.source1;
    const w2 = outbound ? d.destination2 : d.source2;
    const w3 = outbound ? d.destination3 : d.source3;
    if (notAHost(d.ipVersion, w0, w1, w2, w3)) return;
    const host = this.hostOf(link, d.ipVersion, w0, w1, w2, w3);
    const use = host.useOf(link);
    if (use === null) {
      host.notTracked++;
      return;
    }
    if (outbound) {
      host.sendOn(use);
      // The first packet sent to a host whose packets come in elsewhere shows the other way of the path.
      if (host.linksNotSentOn > 0 && !host.heldSent && this.held < HELD_IN_ALL) {
        host.heldSent = true;
        this.hold(p, host, `to ${host.text} on ${link.name}`);
      }
      return;
    }
    host.arriveOn(use, p.packet.timeSec, p.packet.timeNsec);
    if (use.sent === 0 && host.sendingLinks > 0 && host.heldArrivals < HELD_ARRIVALS_PER_HOST && this.held < HELD_IN_ALL) {
      host.heldArrivals++;
      this.hold(p, host, `from ${host.text} on ${link.name}, which the stack does not send to it on`);
    }
  }

  /**
   * A received packet for the stack itself: to an address it sends from. Before it has sent anything (the
   * first packets of a trace) any unicast destination passes, so a trace opening with requests counts them.
   */
  private addressedToStack(d: PacketLayers): boolean {
    if (this.own.size === 0) return !d.linkBroadcast && !notAHost(d.ipVersion, d.destination0, d.destination1, d.destination2, d.destination3);
    return this.own.has(d.ipVersion, d.destination0, d.destination1, d.destination2, d.destination3);
  }

  /**
   * The host's paths, made the first time. A plain map and a use stamp rather than a use-ordered list: one
   * lookup and one object reached per packet (the host table is out of the CPU caches by the time the next
   * packet comes, after the other analyzers), the least recently used forgotten in bulk (see forgetOldest).
   */
  private hostOf(link: LinkInfo, version: number, w0: number, w1: number, w2: number, w3: number): HostPaths {
    const key = tableKey(version, w0, w1, w2, w3);
    const chain = this.hosts.get(key);
    const now = ++this.clock;
    if (chain !== undefined) {
      chain.touched = now;
      for (let host: HostPaths | null = chain; host !== null; host = host.next) if (host.is(version, w0, w1, w2, w3)) return host;
    }
    const host = new HostPaths(link, version, w0 | 0, w1 | 0, w2 | 0, w3 | 0);
    if (chain === undefined) {
      if (this.hosts.size >= this.hostLimit) this.forgetOldest();
      host.touched = now;
      this.hosts.set(key, host);
    } else {
      host.next = chain.next;
      chain.next = host;
    }
    return host;
  }

  private hold(p: AnalyzedPacket, host: HostPaths, note: string): void {
    this.held++;
    (host.evidence ??= new FindingEvidence()).hold(p, note, this.lateRows);
  }

  private linkOf(packet: TracePacket): LinkInfo | null {
    const name = packet.interface.name;
    if (name === this.lastName) return this.lastLink;
    let link = this.links.get(name);
    if (link === undefined) {
      const leftAlone = onLoopbackInterface(packet) || name.startsWith(SOCKET_DATA_INTERFACE_PREFIX);
      const sysplex = SYSPLEX_LINK_PREFIXES.some((prefix) => name.toUpperCase().startsWith(prefix));
      link = leftAlone || this.links.size >= MAX_LINKS ? null : { name, sysplex };
      if (this.links.size < MAX_LINKS) this.links.set(name, link);
    }
    this.lastName = name;
    this.lastLink = link;
    return link;
  }

  /** Adds a host to its finding when its packets arrive on a link the stack does not send to it on. */
  private judge(host: HostPaths): void {
    if (host.sendingLinks === 0) return;
    const arriving: LinkUse[] = [];
    const sending: LinkUse[] = [];
    let arrivedOnSendingLinks = 0;
    let sent = 0;
    for (const use of host.uses) {
      if (use.sent > 0) {
        sending.push(use);
        arrivedOnSendingLinks += use.arrived;
        sent += use.sent;
      } else if (use.arrived > 0) arriving.push(use);
    }
    if (arriving.length === 0) return;
    const kind: Kind = arrivedOnSendingLinks === 0 ? 'complete' : 'partial';
    const arrivingNames = arriving.map((use) => use.link.name).sort();
    const sendingNames = sending.map((use) => use.link.name).sort();
    const key = `${kind}|${arrivingNames.join(',')}|${sendingNames.join(',')}`;
    let pattern = this.patterns.get(key);
    if (pattern === undefined) {
      if (this.patterns.size >= MAX_PATTERNS) {
        this.hostsNotReported++;
        return;
      }
      pattern = new Pattern(kind, arrivingNames, sendingNames);
      this.patterns.set(key, pattern);
    }
    let count = 0;
    for (const use of arriving) {
      count += use.arrived;
      pattern.group.addEvent(use.firstSec, use.firstNsec, use.arrived);
      pattern.group.addEvent(use.lastSec, use.lastNsec, 0);
    }
    if (host.evidence !== null) pattern.group.absorb(host.evidence);
    pattern.arrivedElsewhere += count;
    pattern.arrivedOnSendingLinks += arrivedOnSendingLinks;
    pattern.sent += sent;
    const text = host.text;
    pattern.hosts.add(text);
    pattern.top.push({ text, count });
    if (pattern.top.length > 2 * HOSTS_NAMED) {
      pattern.top.sort((a, b) => b.count - a.count);
      pattern.top.length = HOSTS_NAMED;
    }
    if (host.notTracked > 0) pattern.group.sumDetail('packetsOnLinksNotTracked', host.notTracked);
  }

  private judgeChain(chain: HostPaths): void {
    for (let host: HostPaths | null = chain; host !== null; host = host.next) this.judge(host);
  }

  /**
   * The host table is full: the least recently used quarter of it is judged and forgotten. Done once per
   * quarter of the table's worth of new hosts, so its cost spread over them stays small.
   */
  private forgetOldest(): void {
    const stamps = Float64Array.from(this.hosts.values(), (chain) => chain.touched).sort();
    const cut = stamps[Math.floor(stamps.length / 4)]!;
    for (const [key, chain] of this.hosts) {
      if (chain.touched > cut) continue;
      this.judgeChain(chain);
      this.hosts.delete(key);
    }
  }

  finish(): Finding[] {
    for (const chain of this.hosts.values()) this.judgeChain(chain);
    this.hosts.clear();
    const minimum = Math.max(1, this.thresholds.unexpectedInterfacePackets);
    const findings: Finding[] = [];
    for (const pattern of this.patterns.values()) {
      if (pattern.group.count < minimum) continue;
      this.word(pattern);
      findings.push(pattern.group.finding());
    }
    return findings;
  }

  /** The finding's words and details, once all its hosts are in. */
  private word(pattern: Pattern): void {
    const { group, hosts, kind } = pattern;
    pattern.top.sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
    const named = pattern.top.slice(0, HOSTS_NAMED).map((host) => host.text);
    const who = hosts.size === 1 ? named[0]! : `${hosts.size} hosts (${named.join(', ')}${hosts.size > named.length ? ', …' : ''})`;
    const arriving = listText(pattern.arriving);
    const sending = listText(pattern.sending);
    const route = `the stack sends to ${hosts.size === 1 ? 'it' : 'them'} on ${sending}`;
    const title =
      kind === 'complete'
        ? `Packets from ${who} arrive on ${arriving}, ${route}: asymmetric routing`
        : `Some packets from ${who} arrive on ${arriving}, others on ${sending}, where ${route}`;
    const common =
      `The stack sends to ${hosts.size === 1 ? 'this host' : 'these hosts'} on ${sending} (its route to them), ` +
      `yet ${group.count} of their packets came in on ${arriving}, a link it never sends to them on. `;
    const explanation =
      kind === 'complete'
        ? common +
          'Requests come in by one path and the replies leave by another: a stateful firewall or filter on either path sees only half of each ' +
          'conversation and may drop it, and the problems of one path (drops, discards, a smaller MTU) look like the host’s. Check the routes to these ' +
          'hosts on both sides: the stack’s routing table (NETSTAT ROUTE) and what the routers advertise for the stack’s addresses.'
        : common +
          `Others arrive on ${sending}, the link the stack answers on: the routers share the traffic to the stack over several links while it answers on ` +
          'one. That is usual when the routers reach the stack’s VIPA by several equal-cost routes; it matters when a stateful firewall or filter sits in only one ' +
          'of the paths.';
    group.spec = {
      ...group.spec,
      title,
      explanation,
      subject: { interface: pattern.arriving.join(', '), ...(hosts.size === 1 ? { host: named[0]! } : {}) },
    };
    for (const host of hosts.values) group.listDetail('hosts', host);
    if (hosts.omitted > 0) group.details['hostsNotListed'] = hosts.omitted;
    Object.assign(group.details, {
      asymmetry: kind,
      arrivingLinks: pattern.arriving,
      sendingLinks: pattern.sending,
      hostCount: hosts.size,
      packetsArrivingOnSendingLinks: pattern.arrivedOnSendingLinks,
      packetsSentToThem: pattern.sent,
    });
    if (this.hostsNotReported > 0) group.details['hostsOfFurtherPatternsNotReported'] = this.hostsNotReported;
  }

  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }
}
