/**
 * IP fragments (exception-catalog IP-11..14): fragmentation itself (a note: it should not happen any more
 * on a modern network), and the anomalies attackers use to slip past filters: fragments that overlap, a
 * first fragment too small to hold the TCP header, fragments with Don't Fragment set, fragment sizes that
 * are not a multiple of 8, and datagrams whose fragments never all arrived. The fragments of a datagram
 * are compared for fragmentTimeoutSec (the reassembly timeout), with at most a few ranges each.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf, evidenceOf } from '../analyzed-packet.js';
import type { Finding, Severity } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { FindingGroups } from '../finding-groups.js';
import { type PacketLayers } from '../../net/packet-layers.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { type HostKey, destinationKey, destinationText, sourceKey, sourceText } from '../address.js';
import type { EvidenceRef } from '../finding.js';

/** Byte ranges remembered per datagram: plenty for real fragment trains, bounded for hostile ones. */
const MAX_RANGES = 64;

interface Anomaly {
  rule: string;
  severity: Severity;
  title: string;
  explanation: string;
}

const ANOMALIES = {
  fragmented: {
    rule: 'hostile.fragmented',
    severity: 'note',
    title: 'IP fragments',
    explanation: 'Datagrams arrived in fragments. On a modern network with path MTU discovery this should not happen: look for an MTU mismatch or a tunnel on the path, or traffic built to evade inspection.',
  },
  overlap: {
    rule: 'hostile.overlapping_fragments',
    severity: 'error',
    title: 'Overlapping IP fragments',
    explanation: 'Fragments of one datagram cover the same bytes: the receiver and a filter may reassemble them differently (a teardrop-style attack or filter evasion).',
  },
  tiny: {
    rule: 'hostile.tiny_fragment',
    severity: 'error',
    title: 'Tiny first fragment',
    explanation: 'The first fragment is too small to hold the whole TCP header, so a filter cannot see the ports or flags: the classic tiny-fragment evasion.',
  },
  dontFragment: {
    rule: 'hostile.fragment_with_df',
    severity: 'warning',
    title: "Fragments with Don't Fragment set",
    explanation: "A fragment carries the Don't Fragment flag, which contradicts its being a fragment: the packets are crafted.",
  },
  size: {
    rule: 'hostile.bad_fragment_size',
    severity: 'error',
    title: 'Fragment size not a multiple of 8',
    explanation: 'A fragment other than the last carries a length that is not a multiple of 8 bytes, which IP does not allow: the fragments are crafted or damaged.',
  },
  incomplete: {
    rule: 'hostile.incomplete_fragments',
    severity: 'warning',
    title: 'Fragmented datagrams never completed',
    explanation: 'Some fragments of a datagram never arrived (first, last or middle missing) within the reassembly timeout: the receiver discards the rest. Loss on the path, or fragments sent to exhaust reassembly buffers.',
  },
} as const satisfies Record<string, Anomaly>;

class FragmentedDatagram {
  /** [start, end) byte ranges of the fragments seen. */
  readonly ranges: number[] = [];
  sawFirst = false;
  /** Total length from the last fragment (offset + length), -1 until it is seen. */
  totalLength = -1;
  readonly evidence: EvidenceRef;

  constructor(
    readonly firstSec: number,
    readonly source: HostKey,
    readonly sourceText: string,
    readonly destinationText: string,
    p: AnalyzedPacket,
  ) {
    this.evidence = evidenceOf(p, 'fragment');
  }

  /** Adds a range; true when it overlaps one seen before. */
  add(start: number, end: number): boolean {
    let overlaps = false;
    for (let i = 0; i < this.ranges.length; i += 2) if (start < this.ranges[i + 1]! && end > this.ranges[i]!) overlaps = true;
    if (this.ranges.length < 2 * MAX_RANGES) this.ranges.push(start, end);
    return overlaps;
  }

