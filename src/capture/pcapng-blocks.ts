/**
 * pcapng block and option vocabulary (IETF OPSAWG "PCAP Next Generation Capture File Format"), as data:
 * one commented constant per spec section, and one codec row per option we write. The writer computes
 * every option and block length from these rows, never by hand.
 */

/** Block types (spec section "Block Types"). */
export const BlockType = {
  /** Section Header Block: starts the file, fixes the byte order. */
  SHB: 0x0a0d0d0a,
  /** Interface Description Block: its position among the section's IDBs is the interface ID. */
  IDB: 0x00000001,
  /** Interface Statistics Block. */
  ISB: 0x00000005,
  /** Enhanced Packet Block: one packet with interface ID, timestamp and options. */
  EPB: 0x00000006,
} as const;

/** Written in the SHB so a reader can tell our byte order (we write little-endian). */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PCAPNG_VERSION = { major: 1, minor: 0 } as const;

/** Block header (type, total length) plus the trailing copy of the total length. */
export const BLOCK_FRAME_BYTES = 12;
/** SHB fixed body: byte-order magic, major, minor, 64-bit section length. */
export const SHB_FIXED_BYTES = 16;
/** IDB fixed body: link type u16, reserved u16, snaplen u32. */
export const IDB_FIXED_BYTES = 8;
/** EPB fixed body: interface ID, timestamp high, timestamp low, captured length, original length. */
export const EPB_FIXED_BYTES = 20;

/** Option codes valid in every block (spec "Options"). */
export const CommonOption = {
  /** End of the option list: code 0, length 0. */
  opt_endofopt: 0,
  /** UTF-8 comment; may repeat. tshark shows it as `frame.comment` on packets. */
  opt_comment: 1,
} as const;

/** Section Header Block options. */
export const ShbOption = {
  shb_hardware: 2,
  shb_os: 3,
  /** Application that wrote the file. */
  shb_userappl: 4,
} as const;

/** Interface Description Block options. */
export const IdbOption = {
  if_name: 2,
  if_description: 3,
  /** One byte: bit 7 clear → 10^-n seconds; 9 = nanoseconds. Absent means microseconds. */
  if_tsresol: 9,
} as const;

/** Enhanced Packet Block options. */
export const EpbOption = {
  /** u32: bits 0–1 direction, 2–4 reception type, 5–8 FCS length, 16–31 link-layer errors. */
  epb_flags: 2,
  epb_dropcount: 4,
  epb_packetid: 5,
} as const;

/** Interface Statistics Block options. */
export const IsbOption = {
  isb_starttime: 2,
  isb_endtime: 3,
  isb_ifrecv: 4,
  isb_ifdrop: 5,
} as const;

/** `epb_flags` direction bits (bits 0–1); "unknown" leaves them 00, which means "not available". */
export const EPB_DIRECTION_BITS = { inbound: 0b01, outbound: 0b10, unknown: 0b00 } as const;

/** if_tsresol value for nanoseconds (10^-9 s): every IDB we write says so. */
export const TSRESOL_NANOSECONDS = 9;

/** Bytes an option takes before its value: code u16 + length u16. */
export const OPTION_HEADER_BYTES = 4;
/** Largest option value: the length field is u16. */
export const MAX_OPTION_VALUE_BYTES = 0xffff;

/** Round up to the 4-byte boundary every pcapng block and option value is padded to. */
export function padded4(length: number): number {
  return (length + 3) & ~3;
}

/**
 * How to write one option value. `maxSize` bounds the value's bytes so the writer can make room;
 * `write` puts the value at `offset` and returns its exact (unpadded) length, which goes in the option's
 * length field and from which the writer computes padding. Measuring by writing means a UTF-8 comment is
 * encoded once per packet, not once to measure and again to write.
 */
export interface OptionCodec<T> {
  readonly code: number;
  maxSize(value: T): number;
  write(target: Buffer, offset: number, value: T): number;
}

/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** A UTF-8 string value (comments, names, descriptions); never NUL-terminated. */
function utf8Option(code: number): OptionCodec<string> {
  return {
    code,
    maxSize: (value) => value.length * MAX_UTF8_BYTES_PER_UNIT,
    write: (target, offset, value) => target.write(value, offset, 'utf8'),
  };
}

function u8Option(code: number): OptionCodec<number> {
  return { code, maxSize: () => 1, write: (target, offset, value) => target.writeUInt8(value, offset) - offset };
}

function u32Option(code: number): OptionCodec<number> {
  return { code, maxSize: () => 4, write: (target, offset, value) => target.writeUInt32LE(value >>> 0, offset) - offset };
}

/** SHB options we write. */
export const SHB_OPTIONS = {
  comment: utf8Option(CommonOption.opt_comment),
  userAppl: utf8Option(ShbOption.shb_userappl),
} as const;

/** IDB options we write. */
export const IDB_OPTIONS = {
  name: utf8Option(IdbOption.if_name),
  description: utf8Option(IdbOption.if_description),
  tsresol: u8Option(IdbOption.if_tsresol),
} as const;

/** EPB options we write. */
export const EPB_OPTIONS = {
  flags: u32Option(EpbOption.epb_flags),
  comment: utf8Option(CommonOption.opt_comment),
} as const;

/** Most bytes one option can take in a block: header plus padded value. */
export function maxOptionBytes<T>(codec: OptionCodec<T>, value: T): number {
  return OPTION_HEADER_BYTES + padded4(codec.maxSize(value));
}

/** Bytes the end-of-options marker takes; written only when at least one option precedes it. */
export const END_OF_OPTIONS_BYTES = OPTION_HEADER_BYTES;

/**
 * Write one option at `offset` (code, unpadded length, value, zero padding); returns the next offset.
 * `target` must have room for maxOptionBytes().
 */
export function writeOption<T>(target: Buffer, offset: number, codec: OptionCodec<T>, value: T): number {
  const room = maxOptionBytes(codec, value);
  if (offset + room > target.length) throw new RangeError(`pcapng option ${codec.code} needs ${room} bytes at ${offset}, buffer has ${target.length}`);
  const size = codec.write(target, offset + OPTION_HEADER_BYTES, value);
  if (size > MAX_OPTION_VALUE_BYTES) throw new RangeError(`pcapng option ${codec.code} value of ${size} bytes exceeds ${MAX_OPTION_VALUE_BYTES}`);
  const end = offset + OPTION_HEADER_BYTES + padded4(size);
  target.writeUInt16LE(codec.code, offset);
  target.writeUInt16LE(size, offset + 2);
  target.fill(0, offset + OPTION_HEADER_BYTES + size, end);
  return end;
}

/** Write opt_endofopt; returns the next offset. */
export function writeEndOfOptions(target: Buffer, offset: number): number {
  target.writeUInt32LE(0, offset);
  return offset + END_OF_OPTIONS_BYTES;
}
