/**
 * The pcap and pcapng readers against Wireshark's own reading of the same files: real captures made by
 * test/fixtures/capture-real-traffic.sh, their editcap conversions (pcapng, nanosecond pcap), a
 * byte-swapped (big-endian) pcap, and hand-built multi-section pcapng files that tshark reads too.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  probeCaptureFile,
  readCaptureBytes,
  readCaptureFile,
  type CapturedFrame,
  type CaptureReadOptions,
} from '../src/capture/capture-file-reader.js';
import { ZctraceError } from '../src/errors.js';
import { runTool, tsharkFields } from './support/tshark.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const TCP_PCAP = join(FIXTURES, 'real-tcp-ipv4.pcap');
const MIXED_PCAP = join(FIXTURES, 'real-mixed.pcap');

/** What tshark says about one frame; bytes as hex. */
interface OracleFrame {
  timeSec: number;
  timeNsec: number;
  originalLength: number;
  capturedLength: number;
  interfaceName: string;
  direction: string;
  comment: string;
  hex: string;
}

/** Our frame in the same shape (copied out of the reader's buffer). */
function summarise(frame: CapturedFrame): OracleFrame {
  return {
    timeSec: frame.timeSec,
    timeNsec: frame.timeNsec,
    originalLength: frame.originalLength,
    capturedLength: frame.data.length,
    interfaceName: frame.interfaceName ?? '',
    direction: { inbound: '1', outbound: '2', unknown: '' }[frame.direction],
    comment: frame.comment?.split('\n').join(';') ?? '',
    hex: Buffer.from(frame.data).toString('hex'),
  };
}

/** tshark's decode: metadata from -T fields, bytes from the JSON frame_raw. */
function tsharkFrames(file: string): OracleFrame[] {
  const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_name'];
  const rows = tsharkFields(file, [...fields, 'frame.packet_flags_direction', 'frame.comment'], {});
  const json = runTool('tshark', ['-n', '-r', file, '-T', 'json', '-x', '-j', 'frame']);
  const packets = JSON.parse(json.stdout) as { _source: { layers: { frame_raw: [string] } } }[];
  expect(packets).to.have.length(rows.length);
  return rows.map((row, index) => {
    const [epoch = '', len = '', capLen = '', name = '', direction = '', comment = ''] = row;
    const [sec = '', fraction = ''] = epoch.split('.');
    return {
      timeSec: Number(sec),
      timeNsec: Number(fraction.padEnd(9, '0')),
      originalLength: Number(len),
      capturedLength: Number(capLen),
      // tshark says "unknown" for a pcapng interface without if_name, nothing for pcap.
      interfaceName: name === 'unknown' ? '' : name,
      direction: direction === '' ? '' : String(Number(direction)), // 0x00000001 -> 1

      comment: comment.split(',').join(';'),
      hex: packets[index]?._source.layers.frame_raw[0] ?? 'missing',
    };
  });
}

async function ourFrames(file: string, options: CaptureReadOptions = {}): Promise<OracleFrame[]> {
  const frames: OracleFrame[] = [];
  for await (const frame of readCaptureFile(file, options)) frames.push(summarise(frame));
  return frames;
}

async function ourBytesFrames(bytes: Uint8Array, options: CaptureReadOptions = {}): Promise<OracleFrame[]> {
  const frames: OracleFrame[] = [];
  for await (const frame of readCaptureBytes(bytes, 'memory', options)) frames.push(summarise(frame));
  return frames;
}

/** The error a read ends with, after counting the frames it yielded first. */
async function readUntilError(file: string): Promise<{ frames: number; error: ZctraceError }> {
  let frames = 0;
  try {
    for await (const _frame of readCaptureFile(file)) frames++;
  } catch (error) {
    if (error instanceof ZctraceError) return { frames, error };
    throw error;
  }
  throw new Error(`${file}: read ${frames} frames without error`);
}

/** pcap with every header field byte-swapped: the file a big-endian machine writes. */
function swapPcap(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const swap32 = (at: number): void => view.setUint32(at, view.getUint32(at, true), false);
  const swap16 = (at: number): void => view.setUint16(at, view.getUint16(at, true), false);
  [0, 8, 12, 16, 20].forEach(swap32);
  [4, 6].forEach(swap16);
  for (let at = 24; at < out.length; ) {
    const capturedLength = view.getUint32(at + 8, true);
    [0, 4, 8, 12].forEach((field) => swap32(at + field));
    at += 16 + capturedLength;
  }
  return out;
}

