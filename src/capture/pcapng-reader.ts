/**
 * The pcapng reader: a file is one or more sections, each a Section Header Block (which sets the byte order)
 * followed by Interface Description Blocks and packet blocks. Reads EPB, SPB and the obsolete PB; skips
 * every other block type (statistics, name resolution, secrets, custom), as the format asks readers to.
 */
import { ZctraceError } from '../errors.js';
import type { Direction } from '../model/trace-packet.js';
import type { ByteWindow, CapturedFrame, CaptureFormat } from './capture-file-reader.js';

/** Block type codes (pcapng draft section 11.1). */
const BlockType = {
  /** Section Header Block: a palindrome, so it reads the same in either byte order. */
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Packet Block: obsolete, but old captures still hold it. */
  PB: 0x00000002,
  SPB: 0x00000003,
  EPB: 0x00000006,
} as const;

/** The SHB byte-order magic as written by the file's writer. */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const SUPPORTED_MAJOR_VERSION = 1;

/** Option codes valid in every block. */
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
/** IDB option codes. */
const IdbOption = { if_name: 2, if_tsresol: 9, if_tsoffset: 14 } as const;
/** EPB option code, also pack_flags in the obsolete PB (same layout). */
const EPB_FLAGS = 2;

/** Offsets inside a block, from its first byte. Generic header is type then total length; trailer repeats it. */
const Block = { type: 0, totalLength: 4, body: 8, trailerSize: 4, minimumSize: 12 } as const;
const Shb = { byteOrderMagic: 8, versionMajor: 12, versionMinor: 14, options: 24 } as const;
const Idb = { linkType: 8, snapLen: 12, options: 16 } as const;
/** EPB, and the obsolete PB whose interface ID is a u16 followed by a u16 drop count. */
const Epb = { interfaceId: 8, timestampHigh: 12, timestampLow: 16, capturedLength: 20, originalLength: 24, data: 28 } as const;
const Spb = { originalLength: 8, data: 12 } as const;
const OptionHeaderSize = 4;

/**
 * Largest block accepted: 16 MiB, libpcap's limit for pcapng blocks (big enough for any real packet plus
 * options; a larger length means a damaged file). Checked before the window grows to hold the block.
 */
export const MAX_PCAPNG_BLOCK_SIZE = 16 * 1024 * 1024;

/** epb_flags bits 0-1: 00 not available, 01 inbound, 10 outbound. */
const DIRECTION_BY_FLAG_BITS: readonly Direction[] = ['unknown', 'inbound', 'outbound', 'unknown'];
const DIRECTION_MASK = 0x3;

/** Timestamp units per second up to which splitting in plain numbers is exact (see splitTimestamp). */
const EXACT_UNITS_LIMIT = 2 ** 30;
const DEFAULT_UNITS_PER_SECOND = 1_000_000;
const NS_PER_SECOND = 1_000_000_000;

const utf8 = new TextDecoder('utf-8');

const truncatedBlockHeader = (have: number): string =>
  `pcapng block header truncated: ${have} of ${Block.body} bytes before end of file`;
const badLength = (length: number, why: string): string => `pcapng block total length ${length} ${why}`;
const truncatedBlock = (type: number, length: number, have: number): string =>
  `pcapng block 0x${type.toString(16)} of ${length} bytes truncated: ${have} bytes before end of file`;
const trailerMismatch = (length: number, trailer: number): string =>
  `pcapng block total length ${length} disagrees with the trailing copy ${trailer}`;
const badByteOrder = (value: number): string =>
  `pcapng section header byte-order magic 0x${value.toString(16).padStart(8, '0')} is neither 1a2b3c4d nor 4d3c2b1a`;
const badVersion = (major: number, minor: number): string =>
  `pcapng version ${major}.${minor} is not supported (only ${SUPPORTED_MAJOR_VERSION}.x)`;
const noInterface = (id: number, count: number): string =>
  `pcapng packet names interface ${id} but the section defines ${count} interface(s)`;
const dataPastBlock = (length: number, room: number): string =>
  `pcapng packet captured length ${length} runs past the block (room for ${room} bytes)`;
