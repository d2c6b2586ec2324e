/**
 * Reading pcap and pcapng files: the frame every capture reader yields, the byte window the readers decode
 * from (chunked positional reads with carry-over, so memory stays bounded whatever the file size), the
 * probe that tells the formats apart by magic, and readCaptureFile that picks the reader.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ZctraceError } from '../errors.js';
import type { Direction } from '../model/trace-packet.js';
import { pcapFormat } from './pcap-reader.js';
import { pcapngFormat } from './pcapng-reader.js';

/** One frame as a capture file stored it. */
export interface CapturedFrame {
  /** 1-based position among the frames of the file (all sections of a pcapng). */
  frameNumber: number;
  /** Capture time in whole seconds since the Unix epoch (0 for a pcapng Simple Packet Block). */
  timeSec: number;
  /** 0..999_999_999 */
  timeNsec: number;
  /** pcap LINKTYPE_* of the frame's interface (see link-types.ts). */
  linkType: number;
  /** pcapng if_name of the frame's interface; null for pcap or when the IDB has none. */
  interfaceName: string | null;
  /** Bytes captured. A view into the reader's buffer, valid only until the next frame is pulled: copy to keep. */
  data: Uint8Array;
  /** Length on the wire (usually >= data.length). */
  originalLength: number;
  /** From pcapng epb_flags bits 0-1; 'unknown' for pcap. */
  direction: Direction;
  /** pcapng opt_comment(s), several joined by newlines; null when none. */
  comment: string | null;
}

/** One capture format: how to recognise its head, and how to decode frames from a window over the file. */
export interface CaptureFormat {
  kind: CaptureFileKind;
  /** True only for a head this format can read; a short or odd head is simply false, never an error. */
  probe(head: Uint8Array): boolean;
  frames(window: ByteWindow): AsyncGenerator<CapturedFrame>;
}

export type CaptureFileKind = 'pcap' | 'pcapng';

/** Magic-number formats, checked in order. */
const CAPTURE_FORMATS: readonly CaptureFormat[] = [pcapFormat, pcapngFormat];

/** Bytes handed to the probe: enough for the pcap file header and a minimal pcapng SHB. */
export const PROBE_HEAD_BYTES = 64;

/** Default size of one positional read. */
const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface CaptureReadOptions {
  /** Bytes per positional read (tests use tiny values to exercise every split). */
  chunkSize?: number;
}

/** Reads `length` bytes at `position` into target[targetOffset..]; resolves to the count read (0 at end). */
export type ReadAt = (target: Uint8Array, targetOffset: number, length: number, position: number) => Promise<number>;

const notCapture = (head: Uint8Array): string =>
  `not a pcap or pcapng file (first bytes ${Buffer.from(head.subarray(0, 4)).toString('hex') || 'none'})`;
const outsideWindow = (at: number, size: number, available: number): string =>
  `internal: read of ${size} bytes at +${at} outside the ${available} bytes in the window`;

/**
 * A sliding window over a file: `offset` is the file offset of the current position, `available` the bytes
 * loaded from there on. Readers check `available` and await `fill(n)` only when short, so a frame that is
 * already loaded costs no promise. Byte accessors are relative to the current position and bounds-checked.
 */
export class ByteWindow {
  private buffer: Uint8Array;
  private view: DataView;
  private start = 0;
  private end = 0;
  private atEnd = false;
  /** File offset of the current position. */
  offset = 0;

  constructor(
    readonly fileName: string,
    private readonly readAt: ReadAt,
    private readonly chunkSize: number = DEFAULT_CHUNK_BYTES,
  ) {
    this.buffer = new Uint8Array(Math.max(chunkSize * 2, PROBE_HEAD_BYTES));
    this.view = new DataView(this.buffer.buffer);
  }

  get available(): number {
    return this.end - this.start;
  }

