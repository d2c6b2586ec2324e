/**
 * Routing loops (exception-catalog IP-01): the same IPv4 datagram (same source, destination, protocol, IP
 * ID, length and fragment offset) seen again and again with a falling TTL: routers hand it round in a
 * circle until the TTL runs out. The classic case is a NetBIOS broadcast repeated 127 times from TTL 127
 * down to 1.
 *
 * Every IPv4 packet is a candidate, so recent datagrams live in a fixed table indexed by a hash of their
 * fields: no allocation per packet (a small array only for a datagram seen again with a lower TTL), and
 * a newer datagram simply takes the slot of an older one that hashes alike (the table is large enough
 * that a loop, whose copies come milliseconds apart, keeps its slot). A slot older than
 * routingLoopWindowSec counts as empty.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { EvidenceRef, Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { type PacketLayers } from '../../net/packet-layers.js';
import { destinationText, sourceText } from '../address.js';
import { formatUtc } from '../../model/time.js';

const SLOT_BITS = 16;
const SLOTS = 1 << SLOT_BITS;
/** Copies whose place is kept until the loop is confirmed: the first ones show the TTL falling. */
const EARLY_COPIES = 3;
/** Per early copy: frame, input, record + 1 (0: none), seconds, nanoseconds, TTL; each fits 32 bits. */
const COPY_FIELDS = 6;

/**
 * One slot's words, side by side so that a packet touches one or two cache lines (the table is 4 MB; as
 * one array per field, every packet missed the cache once per field).
 */
const Field = {
  source: 0,
  destination: 1,
  /** IP ID << 16 | total length. */
  idAndLength: 2,
  /** Protocol << 16 | fragment offset / 8, plus 1 so that 0 means an empty slot. */
  key: 3,
  firstSec: 4,
  firstNsec: 5,
  firstTtl: 6,
  lastTtl: 7,
  copies: 8,
  reported: 9,
  /** The first copy (COPY_FIELDS words); the later early copies are kept apart, only for datagrams seen again. */
  firstCopy: 10,
} as const;
const SLOT_WORDS = 16;

