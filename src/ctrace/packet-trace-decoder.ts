/**
 * SYSTCPDA packet trace entries (format 4, PTHIdPkt) → TracePackets (contract §3, §3.1).
 *
 * The packet is the raw IPv4/IPv6 datagram from header + PTH_Len to the end of the component data. Its
 * true length comes from the IP header itself, so an ABBREV-truncated packet keeps orig_len > incl_len,
 * and bytes past the IP length (the pad byte after an odd-length packet) are never exported. Every PTHDR
 * offset comes from the layout profile.
 */
import type { CodePage } from '../zos/ebcdic.js';
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket } from '../model/trace-packet.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { CompiledLayout } from './layout/layout-compile.js';
import { PthdrView } from './pthdr.js';
import { PacketDescriber } from './packet-describer.js';
import { MAX_REASSEMBLED_PACKET, SegmentAssembler } from './segment-assembler.js';
import { ipTotalLength, ipVersionAt } from '../net/ip-header.js';

/** CTEFMTID of the IPv4/IPv6 packet trace, PTHIdPkt (contract §2.2, IBM). */
export const PACKET_TRACE_FORMAT_ID = 4;

export interface PacketTraceDecoderOptions {
  profile: LayoutProfile;
  codePage: CodePage;
  /** Seconds the site's TOD clock runs ahead of UTC (contract §2.1); default 0. */
  leapSeconds?: number;
}

export interface PacketTraceStats {
  /** Packets handed out. */
  packets: number;
  /** Packets rebuilt whole from more than one entry. */
  segmentedPackets: number;
  /** Segment sets that ended with pieces missing (emitted with what arrived). */
  incompleteSegmentSets: number;
  /** Later segments that fit no set in progress (first segment lost, or after a gap): dropped. */
  segmentsWithoutPacket: number;
  /** Packets with fewer bytes than their original length (ABBREV, a missing segment). */
  truncatedPackets: number;
  /** Bytes past the IP length dropped (the pad byte after an odd-length packet). */
  padBytesDropped: number;
  /** Entries whose PTH_Len is shorter than the profile's header: the later fields are absent. */
  shortHeaders: number;
  /** Entries whose PTH_Len is unreadable or runs past the entry: skipped. */
  badHeaders: number;
  /** Entries with no packet bytes after the header: skipped. */
  emptyPackets: number;
  /** Packets timed by CTETIME because PTH_Time was absent or implausible. */
  captureTimeFallbacks: number;
  /** Entries of another format handed to this decoder: skipped. */
  otherFormats: number;
}

export interface PacketTraceDecoder {
  /**
   * Decodes one entry. Null while a segmented packet is still being assembled (or the entry is skipped).
   * Rarely one entry completes two packets (a segment set cut short by a whole packet): decode returns
   * the older and `takeQueued` the newer, so callers drain `takeQueued` after each decode.
   */
  decode(entry: CteEntry): CtracePacket | null;
  /** The packet `decode` returned last is a view of its entry's bytes (a whole packet from one entry). */
  readonly lastPacketViewsEntry: boolean;
  /** A further packet completed by the last decode, or null. Its bytes are a copy, valid indefinitely. */
  takeQueued(): CtracePacket | null;
  /** At end of input: the packets still held (a segment set that never completed, emitted incomplete). */
  flush(): CtracePacket[];
  readonly stats: Readonly<PacketTraceStats>;
  /** The scanner's acceptance test for this decoder's entries. */
  readonly check: EntryCheck;
}

/** What rides with a segment set until it is whole. */
interface SetContext {
  packet: CtracePacket;
  ipLength: number;
  /** Bytes the set should collect; fewer at the end means pieces are missing. */
  expected: number;
}

interface SegmentKey {
  todHigh: number;
  todLow: number;
  tracedLength: number;
}

function newStats(): PacketTraceStats {
  return {
    packets: 0,
    segmentedPackets: 0,
    incompleteSegmentSets: 0,
    segmentsWithoutPacket: 0,
    truncatedPackets: 0,
    padBytesDropped: 0,
    shortHeaders: 0,
    badHeaders: 0,
    emptyPackets: 0,
    captureTimeFallbacks: 0,
    otherFormats: 0,
  };
}