  get complete(): boolean {
    if (!this.sawFirst || this.totalLength < 0) return false;
    const sorted: [number, number][] = [];
    for (let i = 0; i < this.ranges.length; i += 2) sorted.push([this.ranges[i]!, this.ranges[i + 1]!]);
    sorted.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    for (const [start, end] of sorted) {
      if (start > covered) return false;
      covered = Math.max(covered, end);
    }
    return covered >= this.totalLength;
  }
}

export class FragmentationAnalyzer implements PacketAnalyzer {
  readonly name = 'fragmentation';
  private readonly groups: FindingGroups;
  private readonly datagrams = new Map<string, FragmentedDatagram>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const now = p.packet.timeSec;
    this.expire(now);
    const d = datagramOf(p);
    if (d === null || !d.isFragment) return;
    const key = `${sourceKey(d)}|${destinationKey(d)}|${d.protocol}|${d.fragmentId}`;
    let datagram = this.datagrams.get(key);
    if (datagram === undefined) {
      datagram = new FragmentedDatagram(now, sourceKey(d), sourceText(d), destinationText(d), p);
      this.datagrams.set(key, datagram);
      if (this.datagrams.size > this.thresholds.maxTrackedHosts) this.closeOldest();
    }
    this.noteFragment(p, d, datagram);
  }

  private noteFragment(p: AnalyzedPacket, d: PacketLayers, datagram: FragmentedDatagram): void {
    const start = d.fragmentOffset;
    const end = start + d.transportLength;
    this.flag('fragmented', datagram, p, `fragment at offset ${start}, ${d.transportLength} bytes`);
    if (start === 0) datagram.sawFirst = true;
    if (!d.moreFragments) datagram.totalLength = end;
    if (datagram.add(start, end)) this.flag('overlap', datagram, p, `bytes ${start}–${end} overlap an earlier fragment`);
    if (d.dontFragment && d.ipVersion === 4) this.flag('dontFragment', datagram, p, "fragment with Don't Fragment set");
    if (d.moreFragments && d.transportLength % 8 !== 0) this.flag('size', datagram, p, `${d.transportLength} bytes, not a multiple of 8`);
    if (start === 0 && d.protocol === IpProtocol.TCP && d.transportLength < this.thresholds.tinyFragmentBytes) {
      this.flag('tiny', datagram, p, `first fragment holds only ${d.transportLength} bytes of TCP`);
    }
  }

  private flag(kind: keyof typeof ANOMALIES, datagram: FragmentedDatagram, p: AnalyzedPacket | null, note: string): void {
    const anomaly: Anomaly = ANOMALIES[kind];
    const group = this.groups.get(`${anomaly.rule}|${datagram.source}`, () => ({
      rule: anomaly.rule,
      category: 'hostile',
      severity: anomaly.severity,
      title: `${anomaly.title} from ${datagram.sourceText}`,
      explanation: anomaly.explanation,
      subject: { host: datagram.sourceText },
    }));
    if (p !== null) group.add(p, note);
    else {
      group.addEvent(datagram.firstSec, 0);
      group.addEvidence([datagram.evidence]);
    }
    group.listDetail('destinations', datagram.destinationText);
  }

  /** Datagrams past the reassembly timeout are judged and forgotten (the map's order is the order first seen). */
  private expire(nowSec: number): void {
    for (const [key, datagram] of this.datagrams) {
      if (nowSec - datagram.firstSec <= this.thresholds.fragmentTimeoutSec) return;
      this.close(key, datagram);
    }
  }

  private closeOldest(): void {
    const first = this.datagrams.entries().next().value;
    if (first !== undefined) this.close(first[0], first[1]);
  }

  private close(key: string, datagram: FragmentedDatagram): void {
    this.datagrams.delete(key);
    if (!datagram.complete) this.flag('incomplete', datagram, null, 'fragments missing');
  }

  finish(): Finding[] {
    for (const [key, datagram] of [...this.datagrams]) this.close(key, datagram);
    return this.groups.findings();
  }
}
