/**
 * Puts one input's packets into time order when its entries are slightly out of order (CTRACE entries
 * from several processors, a capture merged from two taps). A bounded window, never the whole input:
 * a packet is held until a packet stamped more than REORDER_WINDOW_NS later has arrived, or until
 * REORDER_WINDOW_PACKETS packets are held, whichever comes first; then the earliest held packet goes.
 * A packet that arrives after a later-stamped one has already gone cannot be put back in order: it goes
 * at once and is counted as late, so the caller can say so. Equal times keep their input order.
 *
 * Held packets live in reusable slots whose byte buffers grow to the largest packet they held, so the
 * window allocates only while it warms up. A released slot's bytes stay valid until the caller hands it
 * back with `recycle` (the pipeline does so once the consumer pulls the next packet).
 *
 * `add` copies a packet's bytes at once. `addView` keeps the source's view instead, for a source that says
 * when it is about to overwrite a buffer: then `keepHeldBytes` copies the packets still held that view
 * it. The reader keeps a chunk intact while the next one is decoded, so with an input in time order
 * packets leave the window before their chunk is reused, and none is copied.
 */
import { compareTime, NS_PER_SECOND } from '../model/time.js';
import type { TracePacket } from '../model/trace-packet.js';

/** Disorder tolerated in time: generous next to the microseconds between processors' trace entries. */
export const REORDER_WINDOW_NS = NS_PER_SECOND;
/** Disorder tolerated in packets; also the memory bound (at most this many packets copied at once). */
export const REORDER_WINDOW_PACKETS = 512;

/** A packet with where it came from: which input, and its place in that input. */
export interface SourcedPacket extends TracePacket {
  /** 0-based index of the input among those given. */
  input: number;
  /** 1-based position of the packet among all packets of its input in file order (a pcap frame number). */
  ordinal: number;
}

/** A held packet: its own copy of the bytes, or the source's view of them until that buffer is reused. */
class Slot implements SourcedPacket {
  timeSec = 0;
  timeNsec = 0;
  interface!: TracePacket['interface'];
  direction: TracePacket['direction'] = 'unknown';
  data: Uint8Array = new Uint8Array(0);
  originalLength = 0;
  ctrace: TracePacket['ctrace'] = null;
  input = 0;
  ordinal = 0;
  /** `data` is still the source's view, not yet a copy. */
  isView = false;
  /** In the window (not yet released). */
  held = false;
  /** In the window's list of views (once only, however often the slot is reused). */
  listed = false;
  private bytes = new Uint8Array(256);

  fill(packet: TracePacket, input: number, ordinal: number, copy: boolean): void {
    this.data = packet.data;
    this.isView = true;
    if (copy) this.keepBytes();
    this.timeSec = packet.timeSec;
    this.timeNsec = packet.timeNsec;
    this.interface = packet.interface;
    this.direction = packet.direction;
    this.originalLength = packet.originalLength;
    this.ctrace = packet.ctrace; // a fresh object per packet: only the bytes are a reused view
    this.input = input;
    this.ordinal = ordinal;
  }

  /** Makes `data` the slot's own copy. */
  keepBytes(): void {
    if (!this.isView) return;
    const length = this.data.length;
    if (length > this.bytes.length) this.bytes = new Uint8Array(Math.max(length, this.bytes.length * 2));
    this.bytes.set(this.data);
    this.data = this.bytes.subarray(0, length);
    this.isView = false;
  }
}

/** Nanoseconds from a to b (b later), as a float: exact enough to compare with a window of seconds. */
function gapNs(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return (bSec - aSec) * NS_PER_SECOND + (bNsec - aNsec);
}

export class TimeOrderWindow {
  /** Packets that arrived after a later-stamped packet had already been released. */
  late = 0;
  /**
   * Held packets in time order, in a ring: a packet in order is appended at the end, one out of order
   * moves back past the few later ones (insertion sort: cheap when the input is nearly sorted, and bounded
   * by the window). Equal times keep their arrival order.
   */
  private readonly ring: (Slot | undefined)[];
  private head = 0;
  private count = 0;
  private readonly free: Slot[] = [];
  /** Slots filled by `addView`; those released or copied since leave the list at `keepHeldBytes`. */
  private views: Slot[] = [];
  private spareViews: Slot[] = [];
  private newestSec = -Infinity;
  private newestNsec = 0;
  private releasedSec = -Infinity;
  private releasedNsec = 0;

