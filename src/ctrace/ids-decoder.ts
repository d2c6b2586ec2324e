/**
 * SYSTCPIS intrusion detection entries → the offending IP packets (contract §6).
 *
 * The format ID is the IDS probe ID. The PTHDR and the IDS extension (correlator, module, job, policy
 * rule, action) are read through the layout profile; the packet is raw IP from PTH_Len (or, when the
 * bytes there are not an IP header, from the first header further on that fits, counted and marked in
 * the comment). The probe, correlator and rule ride in the packet comment, so Wireshark can filter on
 * them: `frame.comment contains "correlator=2 "`.
 */
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket } from '../model/trace-packet.js';
import type { CodePage } from '../zos/ebcdic.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { CompiledLayout, FieldSlot } from './layout/layout-compile.js';
import type { ComponentDecoder, ComponentDecoderOptions } from './component-decoders.js';
import { PthdrView } from './pthdr.js';
import { PacketDescriber, type DescribedSource } from './packet-describer.js';
import { StandaloneEntryDecoder } from './standalone-entry-decoder.js';
import { LinkType } from '../capture/link-types.js';
import { ipTotalLength } from '../net/ip-header.js';
import { describeProbe, isIdsProbeId, type IdsProbe } from './ids-probes.js';
import { locateIdsPacket } from './ids-packet-locator.js';

const IDS_SOURCE: DescribedSource = Object.freeze({ component: 'SYSTCPIS', linkType: LinkType.RAW, label: 'SYSTCPIS intrusion detection trace' });

/** Comment keys, in the order they are written (after the comment's fixed keys). */
export const IdsCommentKey = {
  PROBE: 'ids',
  EVENT_TYPE: 'type',
  SCAN_LEVEL: 'level',
  ATTACK_TYPE: 'attack',
  CORRELATOR: 'correlator',
  RULE: 'rule',
  ACTION: 'action',
  MODULE: 'module',
  JOB: 'job',
  /** Where the packet was found when not at PTH_Len: "+12" bytes after it. */
  PACKET_AT: 'ip_at',
} as const;

export interface IdsStats {
  /** Packets handed out. */
  packets: number;
  /** Packets with fewer bytes than their IP length (the IDS trace record size cut them). */
  truncatedPackets: number;
  /** Bytes past the IP length dropped (the pad byte after an odd-length packet). */
  padBytesDropped: number;
  /** Records whose IP packet was not at PTH_Len but found further on: the layout profile may be off. */
  packetOffsetMismatches: number;
  /** Records whose probe ID is not in the probe table (described by event type and level instead). */
  unknownProbes: number;
  /** Entries whose PTH_Len is shorter than the profile's PTHDR: the later fields are absent. */
  shortHeaders: number;
  /** Entries with an unusable PTH_Len or no IP packet at all: skipped. */
  badHeaders: number;
  /** Packets timed by CTETIME because PTH_Time was absent or implausible. */
  captureTimeFallbacks: number;
  /** Entries whose format ID is not an IDS probe ID: counted, not converted. */
  entriesNotConverted: number;
}

/** The reason an IDS entry is unusable, or null; `found.at` gets the packet offset when it is usable. */
function entryProblem(entry: CteEntry, view: PthdrView, found: { at: number }): string | null {
  if (!isIdsProbeId(entry.formatId)) return 'format ID is not an IDS probe ID (event type 01..04)';
  if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) return 'IDS header length (PTH_Len) unusable';
  found.at = locateIdsPacket(entry.bytes, view.packetStart, view.end);
  return found.at < 0 ? 'no IP packet in the IDS record' : null;
}

/** The scanner's check for IDS entries (contract §2.3): an IDS probe ID, a usable PTH_Len and an IP packet. */
export function createIdsEntryCheck(profile: LayoutProfile): EntryCheck {
  const view = new PthdrView(profile.compiled);
  const found = { at: -1 };
  return (entry) => entryProblem(entry, view, found);
}

class IdsDecoder extends StandaloneEntryDecoder<IdsStats> {
  protected readonly counters: IdsStats = {
    packets: 0,
    truncatedPackets: 0,
    padBytesDropped: 0,
    packetOffsetMismatches: 0,
    unknownProbes: 0,
    shortHeaders: 0,
    badHeaders: 0,
    captureTimeFallbacks: 0,
    entriesNotConverted: 0,
  };
  private readonly layout: CompiledLayout;
  private readonly codePage: CodePage;
  private readonly view: PthdrView;
  private readonly checkView: PthdrView;
  protected readonly describer: PacketDescriber;
  /** The entry the scanner's check last accepted and where its packet is: decode then need not search again. */
  private checked: CteEntry | null = null;
  private readonly found = { at: -1 };

