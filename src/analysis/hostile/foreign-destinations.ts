/**
 * Received packets addressed to none of the traced stack's addresses (exception-catalog Z-12: NETSTAT's
 * "Received Address Errors", invalid destination IP address, here read from the trace itself). The
 * stack's addresses are the sources of what it sends on each link (link-addresses.ts) and any the user
 * states (`localAddresses` in the config). A destination is fine when it is one of them, the limited
 * broadcast, multicast, or the directed broadcast of any subnet (/8../30) holding one of them; the rest
 * are foreign: a sender with a wrong subnet mask, broadcasts of another subnet, a misdirected flood.
 *
 * Bad packets often come before the stack sends anything, so the verdict waits for the end of the run:
 * per link, a bounded tally per destination (count, discards, a few sources, a few evidence packets), a
 * destination already known to be fine costing one set lookup. What it leaves alone, because a demanding
 * reader would call it noise:
 *  - links with no address of their own (nothing sent on them, none stated): nothing to judge by;
 *  - loopback links, packets of unknown direction (a pcap without directions), packets sent;
 *  - impossible destinations (0/8, class E): hostile.martian_address reports those;
 *  - fewer than `foreignDestinationPackets` on a link: a stray packet is not a finding;
 *  - a stack that forwards IP receives packets for other hosts as a matter of course: the finding says
 *    how many were discarded, and is only a note when none was (error when the discarded ones are at
 *    least 10 % of the link's inbound packets, Z-12's HIGH; else a warning).
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding, Severity } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import type { PacketLayers } from '../../net/packet-layers.js';
import type { PacketRow } from '../../report/report-model.js';
import type { TracePacket } from '../../model/trace-packet.js';
import { FindingEvidence, FindingGroups } from '../finding-groups.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { addressText, destinationText, sourceText } from '../address.js';
import { formatDiscard } from '../../ctrace/code-tables.js';
import { parseIpAddress } from '../../filter/address-match.js';
import { AddressList, StackAddresses } from './link-addresses.js';
import { onLoopbackInterface } from '../loopback-interface.js';

/** Addresses learned per link (a shared OSA port traced for the whole CHPID shows several LPARs'). */
const ADDRESSES_PER_LINK = 32;
/** Links tracked; a trace has a handful. */
const MAX_LINKS = 256;
/** Distinct destinations tallied per link; packets to further ones are judged on arrival and counted together. */
const DESTINATIONS_PER_LINK = 64;
/** Senders told apart per destination. */
const SOURCES_PER_DESTINATION = 8;
/** Packets kept as possible evidence per destination. */
const HELD_PER_DESTINATION = 5;
/** The stack's addresses named in a finding's explanation (its details list them all). */
const ADDRESSES_NAMED = 8;
/** Z-12: address errors at least this share of the packets received are HIGH. */
const ERROR_PERCENT_OF_INBOUND = 10;

/** One sender of packets to a destination. */
interface SourceCount {
  version: number;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  count: number;
}

/** Packets received on one link for one destination (or, for the link's overflow tally, for any further one). */
class DestinationTally {
  readonly evidence = new FindingEvidence();
  discarded = 0;
  private held = 0;
  readonly sources: SourceCount[] = [];
  /** Packets from senders past SOURCES_PER_DESTINATION. */
  otherSources = 0;

  constructor(
    readonly version: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
  ) {}

  add(p: AnalyzedPacket, d: PacketLayers, lateRows: LateEvidenceRows): void {
    const reason = p.packet.ctrace?.discard ?? null;
    if (reason !== null) this.discarded++;
    this.countSource(d);
    if (this.held < HELD_PER_DESTINATION) {
      this.held++;
      this.evidence.hold(p, `to ${destinationText(d)} from ${sourceText(d)}${reason === null ? '' : `, discarded ${formatDiscard(reason)}`}`, lateRows);
    }
    this.evidence.addEvent(p.packet.timeSec, p.packet.timeNsec);
  }

  private countSource(d: PacketLayers): void {
    const sources = this.sources;
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!;
      if (s.w0 === d.source0 && s.w1 === d.source1 && s.w2 === d.source2 && s.w3 === d.source3 && s.version === d.ipVersion) {
        s.count++;
        return;
      }
    }
    if (sources.length < SOURCES_PER_DESTINATION) sources.push({ version: d.ipVersion, w0: d.source0, w1: d.source1, w2: d.source2, w3: d.source3, count: 1 });
    else this.otherSources++;
  }

  matchesIpv6(d: PacketLayers): boolean {
    return this.w0 === d.destination0 >>> 0 && this.w1 === d.destination1 >>> 0 && this.w2 === d.destination2 >>> 0 && this.w3 === d.destination3 >>> 0;
  }

  get text(): string {
    return addressText(this.version, this.w0, this.w1, this.w2, this.w3);
  }
}