/**
 * The scanner's check for SYSTCPDA packet entries (contract §2.3): a usable PTH_Len with packet bytes
 * after it, and for a first (or only) segment an IP version nibble of 4 or 6 where the packet starts.
 * Entries of other formats are left to their own decoders.
 */
export function createPacketEntryCheck(profile: LayoutProfile): EntryCheck {
  const view = new PthdrView(profile.compiled);
  const segmentNumber = profile.compiled.pthdr.segmentNumber;
  return (entry) => {
    if (entry.formatId !== PACKET_TRACE_FORMAT_ID) return null;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) return 'packet trace header length (PTH_Len) unusable';
    if (view.packetStart >= view.end) return 'no packet bytes after the packet trace header';
    if ((view.uint(segmentNumber) ?? 0) !== 0) return null;
    const version = ipVersionAt(entry.bytes, view.packetStart, view.end);
    return version === 4 || version === 6 ? null : `IP version nibble ${version} at the packet offset`;
  };
}

class PacketTraceDecoderImpl implements PacketTraceDecoder {
  private readonly counters = newStats();
  readonly check: EntryCheck;
  private readonly layout: CompiledLayout;
  private readonly view: PthdrView;
  private readonly describer: PacketDescriber;
  private readonly assembler = new SegmentAssembler<SetContext>();
  /** Packets completed but not yet handed out; [0] is next. */
  private readonly ready: CtracePacket[] = [];
  lastPacketViewsEntry = false;
  /** The packet emitted last views the entry being decoded (not the reassembly buffer). */
  private emittedEntryView = false;

  constructor(options: PacketTraceDecoderOptions) {
    this.layout = options.profile.compiled;
    this.view = new PthdrView(this.layout);
    this.describer = new PacketDescriber(this.layout, options.codePage, options.leapSeconds ?? 0);
    this.check = createPacketEntryCheck(options.profile);
  }

  get stats(): Readonly<PacketTraceStats> {
    this.counters.captureTimeFallbacks = this.describer.captureTimeFallbacks;
    return this.counters;
  }

  decode(entry: CteEntry): CtracePacket | null {
    const waiting = this.ready.length;
    this.emittedEntryView = false;
    this.process(entry);
    // The common case, one whole packet from one entry: no queue work.
    this.lastPacketViewsEntry = waiting === 0 && this.ready.length === 1 && this.emittedEntryView;
    if (waiting === 0 && this.ready.length === 1) return this.ready.pop()!;
    // Packets that cannot be handed out now outlive the entry (or the assembly buffer): keep copies.
    for (let i = Math.max(waiting, 1); i < this.ready.length; i++) {
      const packet = this.ready[i]!;
      packet.data = packet.data.slice();
    }
    return this.takeQueued();
  }

  takeQueued(): CtracePacket | null {
    return this.ready.shift() ?? null;
  }

  flush(): CtracePacket[] {
    this.endSet();
    return this.ready.splice(0, this.ready.length);
  }