  constructor(options: ComponentDecoderOptions) {
    super();
    this.layout = options.profile.compiled;
    this.codePage = options.codePage;
    this.view = new PthdrView(this.layout);
    this.checkView = new PthdrView(this.layout);
    this.describer = new PacketDescriber(this.layout, options.codePage, options.leapSeconds, IDS_SOURCE);
  }

  readonly check: EntryCheck = (entry) => {
    const problem = entryProblem(entry, this.checkView, this.found);
    this.checked = problem === null ? entry : null;
    return problem;
  };

  decode(entry: CteEntry): CtracePacket | null {
    const { view, counters } = this;
    if (!isIdsProbeId(entry.formatId)) {
      counters.entriesNotConverted++;
      return null;
    }
    const at = this.packetOffset(entry);
    if (at < 0) {
      counters.badHeaders++;
      return null;
    }
    if (view.headerLength < this.layout.pthdrEnd) counters.shortHeaders++;
    const probe = describeProbe(entry.formatId);
    if (!probe.known) counters.unknownProbes++;
    const packet = this.describer.describe(entry, view);
    this.addIdsFacts(packet, probe, at - view.packetStart);
    this.fillPacket(packet, entry.bytes, at, view.end);
    counters.packets++;
    return packet;
  }

  /** Points the view at the entry's header; the packet offset, or -1 when the entry has no usable packet. */
  private packetOffset(entry: CteEntry): number {
    if (!this.view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) return -1;
    const at = entry === this.checked ? this.found.at : locateIdsPacket(entry.bytes, this.view.packetStart, this.view.end);
    this.checked = null;
    return at;
  }

  /** The IP packet's bytes (up to its IP length) and its true length. */
  private fillPacket(packet: CtracePacket, bytes: Uint8Array, at: number, end: number): void {
    const ipLength = ipTotalLength(bytes, at, end);
    let kept = end - at;
    if (kept > ipLength) {
      this.counters.padBytesDropped += kept - ipLength;
      kept = ipLength;
    }
    packet.data = bytes.subarray(at, at + kept);
    packet.originalLength = ipLength;
    packet.ctrace.truncated = kept < ipLength;
    if (packet.ctrace.truncated) {
      this.counters.truncatedPackets++;
      this.describer.addHeaderCopies(packet, this.view, bytes, at, at + kept);
    }
  }

  /** Probe, event type, level or attack type, then the extension's fields, as comment extras. */
  private addIdsFacts(packet: CtracePacket, probe: IdsProbe, shift: number): void {
    const extra = packet.ctrace.extra;
    const ids = this.layout.ids;
    extra[IdsCommentKey.PROBE] = probe.hex;
    if (probe.eventType !== null) extra[IdsCommentKey.EVENT_TYPE] = probe.eventType;
    if (probe.level !== null) extra[IdsCommentKey.SCAN_LEVEL] = probe.level;
    if (probe.attackType !== null) extra[IdsCommentKey.ATTACK_TYPE] = probe.attackType;
    const correlator = this.view.uint(ids.correlator);
    if (correlator !== null) extra[IdsCommentKey.CORRELATOR] = correlator;
    this.putText(extra, IdsCommentKey.RULE, ids.policyRule);
    this.putText(extra, IdsCommentKey.ACTION, ids.actionName);
    this.putText(extra, IdsCommentKey.MODULE, ids.moduleName);
    this.putText(extra, IdsCommentKey.JOB, ids.jobName);
    if (shift !== 0) {
      this.counters.packetOffsetMismatches++;
      extra[IdsCommentKey.PACKET_AT] = `+${shift}`;
    }
  }

  private putText(extra: Record<string, string | number>, key: string, slot: FieldSlot | null): void {
    const text = this.view.text(slot, this.codePage);
    if (text !== null && text !== '') extra[key] = text;
  }
}

export function createIdsDecoder(options: ComponentDecoderOptions): ComponentDecoder {
  return new IdsDecoder(options);
}