const optionPastBlock = (code: number, length: number, room: number): string =>
  `pcapng option ${code} of ${length} bytes runs past the block (room for ${room} bytes)`;
const optionSize = (code: number, length: number, expected: number): string =>
  `pcapng option ${code} has length ${length}, expected ${expected}`;

interface PcapngInterface {
  linkType: number;
  snapLen: number;
  name: string | null;
  unitsPerSecond: number;
  /** if_tsoffset: seconds to add to every timestamp. */
  offsetSeconds: number;
}

/** A pcapng head: an SHB with a valid byte-order magic and room for its fixed part. */
function isPcapngHead(head: Uint8Array): boolean {
  if (head.length < Shb.options + Block.trailerSize) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(Block.type, true) !== BlockType.SHB) return false;
  const magic = view.getUint32(Shb.byteOrderMagic, true);
  return magic === BYTE_ORDER_MAGIC || magic === BYTE_ORDER_MAGIC_SWAPPED;
}

/** Units per second from if_tsresol: bit 7 clear = negative power of 10, set = negative power of 2. */
function unitsPerSecond(tsresol: number): number {
  const exponent = tsresol & 0x7f;
  return (tsresol & 0x80) === 0 ? 10 ** exponent : 2 ** exponent;
}

/**
 * Splits a 64-bit count of `units` per second (as two u32 halves) into whole seconds and nanoseconds
 * without BigInt: long division by 16-bit digits keeps every intermediate below 2^53 while units <= 2^30.
 * The nanosecond step is exact for 10^k (k <= 9) and 2^k (k <= 30), the only resolutions pcapng has.
 * Finer resolutions are rare enough to take the BigInt path.
 */
function splitTimestamp(high: number, low: number, units: number, out: { sec: number; nsec: number }): void {
  if (units > EXACT_UNITS_LIMIT) {
    const total = (BigInt(high) << 32n) | BigInt(low);
    const bigUnits = BigInt(units);
    out.sec = Number(total / bigUnits);
    out.nsec = Number(((total % bigUnits) * 1_000_000_000n) / bigUnits);
    return;
  }
  let seconds = 0;
  let remainder = 0;
  for (let digit = 0; digit < 4; digit++) {
    const word = digit < 2 ? high : low;
    const current = remainder * 0x10000 + (digit % 2 === 0 ? word >>> 16 : word & 0xffff);
    const quotient = Math.floor(current / units);
    remainder = current - quotient * units;
    seconds = seconds * 0x10000 + quotient;
  }
  out.sec = seconds;
  out.nsec =
    NS_PER_SECOND % units === 0 ? remainder * (NS_PER_SECOND / units) : Math.floor((remainder * NS_PER_SECOND) / units);
}

/** Decodes the blocks of one file; the window holds the whole current block when a decode method runs. */
class PcapngDecoder {
  private littleEndian = true;
  private inSection = false;
  private interfaces: PcapngInterface[] = [];
  private frameNumber = 0;
  private readonly time = { sec: 0, nsec: 0 };
  /** Per-packet option results, reset before each packet's options are read (no per-packet allocation). */
  private flags = 0;
  private comment: string | null = null;

  constructor(private readonly window: ByteWindow) {}

  /** Loads the next whole block and returns its length, or 0 at a clean end of file. */
  async nextBlock(): Promise<number> {
    const window = this.window;
    if (window.available < Block.minimumSize && !(await window.fill(Block.minimumSize))) {
      if (window.available === 0) return 0;
      throw this.fail(truncatedBlockHeader(window.available), 0);
    }
    const type = window.u32(Block.type, this.littleEndian);
    if (type === BlockType.SHB) {
      this.littleEndian = this.sectionByteOrder();
      this.inSection = true;
    } else if (!this.inSection) {
      throw this.fail('pcapng file does not start with a section header block', 0);
    }
    const length = window.u32(Block.totalLength, this.littleEndian);
    this.checkLength(type, length);
    if (window.available < length && !(await window.fill(length))) {
      throw this.fail(truncatedBlock(type, length, window.available), 0);
    }
    const trailer = window.u32(length - Block.trailerSize, this.littleEndian);
    if (trailer !== length) throw this.fail(trailerMismatch(length, trailer), length - Block.trailerSize);
    return length;
  }

