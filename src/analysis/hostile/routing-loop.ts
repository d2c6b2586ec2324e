/**
 * Routing loops (exception-catalog IP-01): the same IPv4 datagram (same source, destination, protocol, IP
 * ID, length and fragment offset) seen again and again with a falling TTL: routers hand it round in a
 * circle until the TTL runs out. The classic case is a NetBIOS broadcast repeated 127 times from TTL 127
 * down to 1.
 *
 * Every IPv4 packet is a candidate, so recent datagrams live in a fixed table of typed arrays indexed by a
 * hash of their fields: no allocation per packet, and a newer datagram simply takes the slot of an older
 * one that hashes alike (the table is large enough that a loop, whose copies come milliseconds apart,
 * keeps its slot). A slot older than routingLoopWindowSec counts as empty.
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

function datagramHash(d: PacketLayers): number {
  let h = Math.imul(d.source0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ d.destination0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((d.ipId << 16) | (d.totalLength & 0xffff)), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ (d.protocol * 65536 + d.fragmentOffset), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}

/** The recent datagrams: one slot per hash value, each field in its own typed array. */
class DatagramTable {
  readonly source = new Uint32Array(SLOTS);
  readonly destination = new Uint32Array(SLOTS);
  /** IP ID << 16 | total length. */
  readonly idAndLength = new Uint32Array(SLOTS);
  /** Protocol << 16 | fragment offset / 8, plus 1 so that 0 means an empty slot. */
  readonly protocolAndOffset = new Uint32Array(SLOTS);
  readonly firstSec = new Float64Array(SLOTS);
  readonly firstTtl = new Uint8Array(SLOTS);
  readonly lastTtl = new Uint8Array(SLOTS);
  readonly copies = new Uint32Array(SLOTS);
  readonly reported = new Uint8Array(SLOTS);
  readonly early = new Uint32Array(SLOTS * EARLY_COPIES * COPY_FIELDS);

  matches(slot: number, d: PacketLayers): boolean {
    return (
      this.protocolAndOffset[slot] === keyOf(d) &&
      this.source[slot] === d.source0 >>> 0 &&
      this.destination[slot] === d.destination0 >>> 0 &&
      this.idAndLength[slot] === (((d.ipId << 16) | (d.totalLength & 0xffff)) >>> 0)
    );
  }

  claim(slot: number, d: PacketLayers, sec: number): void {
    this.source[slot] = d.source0;
    this.destination[slot] = d.destination0;
    this.idAndLength[slot] = ((d.ipId << 16) | (d.totalLength & 0xffff)) >>> 0;
    this.protocolAndOffset[slot] = keyOf(d);
    this.firstSec[slot] = sec;
    this.firstTtl[slot] = d.ttl;
    this.lastTtl[slot] = d.ttl;
    this.copies[slot] = 0;
    this.reported[slot] = 0;
  }

  /** Remembers where the copy was seen, while the slot has room for early copies. */
  keepCopy(slot: number, p: AnalyzedPacket, ttl: number): void {
    const copy = this.copies[slot]!;
    if (copy >= EARLY_COPIES) return;
    const at = (slot * EARLY_COPIES + copy) * COPY_FIELDS;
    this.early[at] = p.frame;
    this.early[at + 1] = p.input;
    this.early[at + 2] = (p.packet.ctrace?.recordNumber ?? -1) + 1;
    this.early[at + 3] = p.packet.timeSec;
    this.early[at + 4] = p.packet.timeNsec;
    this.early[at + 5] = ttl;
  }

  earlyEvidence(slot: number): EvidenceRef[] {
    const refs: EvidenceRef[] = [];
    for (let copy = 0; copy < Math.min(EARLY_COPIES, this.copies[slot]!); copy++) {
      const at = (slot * EARLY_COPIES + copy) * COPY_FIELDS;
      const record = this.early[at + 2]!;
      refs.push({
        frame: this.early[at]!,
        input: this.early[at + 1]!,
        record: record === 0 ? null : record - 1,
        time: formatUtc(this.early[at + 3]!, this.early[at + 4]!),
        note: `TTL ${this.early[at + 5]}`,
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

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const d = datagramOf(p);
    if (d === null || d.ipVersion !== 4) return;
    const t = this.table;
    const slot = datagramHash(d);
    const sec = p.packet.timeSec + p.packet.timeNsec / 1e9;
    const fresh = !t.matches(slot, d) || sec - t.firstSec[slot]! > this.thresholds.routingLoopWindowSec || d.ttl >= t.lastTtl[slot]!;
    // A new datagram, or the same ID reused without a falling TTL: the slot starts afresh.
    if (fresh) t.claim(slot, d, sec);
    t.keepCopy(slot, p, d.ttl);
    t.copies[slot]!++;
    t.lastTtl[slot] = d.ttl;
    if (t.copies[slot]! >= this.thresholds.routingLoopCopies) this.report(p, d, slot);
  }

  private report(p: AnalyzedPacket, d: PacketLayers, slot: number): void {
    const t = this.table;
    const group = this.groupOf(d);
    if (t.reported[slot] === 0) {
      t.reported[slot] = 1;
      group.sumDetail('datagrams', 1);
      group.addEvidence(t.earlyEvidence(slot));
      group.addEvent(p.packet.timeSec, p.packet.timeNsec, t.copies[slot]! - 1);
      group.addEvent(p.packet.timeSec, p.packet.timeNsec);
    } else if (group.hasRoomForEvidence) {
      group.add(p, `copy ${t.copies[slot]}, TTL ${d.ttl}`);
    } else {
      group.addEvent(p.packet.timeSec, p.packet.timeNsec);
    }
    group.maxDetail('mostCopies', t.copies[slot]!);
    group.maxDetail('highestTtl', t.firstTtl[slot]!);
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