  private process(entry: CteEntry): void {
    if (entry.formatId !== PACKET_TRACE_FORMAT_ID) {
      this.counters.otherFormats++;
      return;
    }
    const view = this.view;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) {
      this.counters.badHeaders++;
      return;
    }
    if (view.headerLength < this.layout.pthdrEnd) this.counters.shortHeaders++;
    if (view.packetStart >= view.end) {
      this.counters.emptyPackets++;
      return;
    }
    const segmentNumber = view.uint(this.layout.pthdr.segmentNumber) ?? 0;
    if (segmentNumber === 0) this.firstSegment(entry);
    else this.laterSegment(entry, segmentNumber);
  }

  /** A whole packet, or the first piece of a segmented one. */
  private firstSegment(entry: CteEntry): void {
    this.endSet();
    const { view } = this;
    const bytes = entry.bytes;
    const start = view.packetStart;
    const end = view.end;
    const ipLength = ipTotalLength(bytes, start, end);
    const packet = this.describer.describe(entry, view);
    if (ipLength < 0 || end - start < ipLength) this.describer.addHeaderCopies(packet, view, bytes, start, end);
    const tracedLength = this.segmentableLength();
    // PTH_Tlen promises more than this entry holds (and the IP length agrees): more segments follow.
    const expected = tracedLength < 0 ? 0 : Math.min(tracedLength, ipLength < 0 ? tracedLength : ipLength, MAX_REASSEMBLED_PACKET);
    if (tracedLength >= 0 && end - start < expected) {
      this.assembler.start({ packet, ipLength, expected }, this.segmentKey(tracedLength), expected, bytes, start, end);
      return;
    }
    this.emit(packet, bytes, start, end, ipLength, 1, false);
    this.emittedEntryView = true;
  }

  /**
   * PTH_Tlen of a first segment that more segments may follow, or -1 when the header lacks a field
   * segmentation needs. Asked per packet, so it makes no object.
   */
  private segmentableLength(): number {
    const { view } = this;
    const f = this.layout.pthdr;
    const tracedLength = view.uint(f.tracedLength);
    if (!view.has(f.captureTime) || tracedLength === null || view.uint(f.segmentOffset) !== 0) return -1;
    return tracedLength;
  }

  /** What ties a first segment to its followers (call only when segmentableLength() >= 0). */
  private segmentKey(tracedLength: number): SegmentKey {
    const { view } = this;
    const time = this.layout.pthdr.captureTime!;
    return { todHigh: view.todHigh(time), todLow: view.todLow(time), tracedLength };
  }

  private laterSegment(entry: CteEntry, segmentNumber: number): void {
    const { view } = this;
    const f = this.layout.pthdr;
    const time = f.captureTime;
    const belongs =
      view.has(time) &&
      this.assembler.continues(view.todHigh(time), view.todLow(time), view.uint(f.tracedLength) ?? 0);
    const outcome = belongs ? this.assembler.append(segmentNumber, view.uint(f.segmentOffset) ?? -1, entry.bytes, view.packetStart, view.end) : 'gap';
    if (outcome === 'complete') this.endSet();
    else if (outcome === 'gap') {
      this.counters.segmentsWithoutPacket++;
      this.endSet();
    }
  }

  /** Emits the set in progress, if any: whole when all its bytes arrived, else incomplete. */
  private endSet(): void {
    const finished = this.assembler.finish();
    if (finished === null) return;
    const { packet, ipLength, expected } = finished.context;
    const incomplete = finished.data.length < expected;
    if (incomplete) this.counters.incompleteSegmentSets++;
    else this.counters.segmentedPackets++;
    this.emit(packet, finished.data, 0, finished.data.length, ipLength, finished.received, incomplete);
  }

  /** Fills in the bytes (`data` from `start` to `end`) and lengths and queues the packet. */
  private emit(packet: CtracePacket, data: Uint8Array, start: number, end: number, ipLength: number, received: number, incomplete: boolean): void {
    let kept = end - start;
    if (ipLength >= 0 && kept > ipLength) {
      this.counters.padBytesDropped += kept - ipLength;
      kept = ipLength;
    }
    // One view per packet: the packet is cut to its IP length before the view is made.
    packet.data = start === 0 && kept === data.length ? data : data.subarray(start, start + kept);
    packet.originalLength = ipLength >= 0 ? ipLength : Math.max(packet.originalLength, kept);
    const ctrace = packet.ctrace;
    ctrace.truncated = kept < packet.originalLength;
    if (received > 1 || incomplete) ctrace.segments = { received, incomplete };
    if (ctrace.truncated) this.counters.truncatedPackets++;
    this.counters.packets++;
    this.ready.push(packet);
  }
}

export function createPacketTraceDecoder(options: PacketTraceDecoderOptions): PacketTraceDecoder {
  return new PacketTraceDecoderImpl(options);
}