  constructor(
    private readonly windowNs = REORDER_WINDOW_NS,
    private readonly windowPackets = REORDER_WINDOW_PACKETS,
  ) {
    this.ring = new Array<Slot | undefined>(windowPackets + 1);
  }

  get held(): number {
    return this.count;
  }

  /** Copies `packet` in. */
  add(packet: TracePacket, input: number, ordinal: number): void {
    this.insert(packet, input, ordinal, true);
  }

  /** Takes `packet` in with the source's view of its bytes: call `keepHeldBytes` before the source reuses them. */
  addView(packet: TracePacket, input: number, ordinal: number): void {
    const slot = this.insert(packet, input, ordinal, false);
    if (!slot.listed) {
      slot.listed = true;
      this.views.push(slot);
    }
  }

  /**
   * The source is about to overwrite `buffer`: the packets still held that view it get copies. Called once
   * per chunk read; the list holds each slot at most once, so a pass is at most the window's size.
   */
  keepHeldBytes(buffer: ArrayBufferLike): void {
    const views = this.views;
    const still = this.spareViews;
    for (let i = 0; i < views.length; i++) {
      const slot = views[i]!;
      if (slot.held && slot.isView && slot.data.buffer === buffer) slot.keepBytes();
      if (slot.held && slot.isView) still.push(slot);
      else slot.listed = false;
    }
    views.length = 0;
    this.views = still;
    this.spareViews = views;
  }

  private insert(packet: TracePacket, input: number, ordinal: number, copy: boolean): Slot {
    const slot = this.free.pop() ?? new Slot();
    slot.fill(packet, input, ordinal, copy);
    slot.held = true;
    const { timeSec, timeNsec } = packet;
    const ring = this.ring;
    const size = ring.length;
    if (compareTime(timeSec, timeNsec, this.releasedSec, this.releasedNsec) < 0) {
      // Late: every held packet is at least as late as the last one released, so this one goes first. Put
      // there at once, not moved past each of them: after a trace wraps, every packet is late for a while.
      this.late++;
      this.head = (this.head + size - 1) % size;
      ring[this.head] = slot;
      this.count++;
      return slot;
    }
    if (compareTime(timeSec, timeNsec, this.newestSec, this.newestNsec) > 0) {
      this.newestSec = timeSec;
      this.newestNsec = timeNsec;
    }
    let at = this.count;
    for (; at > 0; at--) {
      const earlier = ring[(this.head + at - 1) % size]!;
      if (compareTime(earlier.timeSec, earlier.timeNsec, timeSec, timeNsec) <= 0) break;
      ring[(this.head + at) % size] = earlier;
    }
    ring[(this.head + at) % size] = slot;
    this.count++;
    return slot;
  }

  /** The earliest held packet if the window says it must go now, else null. */
  ready(): SourcedPacket | null {
    if (this.count === 0) return null;
    const first = this.ring[this.head]!;
    const full = this.count > this.windowPackets;
    if (!full && gapNs(first.timeSec, first.timeNsec, this.newestSec, this.newestNsec) <= this.windowNs) return null;
    return this.release();
  }

  /** At the end of the input: the earliest held packet, or null when none is left. */
  drain(): SourcedPacket | null {
    return this.count === 0 ? null : this.release();
  }

  /** Gives a released packet's slot back once its bytes are no longer needed. */
  recycle(packet: SourcedPacket): void {
    if (packet instanceof Slot) this.free.push(packet);
  }

  private release(): Slot {
    const slot = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    slot.held = false;
    if (compareTime(slot.timeSec, slot.timeNsec, this.releasedSec, this.releasedNsec) > 0) {
      this.releasedSec = slot.timeSec;
      this.releasedNsec = slot.timeNsec;
    }
    return slot;
  }
}
