/**
 * pcapng writer: one little-endian section. The SHB names the writing application (and the leap-second
 * correction used); each distinct interface gets an IDB with its name, description and nanosecond
 * resolution just before its first packet; each packet is an EPB carrying direction (epb_flags) and the
 * CTRACE facts as its comment. No ISB: we know no drop counts, and packets traced are not packets
 * received, so it would only add numbers that mislead.
 */
import {
  BLOCK_FRAME_BYTES,
  BYTE_ORDER_MAGIC,
  BlockType,
  END_OF_OPTIONS_BYTES,
  EPB_DIRECTION_BITS,
  EPB_FIXED_BYTES,
  EPB_OPTIONS,
  IDB_FIXED_BYTES,
  IDB_OPTIONS,
  MAX_OPTION_VALUE_BYTES,
  PCAPNG_VERSION,
  SHB_FIXED_BYTES,
  SHB_OPTIONS,
  TSRESOL_NANOSECONDS,
  maxOptionBytes,
  padded4,
  writeEndOfOptions,
  writeOption,
  type OptionCodec,
} from './pcapng-blocks.js';
import { packetComment } from './packet-comment.js';
import { ZctraceError } from '../errors.js';
import type { CaptureWriter, WriteSummary, WriterSupport } from './capture-writer.js';
import { lastPending, type OutputFile } from './output-file.js';
import type { TraceInterface, TracePacket } from '../model/trace-packet.js';

export interface PcapngWriterOptions {
  snaplen: number;
  userAppl: string;
  /** Stated in the section comment when not null. */
  leapSeconds: number | null;
}

/** Latest second both formats can hold (pcap's u32 seconds; 2106-02-07). */
export const MAX_CAPTURE_SECOND = 0xffff_ffff;

/** A comment longer than an option can surely hold is cut (UTF-8 takes at most 3 bytes per UTF-16 unit). */
const MAX_COMMENT_CHARS = Math.floor(MAX_OPTION_VALUE_BYTES / 3);

const TWO_POW_23 = 0x80_0000;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Nanoseconds since the epoch as the high and low u32 of one 64-bit count, exactly, without BigInt:
 * sec·10^9 = (sec·1953125)·2^9, and sec·1953125 < 2^53 for every second we accept.
 */
export function nanosecondParts(sec: number, nsec: number, into: { high: number; low: number }): void {
  const product = sec * 1_953_125;
  const productLow = product % TWO_POW_23;
  let high = (product - productLow) / TWO_POW_23;
  let low = productLow * 512 + nsec;
  if (low >= TWO_POW_32) {
    low -= TWO_POW_32;
    high += 1;
  }
  into.high = high;
  into.low = low;
}

export function timeOutOfRange(packet: TracePacket, ordinal: number, path: string): ZctraceError {
  return new ZctraceError(
    'UNSUPPORTED',
    `packet ${ordinal}${packet.ctrace === null ? '' : ` (trace record ${packet.ctrace.recordNumber})`} has time ${packet.timeSec}.${packet.timeNsec}, ` +
      'outside what capture files hold (1970 to 2106)',
    path,
  );
}

export function isWritableTime(packet: TracePacket): boolean {
  const { timeSec, timeNsec } = packet;
  return Number.isInteger(timeSec) && timeSec >= 0 && timeSec <= MAX_CAPTURE_SECOND && Number.isInteger(timeNsec) && timeNsec >= 0 && timeNsec < 1e9;
}

/** Interface IDs by key `${component}|${name}|${linkType}`, with a fast path for the same object again. */
export class InterfaceTable {
  private readonly ids = new Map<string, number>();
  private lastInterface: TraceInterface | null = null;
  private lastId = -1;

  get size(): number {
    return this.ids.size;
  }

  /** The ID for this packet's interface, or -1 when it is new (then call `add`). */
  find(iface: TraceInterface): number {
    if (iface === this.lastInterface) return this.lastId;
    const id = this.ids.get(interfaceKey(iface));
    if (id === undefined) return -1;
    this.remember(iface, id);
    return id;
  }

  add(iface: TraceInterface): number {
    const id = this.ids.size;
    this.ids.set(interfaceKey(iface), id);
    this.remember(iface, id);
    return id;
  }

  private remember(iface: TraceInterface, id: number): void {
    this.lastInterface = iface;
    this.lastId = id;
  }
}

export function interfaceKey(iface: TraceInterface): string {
  return `${iface.component}|${iface.name}|${iface.linkType}`;
}

type OptionList = [OptionCodec<never>, unknown][];

/** A block with options: fixed body, then the options, end-of-options, and the trailing length. */
function buildBlock(type: number, fixedBytes: number, options: OptionList, fillFixed: (block: Buffer) => void): Buffer {
  const present = options.filter(([, value]) => value !== '');
  const room = present.reduce((sum, [codec, value]) => sum + maxOptionBytes(codec, value as never), 0);
  const block = Buffer.alloc(BLOCK_FRAME_BYTES + fixedBytes + room + END_OF_OPTIONS_BYTES);
  fillFixed(block);
  let offset = 8 + fixedBytes;
  for (const [codec, value] of present) offset = writeOption(block, offset, codec, value as never);
  if (present.length > 0) offset = writeEndOfOptions(block, offset);
  const total = offset + 4;
  block.writeUInt32LE(type, 0);
  block.writeUInt32LE(total, 4);
  block.writeUInt32LE(total, offset);
  return block.subarray(0, total);
}

