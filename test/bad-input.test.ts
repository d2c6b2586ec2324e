/**
 * Bad input, one case per row of the README table "Bad input and what zctrace does": each gives a clear
 * one-line message with the documented exit code, or a counted skip with the good packets written (and
 * read back cleanly by tshark); never a crash, a hang or a stack trace. The data sets are real fixture
 * traffic re-expressed as SYSTCPDA entries, then damaged the way transfers and writers damage them.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from './support/cli.js';
import { assertReadClean, runTool, tsharkFields } from './support/tshark.js';
import { buildDataSet, ipPacketOf, packetEntriesFromFrames, readFrames } from './support/trace-from-capture.js';
import { buildPacketEntry, pthdrSlots } from './support/packet-trace-builder.js';
import { concatBytes, CTE_HEADER_LENGTH } from './support/cte-builder.js';
import { openTraceReader, DEFAULT_READ_OPTIONS, type TraceReadOptions } from '../src/ctrace/trace-reader.js';
import type { CapturedFrame } from '../src/capture/capture-file-reader.js';
import type { ReadSummary } from '../src/ctrace/read-summary.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const LOCAL = ['198.51.100.1', '2001:db8:0:0:0:0:0:1'];
/** No run may take longer: a hang fails the test. */
const CLI_TIMEOUT_MS = 60_000;
const ExitCode = { OK: 0, INPUT: 3, UNSUPPORTED: 6 } as const;

/** A CLI run ended on its own, printed no stack trace and no internal error. */
function expectOrderly(run: CliRun): void {
  expect(run.status, `killed after ${CLI_TIMEOUT_MS} ms (a hang?)`).to.not.equal(null);
  expect(run.stderr).to.not.match(/^\s+at /m);
  expect(run.stderr).to.not.match(/internal error/);
}

/** Failed with exactly one line on stderr, naming the file. */
function expectOneLineFailure(run: CliRun, status: number, file: string, message: RegExp): void {
  expectOrderly(run);
  expect(run.status, run.stderr).to.equal(status);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^zctrace: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  expect(lines[0]).to.match(message);
}