  /** Loads until `needed` bytes are available; false when the file ends first (the rest stays available). */
  async fill(needed: number): Promise<boolean> {
    if (this.available >= needed) return true;
    this.makeRoom(needed);
    while (this.available < needed && !this.atEnd) {
      const length = Math.min(this.chunkSize, this.buffer.length - this.end);
      const count = await this.readAt(this.buffer, this.end, length, this.offset + this.available);
      if (count === 0) this.atEnd = true;
      this.end += count;
    }
    return this.available >= needed;
  }

  advance(count: number): void {
    if (count > this.available) throw new Error(outsideWindow(0, count, this.available));
    this.start += count;
    this.offset += count;
  }

  u8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(this.start + at);
  }

  u16(at: number, littleEndian: boolean): number {
    this.check(at, 2);
    return this.view.getUint16(this.start + at, littleEndian);
  }

  u32(at: number, littleEndian: boolean): number {
    this.check(at, 4);
    return this.view.getUint32(this.start + at, littleEndian);
  }

  i32(at: number, littleEndian: boolean): number {
    this.check(at, 4);
    return this.view.getInt32(this.start + at, littleEndian);
  }

  /** A view (not a copy) of `length` bytes at `at`; valid until the next fill(). */
  bytes(at: number, length: number): Uint8Array {
    this.check(at, length);
    return this.buffer.subarray(this.start + at, this.start + at + length);
  }

  private check(at: number, size: number): void {
    if (at < 0 || at + size > this.available) throw new Error(outsideWindow(at, size, this.available));
  }

  /** Carry the unread bytes to the front, growing the buffer only for a record larger than it. */
  private makeRoom(needed: number): void {
    if (this.buffer.length - this.start >= needed) return;
    if (needed <= this.buffer.length) {
      this.buffer.copyWithin(0, this.start, this.end);
    } else {
      const grown = new Uint8Array(needed + this.chunkSize);
      grown.set(this.buffer.subarray(this.start, this.end), 0);
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.end -= this.start;
    this.start = 0;
  }
}

/** Which capture format a file head is, or null when it is neither (short, empty or other data). */
export function probeCaptureFile(head: Uint8Array): CaptureFileKind | null {
  return CAPTURE_FORMATS.find((format) => format.probe(head))?.kind ?? null;
}

/** Frames of a pcap or pcapng file, read in bounded memory; the format is chosen by magic. */
export async function* readCaptureFile(path: string, options: CaptureReadOptions = {}): AsyncGenerator<CapturedFrame> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new ZctraceError('IO', `cannot open: ${(error as Error).message}`, path);
  }
  try {
    const readAt: ReadAt = async (target, targetOffset, length, position) =>
      (await handle.read(target, targetOffset, length, position)).bytesRead;
    yield* readCaptureWindow(new ByteWindow(path, guardIo(path, readAt), options.chunkSize));
  } finally {
    await handle.close();
  }
}

/** The same over bytes already in memory (a name is still needed for messages). */
export function readCaptureBytes(
  bytes: Uint8Array,
  name: string,
  options: CaptureReadOptions = {},
): AsyncGenerator<CapturedFrame> {
  const readAt: ReadAt = async (target, targetOffset, length, position) => {
    const piece = bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length));
    target.set(piece, targetOffset);
    return piece.length;
  };
  return readCaptureWindow(new ByteWindow(name, readAt, options.chunkSize));
}

async function* readCaptureWindow(window: ByteWindow): AsyncGenerator<CapturedFrame> {
  await window.fill(PROBE_HEAD_BYTES);
  const head = window.bytes(0, Math.min(window.available, PROBE_HEAD_BYTES));
  if (head.length === 0) throw new ZctraceError('EMPTY', 'the file is empty', window.fileName, 0);
  const format = CAPTURE_FORMATS.find((candidate) => candidate.probe(head));
  if (format === undefined) throw new ZctraceError('UNSUPPORTED', notCapture(head), window.fileName, 0);
  yield* format.frames(window);
}

function guardIo(path: string, readAt: ReadAt): ReadAt {
  return async (target, targetOffset, length, position) => {
    try {
      return await readAt(target, targetOffset, length, position);
    } catch (error) {
      throw new ZctraceError('IO', `read failed: ${(error as Error).message}`, path, position);
    }
  };
}