// ---- A small pcapng builder, written from the format draft, checked by tshark reading its output ----

type Option = [code: number, value: Uint8Array];

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const pad4 = (length: number): number => (length + 3) & ~3;

function u32(value: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, littleEndian);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function options(list: Option[], littleEndian: boolean): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const parts = list.map(([code, value]) => {
    const header = new Uint8Array(4);
    const view = new DataView(header.buffer);
    view.setUint16(0, code, littleEndian);
    view.setUint16(2, value.length, littleEndian);
    return concat([header, value, new Uint8Array(pad4(value.length) - value.length)]);
  });
  return concat([...parts, new Uint8Array(4)]);
}

function block(type: number, body: Uint8Array, littleEndian: boolean): Uint8Array {
  const total = 12 + pad4(body.length);
  const padding = new Uint8Array(pad4(body.length) - body.length);
  return concat([u32(type, littleEndian), u32(total, littleEndian), body, padding, u32(total, littleEndian)]);
}

function shb(littleEndian: boolean): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint32(0, 0x1a2b3c4d, littleEndian);
  view.setUint16(4, 1, littleEndian);
  view.setBigInt64(8, -1n, littleEndian);
  return block(0x0a0d0d0a, body, littleEndian);
}

function idb(linkType: number, snapLen: number, opts: Option[], littleEndian: boolean): Uint8Array {
  const body = new Uint8Array(8);
  const view = new DataView(body.buffer);
  view.setUint16(0, linkType, littleEndian);
  view.setUint32(4, snapLen, littleEndian);
  return block(1, concat([body, options(opts, littleEndian)]), littleEndian);
}

interface PacketSpec {
  interfaceId: number;
  /** Timestamp in the interface's units. */
  ticks: bigint;
  data: Uint8Array;
  originalLength?: number;
  opts?: Option[];
}

/** EPB (type 6), or the obsolete PB (type 2) whose interface ID is a u16 followed by a drop count. */
function packetBlock(type: 2 | 6, spec: PacketSpec, littleEndian: boolean): Uint8Array {
  const fixed = new Uint8Array(20);
  const view = new DataView(fixed.buffer);
  if (type === 6) view.setUint32(0, spec.interfaceId, littleEndian);
  else view.setUint16(0, spec.interfaceId, littleEndian);
  view.setUint32(4, Number(spec.ticks >> 32n), littleEndian);
  view.setUint32(8, Number(spec.ticks & 0xffffffffn), littleEndian);
  view.setUint32(12, spec.data.length, littleEndian);
  view.setUint32(16, spec.originalLength ?? spec.data.length, littleEndian);
  const data = concat([spec.data, new Uint8Array(pad4(spec.data.length) - spec.data.length)]);
  return block(type, concat([fixed, data, options(spec.opts ?? [], littleEndian)]), littleEndian);
}

function spb(originalLength: number, data: Uint8Array, littleEndian: boolean): Uint8Array {
  return block(3, concat([u32(originalLength, littleEndian), data]), littleEndian);
}

const flags = (direction: number, littleEndian: boolean): Option => [2, u32(direction, littleEndian)];
const comment = (value: string): Option => [1, text(value)];
const NS_2023 = 1_700_000_000n;

/** Two sections: big-endian (Ethernet, 2^-20 s units) then little-endian (raw IP, ns and µs interfaces). */
function multiSectionPcapng(ethernet: Uint8Array[]): Uint8Array {
  const ip = (frame: Uint8Array | undefined): Uint8Array => (frame ?? new Uint8Array(0)).subarray(14);
  const [first, second, third, fourth, big] = ethernet;
  const be = false;
  const le = true;
  const largeIp = ip(big);
  return concat([
    shb(be),
    idb(1, 0, [[2, text('zct-va')], [9, Uint8Array.of(0x94)]], be),
    packetBlock(6, { interfaceId: 0, ticks: (NS_2023 << 20n) + 123_456n, data: first ?? new Uint8Array(0), opts: [flags(1, be), comment('first comment'), comment('second comment')] }, be),
    block(5, new Uint8Array(12), be), // interface statistics: skipped
    block(0x0999, text('unknown!'), be), // a block type nobody defined: skipped
    packetBlock(6, { interfaceId: 0, ticks: ((NS_2023 + 1n) << 20n) + 1n, data: second ?? new Uint8Array(0), opts: [flags(2, be)] }, be),
    shb(le),
    idb(101, 128, [[2, text('OSAQDIO1')], [9, Uint8Array.of(9)]], le),
    idb(101, 0, [[2, text('LOOPBACK')]], le),
    packetBlock(6, { interfaceId: 0, ticks: NS_2023 * 1_000_000_000n + 987_654_321n, data: ip(third) }, le),
    packetBlock(2, { interfaceId: 1, ticks: (NS_2023 + 2n) * 1_000_000n + 1n, data: ip(fourth), opts: [flags(1, le), comment('obsolete packet block')] }, le),
    spb(largeIp.length, largeIp.subarray(0, 128), le),
  ]);
}