async function readAll(path: string, options: Partial<TraceReadOptions> = {}): Promise<{ packets: Uint8Array[]; summary: ReadSummary }> {
  const reader = await openTraceReader(path, { ...DEFAULT_READ_OPTIONS, ...options });
  const packets: Uint8Array[] = [];
  for await (const packet of reader.packets()) packets.push(packet.data.slice());
  return { packets, summary: reader.summary };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** A seeded byte stream (32-bit LCG): the same "random" file every run. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/**
 * What an FTP transfer in ASCII mode makes of a data set: each record translated from EBCDIC (IBM-1047)
 * to ISO-8859-1 by the system's iconv, and ended with CR LF.
 */
function textModeDownload(records: Uint8Array[]): Uint8Array {
  return concatBytes(
    records.map((record) => {
      const run = spawnSync('iconv', ['-f', 'IBM1047', '-t', 'ISO-8859-1'], { input: record });
      if (run.status !== 0) throw new Error(`iconv failed: ${run.stderr.toString()}`);
      return concatBytes([run.stdout, Uint8Array.of(0x0d, 0x0a)]);
    }),
  );
}

const pthdr = pthdrSlots();
/** Where PTH_Len sits in an entry: after the CTE header, at the profile's offset. */
const PTH_LEN_AT = CTE_HEADER_LENGTH + pthdr['headerLength']!.offset;

describe('bad input', function () {
  this.timeout(300_000);
  let dir: string;
  let frames: CapturedFrame[];
  /** 30 entries back to back (raw framing, no padding): entry i starts at offsets[i]. */
  let entries: Uint8Array[];
  let offsets: number[];
  /** The IP packets those entries carry. */
  let packets: Uint8Array[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-bad-'));
    frames = (await readFrames(new URL('real-mixed.pcap', FIXTURES).pathname)).slice(0, 30);
    entries = packetEntriesFromFrames(frames, { localAddresses: LOCAL });
    packets = frames.map(ipPacketOf);
    offsets = [];
    let at = 0;
    for (const entry of entries) {
      offsets.push(at);
      at += entry.length;
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, bytes: Uint8Array): string {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  }

  /** The entries with entry `index` replaced by `damaged` (same position, same or other length). */
  function withDamagedEntry(index: number, damage: (entry: Uint8Array) => Uint8Array): Uint8Array {
    return concatBytes(entries.map((entry, i) => (i === index ? damage(entry.slice()) : entry)));
  }

  /** Converts; expects success, the packets written and read back cleanly by tshark. */
  function convertExpectingSuccess(input: string, args: string[] = []): { run: CliRun; output: string } {
    const output = `${input}.pcapng`;
    const run = runCli(['convert', input, '-o', output, ...args], { timeoutMs: CLI_TIMEOUT_MS });
    expectOrderly(run);
    expect(run.status, run.stderr).to.equal(ExitCode.OK);
    assertReadClean(runTool('tshark', ['-r', output]), `tshark ${output}`);
    return { run, output };
  }

  function expectNoOutputLeft(prefix: string): void {
    expect(readdirSync(dir).filter((name) => name.startsWith(prefix) && name !== prefix)).to.deep.equal([]);
  }

  describe('files that are not a usable trace: one line, exit 3, no output', () => {
    it('an empty file', () => {
      const input = file('empty.bin', new Uint8Array(0));
      expectOneLineFailure(runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /the file is empty/);
      expectOneLineFailure(runCli(['info', input], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /the file is empty/);
      expectNoOutputLeft('empty.bin');
    });

    it('a file of zeros', () => {
      const input = file('zeros.bin', new Uint8Array(300_000));
      expectOneLineFailure(runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /offset 0: no valid trace entry found/);
      expectNoOutputLeft('zeros.bin');
    });

    it('random bytes', () => {
      const input = file('random.bin', pseudoRandomBytes(1 << 20, 5));
      const run = runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS });
      expectOneLineFailure(run, ExitCode.INPUT, input, /no valid trace entry found/);
      expect(run.stderr, 'no text-mode hint for bytes that are not one').to.not.match(/ASCII/);
      expectNoOutputLeft('random.bin');
    });

    it('a text-mode (ASCII) download: named as such, with the advice to download in binary', () => {
      const allFrames = frames;
      const dataSet = buildDataSet(packetEntriesFromFrames(allFrames, { localAddresses: LOCAL }), 'raw');
      const records: Uint8Array[] = [];
      for (let at = 0; at < dataSet.length; at += 32752) records.push(dataSet.subarray(at, at + 32752));
      const input = file('ascii.bin', textModeDownload(records));
      for (const command of ['convert', 'info']) {
        const args = command === 'convert' ? ['convert', input, '-o', `${input}.pcapng`] : ['info', input];
        expectOneLineFailure(runCli(args, { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /downloaded in ASCII \(text\) mode.*download it again in binary/);
      }
      expectNoOutputLeft('ascii.bin');
    });
  });

  describe('damaged entries: skipped, counted with their offset, the rest converted', () => {
    async function expectSkipped(input: string, skipped: readonly number[], damagedAt: number): Promise<void> {
      const { run, output } = convertExpectingSuccess(input);
      expect(run.stderr).to.match(new RegExp(`skipped \\d+ damaged bytes in \\d+ range\\(s\\), first at offset ${damagedAt}\\b`));
      const kept = packets.filter((_, i) => !skipped.includes(i));
      const lengths = tsharkFields(output, ['frame.len']).map(([length]) => Number(length));
      expect(lengths).to.deep.equal(kept.map((p) => p.length));
      const { packets: read, summary } = await readAll(input);
      expect(read).to.have.length(kept.length);
      read.forEach((bytes, i) => expect(same(bytes, kept[i]!), `packet ${i + 1}`).to.equal(true));
      expect(summary.damagedRanges[0]?.fileOffset).to.equal(damagedAt);
    }

    it('a truncated final entry (a transfer cut short)', async () => {
      const whole = concatBytes(entries);
      await expectSkipped(file('cut.bin', whole.subarray(0, whole.length - 25)), [29], offsets[29]!);
    });

    it('a CTELENE that does not match CTELENP', async () => {
      const input = file('lene.bin', withDamagedEntry(12, (entry) => {
        entry[entry.length - 1] = entry[entry.length - 1]! ^ 0x01;
        return entry;
      }));
      await expectSkipped(input, [12], offsets[12]!);
    });

    it('a huge CTELENP (65535) at an entry start: no hang, the entry skipped, the next one found', async () => {
      const input = file('lenp.bin', withDamagedEntry(7, (entry) => {
        entry[0] = 0xff;
        entry[1] = 0xff;
        return entry;
      }));
      await expectSkipped(input, [7], offsets[7]!);
    });

    it('a CTELENP pointing past the end of the file', async () => {
      const input = file('past-end.bin', withDamagedEntry(29, (entry) => {
        new DataView(entry.buffer).setUint16(0, 60_000);
        return entry;
      }));
      await expectSkipped(input, [29], offsets[29]!);
    });

    it('a PTH_Len beyond the entry', async () => {
      const input = file('pthlen.bin', withDamagedEntry(3, (entry) => {
        new DataView(entry.buffer).setUint16(PTH_LEN_AT, 0x7fff);
        return entry;
      }));
      await expectSkipped(input, [3], offsets[3]!);
    });
  });

  describe('framing', () => {
    let rdwDataSet: Uint8Array;
    let allPackets: Uint8Array[];
    let lastEntry: Uint8Array;

    before(async () => {
      const many = await readFrames(new URL('real-tcp-ipv4.pcap', FIXTURES).pathname);
      allPackets = many.map(ipPacketOf);
      const manyEntries = packetEntriesFromFrames(many, { localAddresses: LOCAL });
      lastEntry = manyEntries[manyEntries.length - 1]!;
      rdwDataSet = buildDataSet(manyEntries, 'rdw');
      expect(rdwDataSet.length, 'several records, so RDWs fall inside entries').to.be.greaterThan(3 * 32756);
    });

    it('a truncated final record: the download looks incomplete, the entries before the cut converted', async () => {
      // Cut inside the last entry (what follows it in the last trace buffer is zero fill).
      const lastEntryAt = Buffer.from(rdwDataSet).lastIndexOf(Buffer.from(lastEntry));
      expect(lastEntryAt).to.be.greaterThan(0);
      const input = file('rdw-cut.bin', rdwDataSet.subarray(0, lastEntryAt + 50));
      const { run } = convertExpectingSuccess(input);
      expect(run.stderr).to.match(/framing rdw \(rdw: .*the download looks incomplete\)/);
      expect(run.stderr).to.match(/the file ends \d+ bytes before the end of this record/);
      const { packets: read } = await readAll(input);
      expect(read).to.have.length(allPackets.length - 1);
      read.forEach((bytes, i) => expect(same(bytes, allPackets[i]!), `packet ${i + 1}`).to.equal(true));
    });

    it('--framing raw on an RDW download: detection disagrees in the summary, entries cut by RDWs are skipped and counted', async () => {
      const input = file('rdw-as-raw.bin', rdwDataSet);
      const { run } = convertExpectingSuccess(input, ['--framing', 'raw']);
      expect(run.stderr).to.match(/framing raw \(as requested, though detection says rdw: /);
      expect(run.stderr).to.match(/skipped \d+ damaged bytes/);
      const { packets: read, summary } = await readAll(input, { framing: 'raw' });
      expect(read.length).to.be.within(allPackets.length - 10, allPackets.length - 1);
      expect(summary.damagedBytes).to.be.greaterThan(0);
      const wanted = new Set(allPackets.map((p) => Buffer.from(p).toString('hex')));
      for (const bytes of read) expect(wanted.has(Buffer.from(bytes).toString('hex')), 'only whole, true packets').to.equal(true);
    });

    it('--framing rdw on a raw download: the first descriptor is refused and the rest read as raw data', async () => {
      const input = file('raw-as-rdw.bin', buildDataSet(packetEntriesFromFrames(frames, { localAddresses: LOCAL }), 'raw'));
      const { run } = convertExpectingSuccess(input, ['--framing', 'rdw']);
      expect(run.stderr).to.match(/offset 0: .* not an RDW; the rest of the file is passed on as raw data/);
      const { packets: read } = await readAll(input, { framing: 'rdw' });
      expect(read).to.have.length(packets.length);
    });

    it('an RDW length pointing past the end of the file', async () => {
      const bytes = rdwDataSet.slice();
      new DataView(bytes.buffer).setUint16(0, 0xfff0); // the first record claims 65520 bytes
      const input = file('rdw-past-end.bin', bytes);
      const run = runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS });
      expectOrderly(run);
      expect(run.status, run.stderr).to.equal(ExitCode.OK);
      assertReadClean(runTool('tshark', ['-r', `${input}.pcapng`]), 'tshark');
    });
  });

  describe('IP lengths that lie: the packet written as traced, lengths per the IP header, tshark reads the file', () => {
    const ipWithLength = (length: number): Uint8Array => {
      const packet = packets[5]!.slice(); // an IPv4 TCP segment
      expect(packet[0]! >> 4).to.equal(4);
      new DataView(packet.buffer).setUint16(2, length);
      return packet;
    };

    function convertOne(name: string, packet: Uint8Array): string[][] {
      const input = file(name, buildPacketEntry({ packet, fields: { linkName: 'OSAQDIO4' } }));
      const { output } = convertExpectingSuccess(input);
      return tsharkFields(output, ['frame.cap_len', 'frame.len']);
    }

    it('an IP total length longer than the bytes traced: the packet is shorter than its original length', () => {
      const packet = ipWithLength(1500);
      expect(convertOne('ip-long.bin', packet)).to.deep.equal([[String(packet.length), '1500']]);
    });

    it('an IP total length shorter than the bytes traced: the bytes past it are dropped', () => {
      expect(convertOne('ip-short.bin', ipWithLength(40))).to.deep.equal([['40', '40']]);
    });

    it('an IP total length below the header length: the bytes kept as traced', () => {
      const packet = ipWithLength(8);
      expect(convertOne('ip-impossible.bin', packet)).to.deep.equal([[String(packet.length), String(packet.length)]]);
    });
  });

  describe('capture files (pcap) with a bad header', () => {
    const pcap = (): Uint8Array => readFileSync(new URL('real-mixed.pcap', FIXTURES));

    it('a header cut short: not read as a capture, and named as one', () => {
      const input = file('short-header.pcap', pcap().subarray(0, 20));
      for (const args of [['convert', input, '-o', `${input}.pcapng`], ['info', input]]) {
        expectOneLineFailure(runCli(args, { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /starts like a pcap capture, not a CTRACE data set/);
      }
      expect(existsSync(`${input}.pcapng`)).to.equal(false);
    });

    it('an unknown pcap version: exit 6 (a capture format zctrace does not read)', () => {
      const bytes = pcap().slice();
      new DataView(bytes.buffer).setUint16(4, 3, true);
      const input = file('version3.pcap', bytes);
      expectOneLineFailure(runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.UNSUPPORTED, input, /offset 4: pcap version 3\.\d+ is not supported/);
      expect(existsSync(`${input}.pcapng`)).to.equal(false);
    });

    it('a record length beyond any packet: exit 3 at the record, no output', () => {
      const bytes = pcap().slice();
      new DataView(bytes.buffer).setUint32(24 + 8, 0x7fffffff, true);
      const input = file('huge-record.pcap', bytes);
      expectOneLineFailure(runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /offset 24: pcap record 1: captured length \d+ exceeds the limit/);
      expect(existsSync(`${input}.pcapng`)).to.equal(false);
    });

    it('a capture cut short inside its last record: exit 3 at that record, no output', () => {
      const bytes = pcap();
      const input = file('cut.pcap', bytes.subarray(0, bytes.length - 10));
      expectOneLineFailure(runCli(['convert', input, '-o', `${input}.pcapng`], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /offset \d+: pcap record \d+: data truncated/);
      expect(existsSync(`${input}.pcapng`)).to.equal(false);
    });

    it('a pcap given to info: named as a capture, not a CTRACE data set', () => {
      const input = file('capture.pcap', pcap());
      expectOneLineFailure(runCli(['info', input], { timeoutMs: CLI_TIMEOUT_MS }), ExitCode.INPUT, input, /starts like a pcap capture/);
    });
  });
});