  /** Decodes the loaded block: a frame for packet blocks, null for everything else. */
  decodeBlock(length: number): CapturedFrame | null {
    switch (this.window.u32(Block.type, this.littleEndian)) {
      case BlockType.SHB:
        return this.startSection();
      case BlockType.IDB:
        return this.addInterface(length);
      case BlockType.EPB:
        return this.packet(length, this.window.u32(Epb.interfaceId, this.littleEndian));
      case BlockType.PB:
        return this.packet(length, this.window.u16(Epb.interfaceId, this.littleEndian));
      case BlockType.SPB:
        return this.simplePacket(length);
      default:
        return null; // unknown or unneeded block: skipped whole
    }
  }

  private sectionByteOrder(): boolean {
    const magic = this.window.u32(Shb.byteOrderMagic, true);
    if (magic === BYTE_ORDER_MAGIC) return true;
    if (magic === BYTE_ORDER_MAGIC_SWAPPED) return false;
    throw this.fail(badByteOrder(magic), Shb.byteOrderMagic);
  }

  private checkLength(type: number, length: number): void {
    const minimum = type === BlockType.SHB ? Shb.options + Block.trailerSize : Block.minimumSize;
    if (length < minimum) throw this.fail(badLength(length, `is below the minimum of ${minimum}`), Block.totalLength);
    if (length % 4 !== 0) throw this.fail(badLength(length, 'is not a multiple of 4'), Block.totalLength);
    if (length > MAX_PCAPNG_BLOCK_SIZE) {
      throw this.fail(badLength(length, `exceeds the limit of ${MAX_PCAPNG_BLOCK_SIZE}`), Block.totalLength);
    }
  }

  private startSection(): null {
    const major = this.window.u16(Shb.versionMajor, this.littleEndian);
    if (major !== SUPPORTED_MAJOR_VERSION) {
      const minor = this.window.u16(Shb.versionMinor, this.littleEndian);
      throw new ZctraceError('UNSUPPORTED', badVersion(major, minor), this.window.fileName, this.window.offset);
    }
    this.interfaces = []; // interface IDs restart in every section
    return null;
  }

  private addInterface(length: number): null {
    this.requireBody(length, Idb.options);
    const found: PcapngInterface = {
      linkType: this.window.u16(Idb.linkType, this.littleEndian),
      snapLen: this.window.u32(Idb.snapLen, this.littleEndian),
      name: null,
      unitsPerSecond: DEFAULT_UNITS_PER_SECOND,
      offsetSeconds: 0,
    };
    this.forEachOption(Idb.options, length, (code, at, size) => {
      if (code === IdbOption.if_name) found.name = utf8.decode(this.window.bytes(at, size));
      else if (code === IdbOption.if_tsresol) found.unitsPerSecond = unitsPerSecond(this.optionU8(code, at, size));
      else if (code === IdbOption.if_tsoffset) found.offsetSeconds = this.optionI64(code, at, size);
    });
    this.interfaces.push(found);
    return null;
  }

  private readonly packetOption = (code: number, at: number, size: number): void => {
    if (code === OPT_COMMENT) {
      const text = utf8.decode(this.window.bytes(at, size));
      this.comment = this.comment === null ? text : `${this.comment}\n${text}`;
    } else if (code === EPB_FLAGS) {
      if (size !== 4) throw this.fail(optionSize(code, size, 4), at);
      this.flags = this.window.u32(at, this.littleEndian);
    }
  };

  private packet(length: number, interfaceId: number): CapturedFrame {
    this.requireBody(length, Epb.data);
    const found = this.interfaceAt(interfaceId);
    const capturedLength = this.window.u32(Epb.capturedLength, this.littleEndian);
    const room = length - Block.trailerSize - Epb.data;
    if (capturedLength > room) throw this.fail(dataPastBlock(capturedLength, room), Epb.capturedLength);
    this.flags = 0;
    this.comment = null;
    this.forEachOption(Epb.data + padded(capturedLength), length, this.packetOption);
    const high = this.window.u32(Epb.timestampHigh, this.littleEndian);
    splitTimestamp(high, this.window.u32(Epb.timestampLow, this.littleEndian), found.unitsPerSecond, this.time);
    return this.frame(found, this.window.bytes(Epb.data, capturedLength), Epb.originalLength, true);
  }