describe('capture file readers (pcap, pcapng)', function () {
  this.timeout(30_000);
  let work: string;
  const file = (name: string): string => join(work, name);
  const editcap = (args: string[]): void => {
    const run = runTool('editcap', args);
    if (run.status !== 0) throw new Error(`editcap ${args.join(' ')}: ${run.stderr}`);
  };
  let mixedOracle: OracleFrame[];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'zct-pcap-reader-'));
    mixedOracle = tsharkFrames(MIXED_PCAP);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('real captures, compared frame by frame with tshark', () => {
    it('reads the TCP capture (HTTP with retransmissions, FTP): every time, length and byte', async () => {
      const expected = tsharkFrames(TCP_PCAP);
      expect(expected.length).to.be.greaterThan(200);
      expect(await ourFrames(TCP_PCAP)).to.deep.equal(expected);
    });

    it('reads the mixed IPv4/IPv6 TCP/UDP/ICMP capture', async () => {
      expect(await ourFrames(MIXED_PCAP)).to.deep.equal(mixedOracle);
    });

    it('gives identical frames from the pcapng conversion (editcap -F pcapng)', async () => {
      editcap(['-F', 'pcapng', TCP_PCAP, file('tcp.pcapng')]);
      const expected = tsharkFrames(file('tcp.pcapng'));
      const frames = await ourFrames(file('tcp.pcapng'));
      expect(frames).to.deep.equal(expected);
      expect(frames).to.deep.equal(await ourFrames(TCP_PCAP));
    });

    it('reads a nanosecond pcap, including sub-microsecond digits', async () => {
      editcap(['-F', 'nsecpcap', MIXED_PCAP, file('mixed-ns.pcap')]);
      expect(await ourFrames(file('mixed-ns.pcap'))).to.deep.equal(mixedOracle);
      const bytes = readFileSync(file('mixed-ns.pcap'));
      bytes.writeUInt32LE(bytes.readUInt32LE(28) + 789, 28); // frame 1's nanoseconds
      writeFileSync(file('mixed-ns-789.pcap'), bytes);
      const frames = await ourFrames(file('mixed-ns-789.pcap'));
      expect(frames).to.deep.equal(tsharkFrames(file('mixed-ns-789.pcap')));
      expect(frames[0]?.timeNsec).to.equal((mixedOracle[0]?.timeNsec ?? 0) + 789);
    });

    it('reads a big-endian pcap', async () => {
      writeFileSync(file('mixed-be.pcap'), swapPcap(readFileSync(MIXED_PCAP)));
      expect(runTool('capinfos', ['-M', file('mixed-be.pcap')]).stdout).to.match(/Number of packets:\s+86/);
      expect(await ourFrames(file('mixed-be.pcap'))).to.deep.equal(mixedOracle);
    });

    it('shows the packet comments editcap adds', async () => {
      editcap(['-F', 'pcapng', '-a', '1:hello', '-a', '3:third frame (editcap)', MIXED_PCAP, file('commented.pcapng')]);
      const frames = await ourFrames(file('commented.pcapng'));
      expect(frames).to.deep.equal(tsharkFrames(file('commented.pcapng')));
      expect(frames.map((frame) => frame.comment).slice(0, 4)).to.deep.equal(['hello', '', 'third frame (editcap)', '']);
    });
  });

  describe('pcapng blocks and options', () => {
    it('reads two sections in both byte orders: if_name, if_tsresol (2^-20, ns, default µs), flags, comments, PB, SPB', async () => {
      const sources = mixedOracle.map((frame) => Buffer.from(frame.hex, 'hex'));
      const largest = sources.reduce((a, b) => (b.length > a.length ? b : a));
      writeFileSync(file('sections.pcapng'), multiSectionPcapng([...sources.slice(0, 4), largest]));
      const expected = tsharkFrames(file('sections.pcapng'));
      const frames: (OracleFrame & { linkType: number })[] = [];
      for await (const frame of readCaptureFile(file('sections.pcapng'))) frames.push({ ...summarise(frame), linkType: frame.linkType });
      // tshark 4.0 names a later section's interface by its section-local ID in the file-wide list, so the
      // names are checked against the file as built (below), everything else against tshark.
      const withoutName = ({ interfaceName: _name, linkType: _linkType, ...rest }: OracleFrame & { linkType?: number }) => rest;
      expect(frames.map(withoutName)).to.deep.equal(expected.map(withoutName));
      expect(frames.map((frame) => [frame.linkType, frame.interfaceName, frame.direction, frame.capturedLength])).to.deep.equal([
        [1, 'zct-va', '1', sources[0]?.length],
        [1, 'zct-va', '2', sources[1]?.length],
        [101, 'OSAQDIO1', '', (sources[2]?.length ?? 0) - 14],
        [101, 'LOOPBACK', '1', (sources[3]?.length ?? 0) - 14],
        [101, 'OSAQDIO1', '', 128],
      ]);
      expect(frames[0]).to.include({ timeSec: 1_700_000_000, timeNsec: 117_736_816, comment: 'first comment;second comment' });
      expect(frames[2]).to.include({ timeSec: 1_700_000_000, timeNsec: 987_654_321 });
      expect(frames[4]?.originalLength).to.equal(largest.length - 14);
    });

    it('adds if_tsoffset seconds to every timestamp of the interface', async () => {
      const le = true;
      const offset = new Uint8Array(8);
      new DataView(offset.buffer).setBigInt64(0, -86_400n, le);
      const data = Buffer.from(mixedOracle[0]?.hex ?? '', 'hex');
      const bytes = concat([
        shb(le),
        idb(1, 0, [[14, offset]], le),
        packetBlock(6, { interfaceId: 0, ticks: NS_2023 * 1_000_000n + 250_000n, data }, le),
      ]);
      const [frame] = await ourBytesFrames(bytes);
      expect(frame).to.include({ timeSec: 1_700_000_000 - 86_400, timeNsec: 250_000_000 });
    });
  });

  describe('chunked reading', () => {
    it('gives the same frames whatever the read size, from a file or from memory', async () => {
      editcap(['-F', 'pcapng', '-a', '2:split me', MIXED_PCAP, file('mixed.pcapng')]);
      const pcapng = readFileSync(file('mixed.pcapng'));
      const pcapngFrames = await ourFrames(file('mixed.pcapng'));
      expect(pcapngFrames[1]?.comment).to.equal('split me');
      for (const chunkSize of [7, 1000, 4093]) {
        expect(await ourFrames(MIXED_PCAP, { chunkSize }), `pcap, ${chunkSize}`).to.deep.equal(mixedOracle);
        expect(await ourFrames(file('mixed.pcapng'), { chunkSize }), `pcapng, ${chunkSize}`).to.deep.equal(pcapngFrames);
      }
      for (const chunkSize of [1, 3]) {
        expect(await ourBytesFrames(readFileSync(MIXED_PCAP), { chunkSize }), `pcap, ${chunkSize}`).to.deep.equal(mixedOracle);
        expect(await ourBytesFrames(pcapng, { chunkSize }), `pcapng, ${chunkSize}`).to.deep.equal(pcapngFrames);
      }
    });
  });

  describe('probe', () => {
    it('says pcap or pcapng by magic, and null (never an error) for anything short or odd', () => {
      const pcap = readFileSync(MIXED_PCAP);
      const swapped = swapPcap(pcap);
      const pcapng = shb(true);
      const badByteOrder = Uint8Array.from(pcapng);
      badByteOrder[8] = 0x4e;
      const version3 = Uint8Array.from(pcap.subarray(0, 24));
      version3[4] = 3;
      const cases: [string, Uint8Array, string | null][] = [
        ['empty', new Uint8Array(0), null],
        ['three bytes of the pcap magic', pcap.subarray(0, 3), null],
        ['a pcap header one byte short', pcap.subarray(0, 23), null],
        ['a pcap header', pcap.subarray(0, 24), 'pcap'],
        ['a big-endian pcap header', swapped.subarray(0, 24), 'pcap'],
        ['pcap version 3 (its magic makes it a pcap; reading it is UNSUPPORTED)', version3, 'pcap'],
        ['a section header block', pcapng, 'pcapng'],
        ['a section header block one byte short', pcapng.subarray(0, 27), null],
        ['a section header block with a bad byte-order magic', badByteOrder, null],
        ['text', text('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), null],
      ];
      for (const [name, head, kind] of cases) expect(probeCaptureFile(head), name).to.equal(kind);
    });

    it('refuses an empty file, a file of another kind and a missing file with typed errors', async () => {
      writeFileSync(file('empty.pcap'), '');
      writeFileSync(file('notes.txt'), 'not a capture at all\n');
      const cases: [string, string][] = [
        [file('empty.pcap'), 'EMPTY'],
        [file('notes.txt'), 'UNSUPPORTED'],
        [file('missing.pcap'), 'IO'],
      ];
      for (const [path, code] of cases) {
        const { frames, error } = await readUntilError(path);
        expect([frames, error.code, error.file], path).to.deep.equal([0, code, path]);
      }
    });
  });

  describe('damaged or unsupported files: a typed error with the offset, as one line', () => {
    /** File offset of each pcap record header, from tshark's captured lengths. */
    const recordOffsets = (): number[] => {
      const offsets = [24];
      for (const frame of mixedOracle) offsets.push((offsets.at(-1) ?? 0) + 16 + frame.capturedLength);
      return offsets;
    };

    interface Damage {
      name: string;
      bytes: () => Uint8Array;
      frames: number;
      offset: () => number;
      /** A function: the fixture facts it quotes are known only once tshark has run. */
      message: () => string;
    }

    const pcapCut = (record: number, extra: number) => (): Uint8Array =>
      readFileSync(MIXED_PCAP).subarray(0, (recordOffsets()[record] ?? 0) + extra);
    const pcapDamages: Damage[] = [
      {
        name: 'pcap cut inside the fifth record\'s data',
        bytes: pcapCut(4, 16 + 10),
        frames: 4,
        offset: () => recordOffsets()[4] ?? -1,
        message: () => `pcap record 5: data truncated: 10 of ${mixedOracle[4]?.capturedLength} captured bytes before end of file`,
      },
      {
        name: 'pcap cut inside the fifth record header',
        bytes: pcapCut(4, 7),
        frames: 4,
        offset: () => recordOffsets()[4] ?? -1,
        message: () => 'pcap record 5: header truncated: 7 of 16 bytes before end of file',
      },
      {
        name: 'pcap record 3 claiming 2 GiB',
        bytes: () => {
          const bytes = readFileSync(MIXED_PCAP);
          bytes.writeUInt32LE(0x7fffffff, (recordOffsets()[2] ?? 0) + 8);
          return bytes;
        },
        frames: 2,
        offset: () => recordOffsets()[2] ?? -1,
        message: () => 'pcap record 3: captured length 2147483647 exceeds the limit of 262144 bytes',
      },
    ];

    for (const damage of pcapDamages) {
      it(damage.name, async () => {
        const path = file('damaged.pcap');
        writeFileSync(path, damage.bytes());
        const tshark = runTool('tshark', ['-r', path]);
        expect(tshark.stderr, 'tshark finds it damaged too').to.match(/cut short|damaged|corrupt|bigger than/i);
        expect(tshark.stdout.trim().split('\n')).to.have.length(damage.frames);
        const { frames, error } = await readUntilError(path);
        expect(frames).to.equal(damage.frames);
        expect(error.code).to.equal('BAD_RECORD');
        expect(error.oneLine()).to.equal(`${path}: offset ${damage.offset()}: ${damage.message()}`);
      });
    }

    /** SHB, IDB, then three EPBs; returns the bytes and each block's offset. */
    function smallPcapng(): { bytes: Uint8Array; offsets: number[] } {
      const le = true;
      const data = Buffer.from(mixedOracle[0]?.hex ?? '', 'hex');
      const blocks = [
        shb(le),
        idb(1, 0, [], le),
        ...[1n, 2n, 3n].map((n) => packetBlock(6, { interfaceId: 0, ticks: NS_2023 * 1_000_000n + n, data }, le)),
      ];
      const offsets = blocks.map((_, index) => blocks.slice(0, index).reduce((sum, b) => sum + b.length, 0));
      return { bytes: concat(blocks), offsets };
    }

    const epb = 3; // index of the second EPB among the blocks
    interface PcapngDamage {
      name: string;
      /** Damages the second EPB, which starts at `at` and is `length` bytes long. */
      mutate: (bytes: Buffer, at: number, length: number) => Buffer;
      /** Error offset from the start of that block (negative: from its end). */
      at: number;
      message: string;
      tsharkTolerates?: boolean;
    }
    const pcapngDamages: PcapngDamage[] = [
      { name: 'trailing length that disagrees', mutate: (b, at, length) => (b.writeUInt32LE(length + 4, at + length - 4), b), at: -4, message: 'pcapng block total length 132 disagrees with the trailing copy 136' },
      // libpcap refuses this one too ("not a multiple of 4"); Wireshark 4.0 lets it pass.
      { name: 'block length not a multiple of 4', mutate: (b, at) => (b.writeUInt32LE(130, at + 4), b), at: 4, message: 'pcapng block total length 130 is not a multiple of 4', tsharkTolerates: true },
      { name: 'block length below the minimum', mutate: (b, at) => (b.writeUInt32LE(8, at + 4), b), at: 4, message: 'pcapng block total length 8 is below the minimum of 12' },
      { name: 'block length past 16 MiB', mutate: (b, at) => (b.writeUInt32LE(0x7ffffffc, at + 4), b), at: 4, message: 'pcapng block total length 2147483644 exceeds the limit of 16777216' },
      { name: 'file cut inside a block', mutate: (b, at) => b.subarray(0, at + 50), at: 0, message: 'pcapng block 0x6 of 132 bytes truncated: 50 bytes before end of file' },
      { name: 'packet naming an undefined interface', mutate: (b, at) => (b.writeUInt32LE(5, at + 8), b), at: 8, message: 'pcapng packet names interface 5 but the section defines 1 interface(s)' },
      { name: 'captured length past the block', mutate: (b, at) => (b.writeUInt32LE(200, at + 20), b), at: 20, message: 'pcapng packet captured length 200 runs past the block (room for 100 bytes)' },
    ];

    for (const damage of pcapngDamages) {
      it(`pcapng ${damage.name}`, async () => {
        const { bytes, offsets } = smallPcapng();
        const blockAt = offsets[epb] ?? 0;
        const blockLength = (offsets[epb + 1] ?? 0) - blockAt;
        const path = file('damaged.pcapng');
        writeFileSync(path, damage.mutate(Buffer.from(bytes), blockAt, blockLength));
        if (damage.tsharkTolerates !== true) {
          const tshark = runTool('tshark', ['-r', path]);
          expect(tshark.stderr, 'tshark finds it damaged too').to.match(/cut short|damaged|corrupt|bigger than/i);
        }
        const { frames, error } = await readUntilError(path);
        expect(frames).to.equal(1);
        expect(error.code).to.equal('BAD_RECORD');
        const offset = damage.at < 0 ? blockAt + blockLength + damage.at : blockAt + damage.at;
        expect(error.oneLine()).to.equal(`${path}: offset ${offset}: ${damage.message}`);
      });
    }

    it('pcapng option running past its block', async () => {
      const le = true;
      const data = Buffer.from(mixedOracle[0]?.hex ?? '', 'hex');
      const good = packetBlock(6, { interfaceId: 0, ticks: 1n, data, opts: [comment('abcd')] }, le);
      const bytes = Buffer.from(concat([shb(le), idb(1, 0, [], le), good]));
      const optionAt = bytes.length - good.length + 28 + pad4(data.length);
      bytes.writeUInt16LE(64, optionAt + 2);
      const path = file('option.pcapng');
      writeFileSync(path, bytes);
      const { frames, error } = await readUntilError(path);
      expect([frames, error.code]).to.deep.equal([0, 'BAD_RECORD']);
      expect(error.oneLine()).to.equal(`${path}: offset ${optionAt}: pcapng option 1 of 64 bytes runs past the block (room for 8 bytes)`);
    });

    it('pcap major version 3: UNSUPPORTED at the version field', async () => {
      const bytes = readFileSync(MIXED_PCAP);
      bytes.writeUInt16LE(3, 4);
      const path = file('v3.pcap');
      writeFileSync(path, bytes);
      const { error } = await readUntilError(path);
      expect([error.code, error.oneLine()]).to.deep.equal(['UNSUPPORTED', `${path}: offset 4: pcap version 3.4 is not supported (only 2.x)`]);
    });

    it('pcapng major version 2: UNSUPPORTED at the section header', async () => {
      const bytes = Buffer.from(shb(true));
      bytes.writeUInt16LE(2, 12);
      const path = file('v2.pcapng');
      writeFileSync(path, bytes);
      const { error } = await readUntilError(path);
      expect([error.code, error.oneLine()]).to.deep.equal(['UNSUPPORTED', `${path}: offset 0: pcapng version 2.0 is not supported (only 1.x)`]);
    });
  });
});