function datagramHash(d: PacketLayers): number {
  let h = Math.imul(d.source0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ d.destination0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((d.ipId << 16) | (d.totalLength & 0xffff)), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ (d.protocol * 65536 + d.fragmentOffset), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}

/** The recent datagrams: one slot per hash value, at `slot * SLOT_WORDS` in one array. */
class DatagramTable {
  readonly words = new Uint32Array(SLOTS * SLOT_WORDS);
  /** The second and later early copies, by slot: only datagrams seen again with a lower TTL have them. */
  private readonly laterCopies = new Map<number, Uint32Array>();

  matches(at: number, d: PacketLayers): boolean {
    const w = this.words;
    return (
      w[at + Field.key] === keyOf(d) &&
      w[at + Field.source] === d.source0 >>> 0 &&
      w[at + Field.destination] === d.destination0 >>> 0 &&
      w[at + Field.idAndLength] === (((d.ipId << 16) | (d.totalLength & 0xffff)) >>> 0)
    );
  }

  /** True while `sec.nsec` is within `windowNs` of the slot's first copy. */
  withinWindow(at: number, sec: number, nsec: number, windowNs: number): boolean {
    const w = this.words;
    return (sec - w[at + Field.firstSec]!) * 1e9 + (nsec - w[at + Field.firstNsec]!) <= windowNs;
  }

  claim(at: number, d: PacketLayers, sec: number, nsec: number): void {
    const w = this.words;
    // Only a slot that kept later copies has an entry to drop (most slots never do).
    if (w[at + Field.copies]! > 1) this.laterCopies.delete(at);
    w[at + Field.source] = d.source0;
    w[at + Field.destination] = d.destination0;
    w[at + Field.idAndLength] = (d.ipId << 16) | (d.totalLength & 0xffff);
    w[at + Field.key] = keyOf(d);
    w[at + Field.firstSec] = sec;
    w[at + Field.firstNsec] = nsec;
    w[at + Field.firstTtl] = d.ttl;
    w[at + Field.lastTtl] = d.ttl;
    w[at + Field.copies] = 0;
    w[at + Field.reported] = 0;
  }

  /** Remembers where the copy was seen, while the slot has room for early copies. */
  keepCopy(at: number, p: AnalyzedPacket, ttl: number): void {
    const copy = this.words[at + Field.copies]!;
    if (copy >= EARLY_COPIES) return;
    let target: Uint32Array = this.words;
    let offset = at + Field.firstCopy;
    if (copy > 0) {
      let later = this.laterCopies.get(at);
      if (later === undefined) this.laterCopies.set(at, (later = new Uint32Array((EARLY_COPIES - 1) * COPY_FIELDS)));
      target = later;
      offset = (copy - 1) * COPY_FIELDS;
    }
    target[offset] = p.frame;
    target[offset + 1] = p.input;
    target[offset + 2] = (p.packet.ctrace?.recordNumber ?? -1) + 1;
    target[offset + 3] = p.packet.timeSec;
    target[offset + 4] = p.packet.timeNsec;
    target[offset + 5] = ttl;
  }

  earlyEvidence(at: number): EvidenceRef[] {
    const refs: EvidenceRef[] = [];
    const later = this.laterCopies.get(at);
    for (let copy = 0; copy < Math.min(EARLY_COPIES, this.words[at + Field.copies]!); copy++) {
      const source = copy === 0 ? this.words : later;
      if (source === undefined) break;
      const offset = copy === 0 ? at + Field.firstCopy : (copy - 1) * COPY_FIELDS;
      const record = source[offset + 2]!;
      refs.push({
        frame: source[offset]!,
        input: source[offset + 1]!,
        record: record === 0 ? null : record - 1,
        time: formatUtc(source[offset + 3]!, source[offset + 4]!),
        note: `TTL ${source[offset + 5]}`,
      });
    }
    return refs;
  }
}

function keyOf(d: PacketLayers): number {
  return ((d.protocol << 16) | (d.fragmentOffset >>> 3)) + 1;
}

export class RoutingLoopAnalyzer implements PacketAnalyzer {
  readonly name = 'routing-loop';
  private readonly groups: FindingGroups;
  private readonly table = new DatagramTable();

  /** routingLoopWindowSec in nanoseconds. */
  private readonly windowNs: number;

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
    this.windowNs = thresholds.routingLoopWindowSec * 1e9;
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null || d.ipVersion !== 4) return;
    const t = this.table;
    const w = t.words;
    const at = datagramHash(d) * SLOT_WORDS;
    const { timeSec, timeNsec } = p.packet;
    const fresh = !t.matches(at, d) || !t.withinWindow(at, timeSec, timeNsec, this.windowNs) || d.ttl >= w[at + Field.lastTtl]!;
    // A new datagram, or the same ID reused without a falling TTL: the slot starts afresh.
    if (fresh) t.claim(at, d, timeSec, timeNsec);
    t.keepCopy(at, p, d.ttl);
    w[at + Field.copies]!++;
    w[at + Field.lastTtl] = d.ttl;
    if (w[at + Field.copies]! >= this.thresholds.routingLoopCopies) this.report(p, d, at);
  }

  private report(p: AnalyzedPacket, d: PacketLayers, at: number): void {
    const t = this.table;
    const w = t.words;
    const copies = w[at + Field.copies]!;
    const group = this.groupOf(d);
    if (w[at + Field.reported] === 0) {
      w[at + Field.reported] = 1;
      group.sumDetail('datagrams', 1);
      group.addEvidence(t.earlyEvidence(at));
      group.addEvent(p.packet.timeSec, p.packet.timeNsec, copies - 1);
      group.addEvent(p.packet.timeSec, p.packet.timeNsec);
    } else if (group.hasRoomForEvidence) {
      group.add(p, `copy ${copies}, TTL ${d.ttl}`);
    } else {
      group.addEvent(p.packet.timeSec, p.packet.timeNsec);
    }
    group.maxDetail('mostCopies', copies);
    group.maxDetail('highestTtl', w[at + Field.firstTtl]!);
    group.details['lowestTtl'] = Math.min(Number(group.details['lowestTtl'] ?? 255), d.ttl);
    group.listDetail('ipIds', d.ipId);
    group.details['protocol'] = d.protocol;
  }

  private groupOf(d: PacketLayers): FindingGroup {
    const source = sourceText(d);
    const destination = destinationText(d);
    return this.groups.get(`${source}|${destination}`, () => ({
      rule: 'hostile.routing_loop',
      category: 'hostile',
      severity: 'error',
      title: `Routing loop: ${source} → ${destination}`,
      explanation:
        'The same IP datagram (same source, destination, IP ID and length) passed the trace point again and again, its TTL one lower each time: routers are handing it round in a circle until the TTL runs out. Check the routes (and, for broadcasts, the subnet masks) of the routers and hosts on the path.',
      subject: { host: source },
    }));
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