  /** SPB: no timestamp, no options, interface 0; the captured part is what fits in the block and the snaplen. */
  private simplePacket(length: number): CapturedFrame {
    this.requireBody(length, Spb.data);
    const found = this.interfaceAt(0);
    const originalLength = this.window.u32(Spb.originalLength, this.littleEndian);
    const room = length - Block.trailerSize - Spb.data;
    const limit = found.snapLen === 0 ? room : Math.min(room, found.snapLen);
    this.time.sec = 0;
    this.time.nsec = 0;
    this.flags = 0;
    this.comment = null;
    return this.frame(found, this.window.bytes(Spb.data, Math.min(originalLength, limit)), Spb.originalLength, false);
  }

  private frame(found: PcapngInterface, data: Uint8Array, originalAt: number, timed: boolean): CapturedFrame {
    this.frameNumber++;
    return {
      frameNumber: this.frameNumber,
      timeSec: this.time.sec + (timed ? found.offsetSeconds : 0),
      timeNsec: this.time.nsec,
      linkType: found.linkType,
      interfaceName: found.name,
      data,
      originalLength: this.window.u32(originalAt, this.littleEndian),
      direction: DIRECTION_BY_FLAG_BITS[this.flags & DIRECTION_MASK] ?? 'unknown',
      comment: this.comment,
    };
  }

  /** Walks the options between `from` and the trailer; a value running past the block is BAD_RECORD. */
  private forEachOption(from: number, length: number, visit: (code: number, at: number, size: number) => void): void {
    const end = length - Block.trailerSize;
    let at = from;
    while (end - at >= OptionHeaderSize) {
      const code = this.window.u16(at, this.littleEndian);
      const size = this.window.u16(at + 2, this.littleEndian);
      if (code === OPT_ENDOFOPT) return;
      const room = end - at - OptionHeaderSize;
      if (padded(size) > room) throw this.fail(optionPastBlock(code, size, room), at);
      visit(code, at + OptionHeaderSize, size);
      at += OptionHeaderSize + padded(size);
    }
  }

  private optionU8(code: number, at: number, size: number): number {
    if (size !== 1) throw this.fail(optionSize(code, size, 1), at);
    return this.window.u8(at);
  }

  /** A signed 64-bit option as a number (exact for any offset a real capture uses). */
  private optionI64(code: number, at: number, size: number): number {
    if (size !== 8) throw this.fail(optionSize(code, size, 8), at);
    const [highAt, lowAt] = this.littleEndian ? [at + 4, at] : [at, at + 4];
    return this.window.i32(highAt, this.littleEndian) * 2 ** 32 + this.window.u32(lowAt, this.littleEndian);
  }

  private interfaceAt(id: number): PcapngInterface {
    const found = this.interfaces[id];
    if (found === undefined) throw this.fail(noInterface(id, this.interfaces.length), Epb.interfaceId);
    return found;
  }

  private requireBody(length: number, fixedPart: number): void {
    if (length < fixedPart + Block.trailerSize) {
      throw this.fail(badLength(length, `is too short for its fixed fields (${fixedPart + Block.trailerSize})`), Block.totalLength);
    }
  }

  /** BAD_RECORD at `at` bytes into the current block. */
  private fail(message: string, at: number): ZctraceError {
    return new ZctraceError('BAD_RECORD', message, this.window.fileName, this.window.offset + at);
  }
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

/** Frames of a pcapng file, from its first byte, across all sections. */
async function* readPcapngFrames(window: ByteWindow): AsyncGenerator<CapturedFrame> {
  const decoder = new PcapngDecoder(window);
  for (let length = await decoder.nextBlock(); length !== 0; length = await decoder.nextBlock()) {
    const frame = decoder.decodeBlock(length);
    window.advance(length);
    if (frame !== null) yield frame;
  }
}

export const pcapngFormat: CaptureFormat = { kind: 'pcapng', probe: isPcapngHead, frames: readPcapngFrames };
