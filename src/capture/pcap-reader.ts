/**
 * The classic pcap reader: a 24-byte file header, then 16-byte record headers each followed by its bytes.
 * Either byte order, microsecond or nanosecond timestamps (told apart by the magic number).
 */
import { ZctraceError } from '../errors.js';
import { NS_PER_SECOND } from '../model/time.js';
import type { ByteWindow, CapturedFrame, CaptureFormat } from './capture-file-reader.js';

/** The magic number as a little-endian read sees it, with what it means. */
const MAGICS: readonly { readAsLittleEndian: number; littleEndian: boolean; nsPerTick: number }[] = [
  /** Written little-endian, microseconds. */
  { readAsLittleEndian: 0xa1b2c3d4, littleEndian: true, nsPerTick: 1000 },
  /** Written big-endian, microseconds. */
  { readAsLittleEndian: 0xd4c3b2a1, littleEndian: false, nsPerTick: 1000 },
  /** Written little-endian, nanoseconds. */
  { readAsLittleEndian: 0xa1b23c4d, littleEndian: true, nsPerTick: 1 },
  /** Written big-endian, nanoseconds. */
  { readAsLittleEndian: 0x4d3cb2a1, littleEndian: false, nsPerTick: 1 },
];

/** Field offsets of the file header and the record header. */
const FileHeader = { magic: 0, versionMajor: 4, versionMinor: 6, snapLen: 16, linkType: 20, size: 24 } as const;
const RecordHeader = { seconds: 0, fraction: 4, capturedLength: 8, originalLength: 12, size: 16 } as const;

/** The only major version there is (2.4 in practice). */
const SUPPORTED_MAJOR_VERSION = 2;
/** The link type lives in the low 16 bits; the high bits may carry FCS information. */
const LINK_TYPE_MASK = 0xffff;
/**
 * Largest captured length accepted: Wireshark's standard packet limit (256 KiB). Anything larger in a
 * record header means the file is damaged, and checking first keeps a bad length from growing the buffer.
 */
export const MAX_PCAP_CAPTURED_LENGTH = 262_144;

const badVersion = (major: number, minor: number): string =>
  `pcap version ${major}.${minor} is not supported (only ${SUPPORTED_MAJOR_VERSION}.x)`;
const truncatedHeader = (have: number): string => `pcap file header truncated: ${have} of ${FileHeader.size} bytes`;
const truncatedRecordHeader = (frame: number, have: number): string =>
  `pcap record ${frame}: header truncated: ${have} of ${RecordHeader.size} bytes before end of file`;
const tooLong = (frame: number, length: number): string =>
  `pcap record ${frame}: captured length ${length} exceeds the limit of ${MAX_PCAP_CAPTURED_LENGTH} bytes`;
const truncatedData = (frame: number, length: number, have: number): string =>
  `pcap record ${frame}: data truncated: ${have} of ${length} captured bytes before end of file`;

function magicOf(head: Uint8Array): (typeof MAGICS)[number] | undefined {
  if (head.length < FileHeader.size) return undefined;
  const value = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, true);
  return MAGICS.find((magic) => magic.readAsLittleEndian === value);
}

/** A pcap head: a known magic and a whole file header (a version we cannot read is UNSUPPORTED later). */
function isPcapHead(head: Uint8Array): boolean {
  return magicOf(head) !== undefined;
}

interface PcapFileHeader {
  littleEndian: boolean;
  nsPerTick: number;
  linkType: number;
}

async function readFileHeader(window: ByteWindow): Promise<PcapFileHeader> {
  if (!(await window.fill(FileHeader.size))) {
    throw new ZctraceError('BAD_RECORD', truncatedHeader(window.available), window.fileName, 0);
  }
  const magic = magicOf(window.bytes(0, FileHeader.size));
  if (magic === undefined) throw new ZctraceError('BAD_RECORD', 'not a pcap file header', window.fileName, 0);
  const { littleEndian, nsPerTick } = magic;
  const major = window.u16(FileHeader.versionMajor, littleEndian);
  const minor = window.u16(FileHeader.versionMinor, littleEndian);
  if (major !== SUPPORTED_MAJOR_VERSION) {
    throw new ZctraceError('UNSUPPORTED', badVersion(major, minor), window.fileName, FileHeader.versionMajor);
  }
  const linkType = window.u32(FileHeader.linkType, littleEndian) & LINK_TYPE_MASK;
  window.advance(FileHeader.size);
  return { littleEndian, nsPerTick, linkType };
}

/** Frames of a pcap file, from its first byte. */
async function* readPcapFrames(window: ByteWindow): AsyncGenerator<CapturedFrame> {
  const { littleEndian, nsPerTick, linkType } = await readFileHeader(window);
  const fail = (message: string, offset: number): ZctraceError =>
    new ZctraceError('BAD_RECORD', message, window.fileName, offset);
  for (let frameNumber = 1; ; frameNumber++) {
    if (window.available < RecordHeader.size && !(await window.fill(RecordHeader.size))) {
      if (window.available === 0) return;
      throw fail(truncatedRecordHeader(frameNumber, window.available), window.offset);
    }
    const capturedLength = window.u32(RecordHeader.capturedLength, littleEndian);
    if (capturedLength > MAX_PCAP_CAPTURED_LENGTH) throw fail(tooLong(frameNumber, capturedLength), window.offset);
    const recordSize = RecordHeader.size + capturedLength;
    if (window.available < recordSize && !(await window.fill(recordSize))) {
      throw fail(truncatedData(frameNumber, capturedLength, window.available - RecordHeader.size), window.offset);
    }
    // A fraction past one second (seen from some writers) carries into the seconds.
    const nanoseconds = window.u32(RecordHeader.fraction, littleEndian) * nsPerTick;
    const carry = Math.floor(nanoseconds / NS_PER_SECOND);
    const frame: CapturedFrame = {
      frameNumber,
      timeSec: window.u32(RecordHeader.seconds, littleEndian) + carry,
      timeNsec: nanoseconds - carry * NS_PER_SECOND,
      linkType,
      interfaceName: null,
      data: window.bytes(RecordHeader.size, capturedLength),
      originalLength: window.u32(RecordHeader.originalLength, littleEndian),
      direction: 'unknown',
      comment: null,
    };
    window.advance(recordSize);
    yield frame;
  }
}

export const pcapFormat: CaptureFormat = { kind: 'pcap', probe: isPcapHead, frames: readPcapFrames };
