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
  OPTION_HEADER_BYTES,
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
import { MAX_FAST_COMMENT_BYTES, PacketCommentEncoder, packetComment } from './packet-comment.js';
import { RecordBatch } from './record-batch.js';
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

/** Interface objects looked up by identity; beyond this many (unusual) the key string is built per lookup. */
const INTERFACE_OBJECTS_REMEMBERED = 4096;

const TWO_POW_23 = 0x80_0000;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Nanoseconds since the epoch as the high and low u32 of one 64-bit count, exactly, without BigInt:
 * sec·10^9 = (sec·1953125)·2^9, and sec·1953125 < 2^53 for every second we accept.
 */
export function nanosecondParts(sec: number, nsec: number, into: { high: number; low: number }): void {
  const product = sec * 1_953_125;
  // Dividing by a power of two is exact, and a floor is far cheaper than the floating-point remainder.
  let high = Math.floor(product / TWO_POW_23);
  const productLow = product - high * TWO_POW_23;
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

/**
 * Interface IDs by key `${component}|${name}|${linkType}`. Readers share one object per interface, so the
 * object itself is looked up first: a trace that interleaves links then builds no key string per packet.
 */
export class InterfaceTable {
  private readonly ids = new Map<string, number>();
  /** IDs by interface object, for the objects seen so far (bounded: past the limit, keys are built again). */
  private readonly idsByObject = new Map<TraceInterface, number>();
  private lastInterface: TraceInterface | null = null;
  private lastId = -1;

  get size(): number {
    return this.ids.size;
  }

  /** The ID for this packet's interface, or -1 when it is new (then call `add`). */
  find(iface: TraceInterface): number {
    if (iface === this.lastInterface) return this.lastId;
    let id = this.idsByObject.get(iface);
    if (id === undefined) {
      id = this.ids.get(interfaceKey(iface));
      if (id === undefined) return -1;
      this.rememberObject(iface, id);
    }
    this.remember(iface, id);
    return id;
  }

  add(iface: TraceInterface): number {
    const id = this.ids.size;
    this.ids.set(interfaceKey(iface), id);
    this.rememberObject(iface, id);
    this.remember(iface, id);
    return id;
  }

  private rememberObject(iface: TraceInterface, id: number): void {
    if (this.idsByObject.size < INTERFACE_OBJECTS_REMEMBERED) this.idsByObject.set(iface, id);
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
/** epb_flags with its u32 value, as the codec table sizes it. */
const FLAGS_VALUE_BYTES = EPB_OPTIONS.flags.maxSize(0);
const FLAGS_OPTION_BYTES = maxOptionBytes(EPB_OPTIONS.flags, 0);
/** Room after the padded data for epb_flags, end-of-options and the trailing length (comment apart). */
const EPB_TAIL_BASE_BYTES = FLAGS_OPTION_BYTES + END_OF_OPTIONS_BYTES + 4;

export class PcapngWriter implements CaptureWriter {
  readonly supports: WriterSupport = { comments: true, direction: true, interfaceNames: true, mixedLinkTypes: true };
  private readonly interfaces = new InterfaceTable();
  /** EPBs (and IDBs) are built in place here, back to back, and reach the output a batch at a time. */
  private readonly batch: RecordBatch;
  private readonly time = { high: 0, low: 0 };
  private readonly comments = new PacketCommentEncoder();
  private packets = 0;

  constructor(
    private readonly output: OutputFile,
    private readonly options: PcapngWriterOptions,
  ) {
    this.batch = new RecordBatch(output);
    void output.write(sectionHeaderBlock(options.userAppl, options.leapSeconds)); // fits the empty buffer
  }

  get bytesWritten(): number {
    return this.output.bytesAccepted + this.batch.used;
  }

  write(packet: TracePacket): void | Promise<void> {
    if (!isWritableTime(packet)) throw timeOutOfRange(packet, this.packets + 1, this.output.path);
    let interfaceId = this.interfaces.find(packet.interface);
    let pending: Promise<void> | void = undefined;
    if (interfaceId < 0) {
      interfaceId = this.interfaces.add(packet.interface);
      pending = this.batch.append(interfaceDescriptionBlock(packet.interface, this.options.snaplen));
    }
    this.packets += 1;
    return lastPending(pending, this.writeEnhancedPacket(packet, interfaceId));
  }

  /**
   * Hot path: the EPB is written in place in the batch, its option codes and sizes from the codec table.
   * The comment is encoded straight into the block; only a packet with extras goes through the string.
   */
  private writeEnhancedPacket(packet: TracePacket, interfaceId: number): Promise<void> | void {
    const data = packet.data;
    const captured = Math.min(data.length, this.options.snaplen);
    const fastComment = this.comments.prepare(packet);
    const slowComment = fastComment || packet.ctrace === null ? null : clipComment(packetComment(packet) ?? '');
    const commentRoom = fastComment ? OPTION_HEADER_BYTES + MAX_FAST_COMMENT_BYTES : slowComment === null ? 0 : maxOptionBytes(EPB_OPTIONS.comment, slowComment);
    const pending = this.batch.reserve(padded4(EPB_HEAD_BYTES + captured) + EPB_TAIL_BASE_BYTES + commentRoom);
    const bytes = this.batch.bytes;
    const view = this.batch.view;
    const at = this.batch.used;
    bytes.set(captured === data.length ? data : data.subarray(0, captured), at + EPB_HEAD_BYTES);
    let offset = at + EPB_HEAD_BYTES + captured;
    while (((offset - at) & 3) !== 0) bytes[offset++] = 0;
    const directionBits = EPB_DIRECTION_BITS[packet.direction];
    if (directionBits !== 0) {
      view.setUint16(offset, EPB_OPTIONS.flags.code, true);
      view.setUint16(offset + 2, FLAGS_VALUE_BYTES, true);
      view.setUint32(offset + OPTION_HEADER_BYTES, directionBits, true);
      offset += FLAGS_OPTION_BYTES;
    }
    if (fastComment) {
      const length = this.comments.write(packet, bytes, offset + OPTION_HEADER_BYTES);
      view.setUint16(offset, EPB_OPTIONS.comment.code, true);
      view.setUint16(offset + 2, length, true);
      offset += OPTION_HEADER_BYTES + length;
      while (((offset - at) & 3) !== 0) bytes[offset++] = 0;
    } else if (slowComment !== null) {
      offset = writeOption(bytes, offset, EPB_OPTIONS.comment, slowComment);
    }
    view.setUint32(offset, 0, true); // opt_endofopt
    offset += END_OF_OPTIONS_BYTES;
    const total = offset + 4 - at;
    nanosecondParts(packet.timeSec, packet.timeNsec, this.time);
    view.setUint32(at, BlockType.EPB, true);
    view.setUint32(at + 4, total, true);
    view.setUint32(at + 8, interfaceId, true);
    view.setUint32(at + 12, this.time.high, true);
    view.setUint32(at + 16, this.time.low, true);
    view.setUint32(at + 20, captured, true);
    view.setUint32(at + 24, Math.max(packet.originalLength, data.length), true);
    view.setUint32(offset, total, true);
    this.batch.used = at + total;
    return pending;
  }

  async close(): Promise<WriteSummary> {
    await this.batch.flush();
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