/** What one link received, and its own addresses. */
class LinkTally {
  readonly own = new AddressList(ADDRESSES_PER_LINK);
  inbound = 0;
  /** By the destination as a signed 32-bit number (a small integer to V8, see AddressList). */
  readonly ipv4 = new Map<number, DestinationTally>();
  readonly ipv6: DestinationTally[] = [];
  /** Packets to destinations past DESTINATIONS_PER_LINK, judged foreign when they arrived. */
  overflow: DestinationTally | null = null;
  /** Packets to destinations past the cap that arrived before the stack had any address to judge by. */
  notJudged = 0;

  get destinations(): number {
    return this.ipv4.size + this.ipv6.length;
  }

  ipv6Tally(d: PacketLayers): DestinationTally | undefined {
    for (let i = 0; i < this.ipv6.length; i++) if (this.ipv6[i]!.matchesIpv6(d)) return this.ipv6[i];
    return undefined;
  }
}

/** Words and figures of one link's finding. */
interface LinkVerdict {
  foreign: DestinationTally[];
  count: number;
  discarded: number;
}

function severityOf(verdict: LinkVerdict, inbound: number): Severity {
  if (verdict.discarded === 0) return 'note';
  return 100 * verdict.discarded >= ERROR_PERCENT_OF_INBOUND * inbound ? 'error' : 'warning';
}

/** The senders of the foreign packets, most packets first. */
function sendersOf(foreign: readonly DestinationTally[]): { text: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const tally of foreign) {
    for (const s of tally.sources) {
      const text = addressText(s.version, s.w0, s.w1, s.w2, s.w3);
      counts.set(text, (counts.get(text) ?? 0) + s.count);
    }
  }
  return [...counts].map(([text, count]) => ({ text, count })).sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
}

function ownAddressTexts(list: AddressList): string[] {
  const texts = list.ipv4List.map((address) => addressText(4, address, 0, 0, 0));
  for (let i = 0; i < list.ipv6.length; i += 4) texts.push(addressText(6, list.ipv6[i]!, list.ipv6[i + 1]!, list.ipv6[i + 2]!, list.ipv6[i + 3]!));
  return texts;
}

/** The stated addresses of the config as bytes (thresholds.ts has checked them). */
function statedAddresses(thresholds: Thresholds): Uint8Array[] {
  return (thresholds.localAddresses ?? []).map((text) => parseIpAddress(text)).filter((bytes): bytes is Uint8Array => bytes !== null);
}

export class ForeignDestinationAnalyzer implements PacketAnalyzer {
  readonly name = 'foreign-destinations';
  private readonly stack: StackAddresses;
  /** Per link name; null for a link left alone (loopback) or past MAX_LINKS. */
  private readonly links = new Map<string, LinkTally | null>();
  /** The link of the previous packet (packets come in runs on one link): null before the first. */
  private lastName: string | null = null;
  private lastLink: LinkTally | null = null;
  private readonly lateRows: LateEvidenceRows;
  private readonly groups: FindingGroups;

  constructor(private readonly thresholds: Thresholds) {
    this.stack = new StackAddresses(statedAddresses(thresholds), ADDRESSES_PER_LINK * MAX_LINKS);
    this.lateRows = new LateEvidenceRows(thresholds.packetsListedEvidence);
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const direction = p.packet.direction;
    if (direction === 'unknown') return;
    const link = this.linkOf(p.packet);
    if (link === null) return;
    if (direction === 'inbound') link.inbound++;
    const d = datagramOf(p);
    if (d === null) return;
    if (direction === 'outbound') {
      if (d.ipVersion === 4) this.stack.learnIpv4(link.own, d.source0);
      else this.stack.learnIpv6(link.own, d.source0, d.source1, d.source2, d.source3);
      return;
    }
    if (d.ipVersion === 4) {
      if (this.stack.acceptsIpv4(d.destination0)) return;
      // Impossible destinations (0/8, class E) are hostile.martian_address's.
      const first = d.destination0 >>> 24;
      if (first === 0 || first >= 240) return;
    } else if (this.stack.acceptsIpv6(d.destination0, d.destination1, d.destination2, d.destination3)) return;
    this.tally(p, d, link);
  }

  private linkOf(packet: TracePacket): LinkTally | null {
    const name = packet.interface.name;
    if (name === this.lastName) return this.lastLink;
    let link = this.links.get(name);
    if (link === undefined) {
      link = onLoopbackInterface(packet) || this.links.size >= MAX_LINKS ? null : new LinkTally();
      if (this.links.size < MAX_LINKS) this.links.set(name, link);
    }
    this.lastName = name;
    this.lastLink = link;
    return link;
  }