function sectionHeaderBlock(userAppl: string, leapSeconds: number | null): Buffer {
  const options: OptionList = [[SHB_OPTIONS.userAppl, userAppl]];
  if (leapSeconds !== null) options.push([SHB_OPTIONS.comment, `times: TOD clock converted to UTC with leap-seconds=${leapSeconds}`]);
  return buildBlock(BlockType.SHB, SHB_FIXED_BYTES, options, (block) => {
    block.writeUInt32LE(BYTE_ORDER_MAGIC, 8);
    block.writeUInt16LE(PCAPNG_VERSION.major, 12);
    block.writeUInt16LE(PCAPNG_VERSION.minor, 14);
    block.writeInt32LE(-1, 16); // section length −1: not given (64 bits of ones)
    block.writeInt32LE(-1, 20);
  });
}

function interfaceDescriptionBlock(iface: TraceInterface, snaplen: number): Buffer {
  const options: OptionList = [
    [IDB_OPTIONS.name, iface.name],
    [IDB_OPTIONS.description, iface.description],
    [IDB_OPTIONS.tsresol, TSRESOL_NANOSECONDS],
  ];
  return buildBlock(BlockType.IDB, IDB_FIXED_BYTES, options, (block) => {
    block.writeUInt16LE(iface.linkType, 8);
    block.writeUInt16LE(0, 10);
    block.writeUInt32LE(snaplen, 12);
  });
}

/** Header of an EPB up to its packet data. */
const EPB_HEAD_BYTES = 8 + EPB_FIXED_BYTES;
/** Room after the data for padding, epb_flags, end-of-options and the trailing length (comment apart). */
const EPB_TAIL_BASE_BYTES = 3 + 8 + END_OF_OPTIONS_BYTES + 4;
/** Start size of the reused EPB buffer: any small packet with its comment; it grows for bigger ones. */
const INITIAL_RECORD_BYTES = 4096;

export class PcapngWriter implements CaptureWriter {
  readonly supports: WriterSupport = { comments: true, direction: true, interfaceNames: true, mixedLinkTypes: true };
  private readonly interfaces = new InterfaceTable();
  /** One EPB is assembled here, then copied to the output in one write. */
  private record = Buffer.alloc(INITIAL_RECORD_BYTES);
  private recordView = new DataView(this.record.buffer, this.record.byteOffset, this.record.length);
  private readonly time = { high: 0, low: 0 };
  private packets = 0;

  constructor(
    private readonly output: OutputFile,
    private readonly options: PcapngWriterOptions,
  ) {
    void output.write(sectionHeaderBlock(options.userAppl, options.leapSeconds)); // fits the empty buffer
  }

  write(packet: TracePacket): void | Promise<void> {
    if (!isWritableTime(packet)) throw timeOutOfRange(packet, this.packets + 1, this.output.path);
    let interfaceId = this.interfaces.find(packet.interface);
    let pending: Promise<void> | void = undefined;
    if (interfaceId < 0) {
      interfaceId = this.interfaces.add(packet.interface);
      pending = this.output.write(interfaceDescriptionBlock(packet.interface, this.options.snaplen));
    }
    this.packets += 1;
    return lastPending(pending, this.writeEnhancedPacket(packet, interfaceId));
  }

  /** Hot path: build the EPB in the reused record buffer; options come from the codec table. */
  private writeEnhancedPacket(packet: TracePacket, interfaceId: number): Promise<void> | void {
    const data = packet.data;
    const captured = Math.min(data.length, this.options.snaplen);
    const text = packetComment(packet);
    const comment = text === null ? null : clipComment(text);
    const directionBits = EPB_DIRECTION_BITS[packet.direction];
    const record = this.ensureRecord(EPB_HEAD_BYTES + captured + EPB_TAIL_BASE_BYTES + (comment === null ? 0 : maxOptionBytes(EPB_OPTIONS.comment, comment)));
    record.set(captured === data.length ? data : data.subarray(0, captured), EPB_HEAD_BYTES);
    let offset = EPB_HEAD_BYTES + captured;
    const paddedEnd = padded4(offset);
    if (paddedEnd > offset) record.fill(0, offset, paddedEnd);
    offset = paddedEnd;
    if (directionBits !== 0) offset = writeOption(record, offset, EPB_OPTIONS.flags, directionBits);
    if (comment !== null) offset = writeOption(record, offset, EPB_OPTIONS.comment, comment);
    offset = writeEndOfOptions(record, offset);
    const total = offset + 4;
    nanosecondParts(packet.timeSec, packet.timeNsec, this.time);
    const view = this.recordView;
    view.setUint32(0, BlockType.EPB, true);
    view.setUint32(4, total, true);
    view.setUint32(8, interfaceId, true);
    view.setUint32(12, this.time.high, true);
    view.setUint32(16, this.time.low, true);
    view.setUint32(20, captured, true);
    view.setUint32(24, Math.max(packet.originalLength, data.length), true);
    view.setUint32(offset, total, true);
    return this.output.write(record.subarray(0, total));
  }

  private ensureRecord(bytes: number): Buffer {
    if (this.record.length < bytes) {
      this.record = Buffer.alloc(Math.max(bytes, this.record.length * 2));
      this.recordView = new DataView(this.record.buffer, this.record.byteOffset, this.record.length);
    }
    return this.record;
  }

  async close(): Promise<WriteSummary> {
    const { bytes } = await this.output.commit();
    return { packets: this.packets, bytes, interfaces: this.interfaces.size };
  }

  abort(): Promise<void> {
    return this.output.abort();
  }
}

function clipComment(comment: string): string {
  return comment.length <= MAX_COMMENT_CHARS ? comment : comment.slice(0, MAX_COMMENT_CHARS);
}
