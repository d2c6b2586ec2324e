/**
 * Reads PTHDR_T fields (contract §3) from an entry's component data at the offsets the layout profile
 * gives. A field is present only when PTH_Len covers it (offset + size <= PTH_Len) and the entry holds
 * those bytes: older, shorter headers simply lack the later fields.
 *
 * `PthdrView` is the allocation-free reader the decoders reuse per entry; `decodePthdr` returns every field
 * at once for tests, listings and calibration.
 */
import type { CodePage } from '../zos/ebcdic.js';
import type { CompiledLayout, FieldSlot } from './layout/layout-compile.js';
import { formatIp16 } from '../net/ip-header.js';

const EMPTY = new Uint8Array(0);
const TWO_POW_8 = 256;

export class PthdrView {
  private bytes: Uint8Array = EMPTY;
  /** Start of the header (CTEOFF) inside `bytes`. */
  start = 0;
  /** End of the component data inside `bytes`. */
  end = 0;
  /** PTH_Len: the header's length and the offset of the packet from `start`. */
  headerLength = 0;

  constructor(private readonly layout: CompiledLayout) {}

  /**
   * Points the view at a header. False when PTH_Len cannot be read, is shorter than its own field, or
   * claims more bytes than the component data has.
   */
  reset(bytes: Uint8Array, start: number, end: number): boolean {
    this.bytes = bytes;
    this.start = start;
    this.end = Math.min(end, bytes.length);
    this.headerLength = 0;
    const slot = this.layout.pthdr.headerLength;
    if (slot === null || start + slot.end > this.end) return false;
    const length = this.readUint(slot);
    if (length < slot.end || start + length > this.end) return false;
    this.headerLength = length;
    return true;
  }

  /** Offset of the packet (or frame) inside the bytes: header start + PTH_Len. */
  get packetStart(): number {
    return this.start + this.headerLength;
  }

  has(slot: FieldSlot | null): slot is FieldSlot {
    return slot !== null && slot.end <= this.headerLength;
  }

  /** Big-endian unsigned value of a present field (1..4 bytes), or null. */
  uint(slot: FieldSlot | null): number | null {
    return this.has(slot) ? this.readUint(slot) : null;
  }

  /** Blank-trimmed text of a present EBCDIC field, or null. */
  text(slot: FieldSlot | null, codePage: CodePage): string | null {
    return this.has(slot) ? codePage.decodeTrimmed(this.bytes, this.start + slot.offset, this.start + slot.end) : null;
  }

  /** A 16-byte address field as text (IPv4-mapped as plain IPv4), or null. */
  address(slot: FieldSlot | null): string | null {
    return this.has(slot) && slot.size === 16 ? formatIp16(this.bytes, this.start + slot.offset) : null;
  }

  /** High word of a present STCK field (call only after `has`). */
  todHigh(slot: FieldSlot): number {
    return this.word(this.start + slot.offset);
  }

  /** Low word of a present STCK field (call only after `has`). */
  todLow(slot: FieldSlot): number {
    return this.word(this.start + slot.offset + 4);
  }

  private word(at: number): number {
    const b = this.bytes;
    return ((b[at] ?? 0) * 0x1000000 + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0))) >>> 0;
  }

  /** A 32-bit hash of a field's raw bytes (0 for an absent field), for caches keyed by those bytes. */
  fieldHash(slot: FieldSlot | null): number {
    if (!this.has(slot)) return 0;
    const b = this.bytes;
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = this.start + slot.offset, end = this.start + slot.end; i < end; i++) hash = Math.imul(hash ^ (b[i] ?? 0), 0x01000193);
    return hash >>> 0;
  }

  /** Whether a field's raw bytes equal `other` (an absent field equals only an empty array). */
  fieldEquals(slot: FieldSlot | null, other: Uint8Array): boolean {
    if (!this.has(slot)) return other.length === 0;
    if (other.length !== slot.size) return false;
    const b = this.bytes;
    const from = this.start + slot.offset;
    for (let i = 0; i < other.length; i++) if (b[from + i] !== other[i]) return false;
    return true;
  }

  /** A copy of a field's raw bytes (empty for an absent field). */
  fieldCopy(slot: FieldSlot | null): Uint8Array {
    return this.has(slot) ? this.bytes.slice(this.start + slot.offset, this.start + slot.end) : EMPTY;
  }

  /** Per packet, many times: the common sizes are read without a loop. */
  private readUint(slot: FieldSlot): number {
    const b = this.bytes;
    const from = this.start + slot.offset;
    switch (slot.size) {
      case 1:
        return b[from] ?? 0;
      case 2:
        return ((b[from] ?? 0) << 8) | (b[from + 1] ?? 0);
      case 4:
        return this.word(from);
    }
    let value = 0;
    for (let i = 0; i < slot.size; i++) value = value * TWO_POW_8 + (b[from + i] ?? 0);
    return value;
  }
}

/** Every PTHDR field of one header; null for a field the header does not reach or the profile dropped. */
export interface PthdrFields {
  headerLength: number;
  headerVersion: number | null;
  deviceType: number | null;
  flags: number | null;
  flagNames: string[];
  segmentNumber: number | null;
  segmentOffset: number | null;
  linkName: string | null;
  /** PTH_Time as the two unsigned 32-bit halves of the STCK value. */
  captureTime: { todHigh: number; todLow: number } | null;
  sourceAddress: string | null;
  destinationAddress: string | null;
  sourcePort: number | null;
  destinationPort: number | null;
  traceCount: number | null;
  protocol: number | null;
  vlanId: number | null;
  packetLength: number | null;
  tracedLength: number | null;
  interfaceIndex: number | null;
  asid: number | null;
  tcb: number | null;
  connectionId: number | null;
  discardCode: number | null;
}

/** Names of the flag bits set in `flags`, in the profile's descending bit order. */
export function flagNamesOf(layout: CompiledLayout, flags: number): string[] {
  return layout.flagBits.filter((bit) => (flags & bit.mask) !== 0).map((bit) => bit.name);
}

/** All PTHDR fields of the header at `start`, or null when PTH_Len is unusable. */
export function decodePthdr(bytes: Uint8Array, start: number, end: number, layout: CompiledLayout, codePage: CodePage): PthdrFields | null {
  const view = new PthdrView(layout);
  if (!view.reset(bytes, start, end)) return null;
  const f = layout.pthdr;
  const flags = view.uint(f.flags);
  const time = f.captureTime;
  return {
    headerLength: view.headerLength,
    headerVersion: view.uint(f.headerVersion),
    deviceType: view.uint(f.deviceType),
    flags,
    flagNames: flags === null ? [] : flagNamesOf(layout, flags),
    segmentNumber: view.uint(f.segmentNumber),
    segmentOffset: view.uint(f.segmentOffset),
    linkName: view.text(f.linkName, codePage),
    captureTime: view.has(time) ? { todHigh: view.todHigh(time), todLow: view.todLow(time) } : null,
    sourceAddress: view.address(f.sourceAddress),
    destinationAddress: view.address(f.destinationAddress),
    sourcePort: view.uint(f.sourcePort),
    destinationPort: view.uint(f.destinationPort),
    traceCount: view.uint(f.traceCount),
    protocol: view.uint(f.protocol),
    vlanId: view.uint(f.vlanId),
    packetLength: view.uint(f.packetLength),
    tracedLength: view.uint(f.tracedLength),
    interfaceIndex: view.uint(f.interfaceIndex),
    asid: view.uint(f.asid),
    tcb: view.uint(f.tcb),
    connectionId: view.uint(f.connectionId),
    discardCode: view.uint(f.discardCode),
  };
}