  private tally(p: AnalyzedPacket, d: PacketLayers, link: LinkTally): void {
    let tally = d.ipVersion === 4 ? link.ipv4.get(d.destination0 | 0) : link.ipv6Tally(d);
    if (tally === undefined) {
      if (link.destinations < DESTINATIONS_PER_LINK) {
        tally = new DestinationTally(d.ipVersion, d.destination0 >>> 0, d.destination1 >>> 0, d.destination2 >>> 0, d.destination3 >>> 0);
        if (d.ipVersion === 4) link.ipv4.set(d.destination0 | 0, tally);
        else link.ipv6.push(tally);
      } else if (this.stack.knows(link.own)) {
        tally = link.overflow ??= new DestinationTally(0, 0, 0, 0, 0);
      } else {
        link.notJudged++;
        return;
      }
    }
    tally.add(p, d, this.lateRows);
  }

  /** The link's tallies whose destination is foreign by the addresses known at the end. */
  private verdict(link: LinkTally): LinkVerdict {
    const foreign: DestinationTally[] = [];
    for (const tally of link.ipv4.values()) if (!this.stack.acceptsIpv4(tally.w0)) foreign.push(tally);
    for (const tally of link.ipv6) if (!this.stack.acceptsIpv6(tally.w0, tally.w1, tally.w2, tally.w3)) foreign.push(tally);
    foreign.sort((a, b) => b.evidence.count - a.evidence.count);
    if (link.overflow !== null) foreign.push(link.overflow);
    let count = 0;
    let discarded = 0;
    for (const tally of foreign) {
      count += tally.evidence.count;
      discarded += tally.discarded;
    }
    return { foreign, count, discarded };
  }

  finish(): Finding[] {
    const minimum = Math.max(1, this.thresholds.foreignDestinationPackets);
    for (const [name, link] of this.links) {
      if (link === null || !this.stack.knows(link.own)) continue;
      const verdict = this.verdict(link);
      if (verdict.count < minimum) continue;
      this.report(name, link, verdict);
    }
    return this.groups.findings();
  }

  private report(name: string, link: LinkTally, verdict: LinkVerdict): void {
    const { foreign, count, discarded } = verdict;
    const listed = foreign.filter((tally) => tally !== link.overflow);
    const senders = sendersOf(foreign);
    // The subject's host is the sender of most of them, when one sent at least half.
    const main = senders[0] !== undefined && 2 * senders[0].count >= count ? senders[0].text : null;
    const firstDestination = listed[0]?.text ?? 'further destinations';
    const more = `${listed.length > 1 ? ` and ${listed.length - 1} more` : ''}${link.overflow !== null && listed.length > 0 ? ' and further ones' : ''}`;
    const own = [...new Set([...ownAddressTexts(link.own), ...ownAddressTexts(this.stack.stated)])];
    const home = ownAddressTexts(this.stack.home);
    const shown = home.length > ADDRESSES_NAMED ? `${home.slice(0, ADDRESSES_NAMED).join(', ')} and ${home.length - ADDRESSES_NAMED} more` : home.join(', ');
    const group = this.groups.get(name, () => ({
      rule: 'hostile.foreign_destination',
      category: 'hostile',
      severity: severityOf(verdict, link.inbound),
      title: `Inbound packets to ${firstDestination}${more}, not an address of ${name}${main === null ? '' : `, from ${main}`}: ${count} of ${link.inbound} inbound, ${discarded} discarded`,
      explanation:
        `Packets received on ${name} whose destination is none of the stack's addresses (${shown}: the sources it sends from${this.stack.stated.size > 0 ? ', and localAddresses of the config' : ''}), ` +
        'nor the directed broadcast of any subnet holding one of them, the limited broadcast or multicast. A host that does not forward IP ' +
        'counts them as address errors (NETSTAT STATS: Received Address Errors, invalid destination IP address) and drops them: ' +
        'usually a sender with a wrong subnet mask or broadcasting for another subnet, or a misdirected flood. ' +
        `${discarded} of the ${count} were discarded in the trace. If this stack forwards IP (IPCONFIG DATAGRAMFWD), packets routed through it arrive like this too.`,
      subject: { interface: name, ...(main === null ? {} : { host: main }) },
    }));
    for (const tally of foreign) {
      group.merge(tally.evidence);
      if (tally !== link.overflow) group.listDetail('destinations', tally.text);
    }
    for (const sender of senders) group.listDetail('sources', sender.text);
    for (const address of home) group.listDetail('stackAddresses', address);
    const otherSources = foreign.reduce((sum, tally) => sum + tally.otherSources, 0);
    Object.assign(group.details, {
      discarded,
      inboundOnLink: link.inbound,
      percentOfInbound: Math.round((1000 * count) / Math.max(1, link.inbound)) / 10,
      linkAddresses: own,
    });
    if (otherSources > 0) group.details['packetsFromSendersNotListed'] = otherSources;
    if (link.overflow !== null) group.details['packetsToDestinationsNotListed'] = link.overflow.evidence.count;
    if (link.notJudged > 0) group.details['packetsNotJudged'] = link.notJudged;
  }

  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }
}
