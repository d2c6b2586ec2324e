/**
 * `zctrace convert` and `zctrace info` end to end, as a user runs them: real traffic captured between
 * network namespaces, re-expressed as a SYSTCPDA packet trace in every download framing, converted back
 * and checked byte for byte against the capture and against tshark's and capinfos' reading.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { assertReadClean, capinfos, runTool, tsharkExpert, tsharkFields } from './support/tshark.js';
import { readCaptureFile, type CapturedFrame } from '../src/capture/capture-file-reader.js';
import {
  buildDataSet,
  ipPacketOf,
  packetEntriesFromFrames,
  readFrames,
  SAMPLE_FRAMINGS,
  type TraceFromCaptureOptions,
} from './support/trace-from-capture.js';
import { buildPacketEntry } from './support/packet-trace-builder.js';
import { concatBytes } from './support/cte-builder.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const LOCAL = ['198.51.100.1', '2001:db8:0:0:0:0:0:1'];
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

async function outputFrames(path: string): Promise<CapturedFrame[]> {
  const frames: CapturedFrame[] = [];
  for await (const frame of readCaptureFile(path)) frames.push({ ...frame, data: frame.data.slice() });
  return frames;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe('zctrace convert and info, end to end', function () {
  let dir: string;
  let frames: CapturedFrame[];
  const traceOptions: TraceFromCaptureOptions = { localAddresses: LOCAL };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-cli-'));
    frames = [
      ...(await readFrames(new URL('real-tcp-ipv4.pcap', FIXTURES).pathname)),
      ...(await readFrames(new URL('real-mixed.pcap', FIXTURES).pathname)),
    ];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function writeDataSet(name: string, bytes: Uint8Array): string {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  }

  describe('real traffic captured by tcpdump, back from CTRACE byte-identical', () => {
    for (const framing of SAMPLE_FRAMINGS) {
      it(`${framing} download: every packet, byte for byte, time, interface and direction`, async () => {
        const input = writeDataSet(`real-${framing}.bin`, buildDataSet(packetEntriesFromFrames(frames, traceOptions), framing));
        const output = join(dir, `real-${framing}.pcapng`);
        const run = runCli(['convert', input, '-o', output]);
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stderr).to.match(new RegExp(`framing ${framing === 'spanned' ? 'rdw' : framing}`));

        const back = await outputFrames(output);
        expect(back).to.have.length(frames.length);
        back.forEach((frame, i) => {
          const original = frames[i]!;
          const ip = ipPacketOf(original);
          expect(sameBytes(frame.data, ip), `packet ${i + 1} bytes`).to.equal(true);
          expect(frame.originalLength).to.equal(ip.length);
          expect([frame.timeSec, frame.timeNsec]).to.deep.equal([original.timeSec, original.timeNsec]);
        });

        // tshark's own reading: interface names, directions and the comment of every packet.
        const rows = tsharkFields(output, ['frame.interface_name', 'frame.packet_flags_direction', 'ip.src', 'ipv6.src', 'frame.comment']);
        expect(rows).to.have.length(frames.length);
        rows.forEach(([name, direction, v4, v6, comment], i) => {
          const source = v4 !== '' ? v4 : v6;
          const local = source === '198.51.100.1' || source === '2001:db8::1';
          expect(name).to.equal(v4 !== '' ? 'OSAQDIO4' : 'OSAQDIO6');
          expect(direction, `packet ${i + 1}`).to.equal(local ? '0x00000002' : '0x00000001');
          expect(comment).to.match(new RegExp(`^rec=${i + 1} fmt=4 dev=${v4 !== '' ? 'MPC_IP_AQENET' : 'IPAQENET6'}`));
        });
        const facts = capinfos(output);
        expect(facts.get('Number of packets')).to.equal(String(frames.length));
        expect(facts.get('File timestamp precision')).to.match(/nanoseconds/);
      });
    }

    it('adds no expert warning or error that the original capture does not have', () => {
      const input = writeDataSet('real-expert.bin', buildDataSet(packetEntriesFromFrames(frames, traceOptions), 'rdw'));
      const output = join(dir, 'real-expert.pcapng');
      expect(runCli(['convert', input, '-o', output, '-q']).status).to.equal(0);
      const original = join(dir, 'original.pcap');
      writeFileSync(original, readFileSync(new URL('real-tcp-ipv4.pcap', FIXTURES)));
      const originalMixed = new URL('real-mixed.pcap', FIXTURES).pathname;
      const ours = tsharkExpert(output);
      const theirs = [tsharkExpert(original), tsharkExpert(originalMixed)];
      expect(ours.errors, ours.text).to.equal(theirs[0]!.errors + theirs[1]!.errors);
      expect(ours.warnings, ours.text).to.equal(theirs[0]!.warnings + theirs[1]!.warnings);
    });
  });

  describe('pcap output', () => {
    for (const precision of ['us', 'ns'] as const) {
      it(`writes ${precision} timestamps that tshark reads to the ${precision === 'us' ? 'micro' : 'nano'}second`, () => {
        const input = writeDataSet(`pcap-${precision}.bin`, buildDataSet(packetEntriesFromFrames(frames.slice(0, 40), traceOptions), 'raw'));
        const output = join(dir, `out-${precision}.pcap`);
        const run = runCli(['convert', input, '-o', output, '--precision', precision, '-q']);
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stderr).to.equal('');
        const facts = capinfos(output);
        expect(facts.get('File type')).to.equal(precision === 'us' ? 'pcap' : 'nsecpcap'); // capinfos -M names
        expect(facts.get('File encapsulation')).to.equal('rawip');
        const times = tsharkFields(output, ['frame.time_epoch']).map(([t]) => t);
        times.forEach((t, i) => {
          const f = frames[i]!;
          expect(t).to.equal(`${f.timeSec}.${String(f.timeNsec).padStart(9, '0')}`);
        });
      });
    }

    it('--snaplen cuts packets and keeps their original length', () => {
      const input = writeDataSet('snap.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 60), traceOptions), 'rdw'));
      const output = join(dir, 'snap.pcap');
      expect(runCli(['convert', input, '-o', output, '--snaplen', '64', '-q']).status).to.equal(0);
      const rows = tsharkFields(output, ['frame.cap_len', 'frame.len']);
      rows.forEach(([cap, len], i) => {
        const ipLength = ipPacketOf(frames[i]!).length;
        expect(Number(len)).to.equal(ipLength);
        expect(Number(cap)).to.equal(Math.min(64, ipLength));
      });
      expect(capinfos(output).get('Packet size limit')).to.match(/file hdr: 64 bytes/);
    });
  });

  describe('CTRACE facts in the capture', () => {
    it('truncated (ABBREV), segmented and discarded packets: lengths, bytes and comments', async () => {
      // The first full-sized data segment of the HTTP transfer is cut into three entries.
      const big = frames.findIndex((f) => ipPacketOf(f).length > 1000);
      expect(big).to.be.within(6, 20);
      const options: TraceFromCaptureOptions = {
        localAddresses: LOCAL,
        decorate(_t, index) {
          if (index === 5) return { truncateTo: 60, padByte: false };
          if (index === big) return { segmentPieces: [100, 150] };
          if (index === 3) return { fields: { discardCode: 4114 } };
          return {};
        },
      };
      const input = writeDataSet('facts.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 24), options), 'bdw'));
      const output = join(dir, 'facts.pcapng');
      expect(runCli(['convert', input, '-o', output, '-q']).status).to.equal(0);
      const rows = tsharkFields(output, ['frame.cap_len', 'frame.len', 'frame.comment']);
      expect(rows).to.have.length(24);
      const ip = (i: number): Uint8Array => ipPacketOf(frames[i]!);
      expect(rows[5]!.slice(0, 2)).to.deep.equal(['60', String(ip(5).length)]);
      expect(rows[5]![2]).to.include(`trunc=60/${ip(5).length}`);
      expect(rows[big]!.slice(0, 2)).to.deep.equal([String(ip(big).length), String(ip(big).length)]);
      expect(rows[big]![2]).to.not.include('trunc=');
      expect(rows[3]![2]).to.include('discard=4114/IP_MAC_BRDCST');
      const back = await outputFrames(output);
      expect(sameBytes(back[big]!.data, ip(big))).to.equal(true);
      expect(sameBytes(back[5]!.data, ip(5).subarray(0, 60))).to.equal(true);
    });

    it("IBM's ICMP vector (contract section 9): checksums good, time to the microsecond", () => {
      const icmp = hex('45000028 00004000 3E015914 092A6947 092A6826 08005592 0B3F0000 AEBCDB3D 03340A00 00000000');
      const entry = buildPacketEntry({
        packet: icmp,
        fields: { captureTod: { todHigh: 0xb88f32a5, todLow: 0x0a3c7000 }, linkName: 'ETH1', asid: 0x01f7 },
        entryTime: { sec: Date.UTC(2002, 10, 20, 17, 38, 32) / 1000, nsec: 175_600_000 },
      });
      const input = writeDataSet('ibm.bin', buildDataSet([entry], 'raw'));
      const output = join(dir, 'ibm.pcapng');
      expect(runCli(['convert', input, '-o', output, '-q']).status).to.equal(0);
      const rows = tsharkFields(output, ['frame.time_epoch', 'ip.checksum.status', 'icmp.checksum.status', 'icmp.ident', 'frame.interface_name', 'frame.comment'], {
        prefs: { 'ip.check_checksum': 'TRUE' },
      });
      expect(rows).to.have.length(1);
      const [time, ipStatus, icmpStatus, ident, name, comment] = rows[0]!;
      expect(time).to.equal('1037813912.175559000');
      expect([ipStatus, icmpStatus, ident, name]).to.deep.equal(['1', '1', String(0x0b3f), 'ETH1']);
      expect(comment).to.include('asid=01F7');
    });
  });

  describe('damaged data sets', () => {
    it('resynchronises over garbage between entries: all packets kept, the damage reported with its offset', async () => {
      const entries = packetEntriesFromFrames(frames.slice(0, 30), traceOptions);
      const garbage = Uint8Array.from({ length: 777 }, (_, i) => (i * 73 + 11) & 0xff);
      const before = concatBytes(entries.slice(0, 15));
      const input = writeDataSet('garbage.bin', concatBytes([before, garbage, ...entries.slice(15)]));
      const output = join(dir, 'garbage.pcapng');
      const run = runCli(['convert', input, '-o', output]);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/skipped|damaged/i);
      expect((await outputFrames(output)).length).to.equal(30);

      const info = runCli(['info', input, '--json']);
      expect(info.status, info.stderr).to.equal(0);
      const summary = JSON.parse(info.stdout) as { damagedBytes: number; damagedRanges: { fileOffset: number; length: number }[]; packets: number };
      expect(summary.packets).to.equal(30);
      expect(summary.damagedBytes).to.equal(777);
      expect(summary.damagedRanges[0]).to.include({ fileOffset: before.length, length: 777 });
    });

    it('a damaged entry never becomes a broken packet: a cut-short entry is skipped, the rest read back clean', async () => {
      const entries = packetEntriesFromFrames(frames.slice(0, 20), traceOptions);
      const cut = entries[10]!.subarray(0, entries[10]!.length - 30);
      const input = writeDataSet('cut.bin', concatBytes([...entries.slice(0, 10), cut, ...entries.slice(11)]));
      const output = join(dir, 'cut.pcapng');
      expect(runCli(['convert', input, '-o', output, '-q']).status).to.equal(0);
      const back = await outputFrames(output);
      expect(back).to.have.length(19);
      const expected = [...frames.slice(0, 10), ...frames.slice(11, 20)].map(ipPacketOf);
      back.forEach((frame, i) => expect(sameBytes(frame.data, expected[i]!), `packet ${i + 1}`).to.equal(true));
      assertReadClean(runTool('tshark', ['-r', output]), 'tshark');
    });
  });

  describe('errors: one line naming the file, an exit code, no output left behind', () => {
    function expectFailure(args: string[], status: number, pattern: RegExp): void {
      const run = runCli(args);
      expect(run.status, run.stderr).to.equal(status);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).to.have.length(1);
      expect(lines[0]).to.match(pattern);
    }

    it('a missing input: exit 3', () => {
      const missing = join(dir, 'nope.bin');
      expectFailure(['convert', missing, '-o', join(dir, 'nope.pcapng')], 3, new RegExp(`^zctrace: ${missing}: `));
      expect(readdirSync(dir)).to.not.include('nope.pcapng');
    });

    it('an empty input: exit 3', () => {
      const empty = writeDataSet('empty.bin', new Uint8Array(0));
      expectFailure(['convert', empty, '-o', join(dir, 'empty.pcapng')], 3, new RegExp(`^zctrace: ${empty}: .*empty`));
      expect(readdirSync(dir)).to.not.include('empty.pcapng');
    });

    it('a file without a single trace entry (text, zeros): exit 3, offset named', () => {
      const text = writeDataSet('text.bin', new TextEncoder().encode('this is not a trace\n'.repeat(500)));
      expectFailure(['convert', text, '-o', join(dir, 'text.pcapng')], 3, new RegExp(`^zctrace: ${text}: offset \\d+: no valid trace entry`));
      const zeros = writeDataSet('zeros.bin', new Uint8Array(100_000));
      expectFailure(['info', zeros], 3, new RegExp(`^zctrace: ${zeros}: offset \\d+: no valid trace entry`));
      expect(readdirSync(dir).filter((f) => f.startsWith('text.pcapng'))).to.deep.equal([]);
    });

    it('an unknown field in a --layout file: exit 5, the layout file named', () => {
      const input = writeDataSet('layout-in.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 3), traceOptions), 'raw'));
      const layout = join(dir, 'bad-layout.json');
      writeFileSync(layout, JSON.stringify({ headers: { pthdr: { fields: { nosuchField: { offset: 4 } } } } }));
      expectFailure(['convert', input, '-o', join(dir, 'layout.pcapng'), '--layout', layout], 5, new RegExp(`^zctrace: ${layout}: .*nosuchField`));
      expectFailure(['info', input, '--layout', join(dir, 'no-layout.json')], 3, /no-layout\.json/);
      expect(readdirSync(dir)).to.not.include('layout.pcapng');
    });

    it('an output that cannot be written: exit 4, nothing left in the directory', function () {
      if (process.getuid?.() === 0) {
        // root writes through permissions: use a path under a regular file instead.
        const input = writeDataSet('unwritable-in.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 3), traceOptions), 'raw'));
        const blocker = writeDataSet('blocker', new Uint8Array([1]));
        expectFailure(['convert', input, '-o', join(blocker, 'out.pcapng')], 4, /blocker\/out\.pcapng/);
        return;
      }
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      const input = writeDataSet('unwritable-in.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 3), traceOptions), 'raw'));
      expectFailure(['convert', input, '-o', join(locked, 'out.pcapng')], 4, /locked\/out\.pcapng/);
      expect(readdirSync(locked)).to.deep.equal([]);
    });

    it('a bad option: exit 2', () => {
      const run = runCli(['convert', join(dir, 'x.bin'), '-o', join(dir, 'x.pcapng'), '--framing', 'zigzag']);
      expect(run.status).to.equal(2);
      expect(run.stderr).to.match(/framing/);
    });
  });

  describe('info', () => {
    it('--json gives framing, component, records by format, time range, interfaces and discards', () => {
      const options: TraceFromCaptureOptions = {
        localAddresses: LOCAL,
        decorate: (_t, index) => (index % 50 === 0 ? { fields: { discardCode: 4102 } } : {}),
      };
      const entries = packetEntriesFromFrames(frames, options);
      const input = writeDataSet('info.bin', buildDataSet(entries, 'spanned'));
      const run = runCli(['info', input, '--json']);
      expect(run.status, run.stderr).to.equal(0);
      const s = JSON.parse(run.stdout) as {
        framing: string;
        component: string;
        entries: number;
        entriesByFormat: { formatId: number; entries: number }[];
        packets: number;
        firstPacketTime: string;
        lastPacketTime: string;
        interfaces: { name: string; packets: number; inbound: number; outbound: number; deviceName: string }[];
        discards: { code: number; name: string; packets: number }[];
      };
      expect(s).to.include({ framing: 'rdw', component: 'SYSTCPDA', entries: frames.length, packets: frames.length });
      expect(s.entriesByFormat).to.deep.equal([{ formatId: 4, label: '4 (PTHIdPkt)', entries: frames.length }]);
      const times = frames.map((f) => f.timeSec * 1e9 + f.timeNsec);
      expect(Date.parse(s.firstPacketTime)).to.equal(Math.floor(Math.min(...times) / 1e6));
      expect(Date.parse(s.lastPacketTime)).to.equal(Math.floor(Math.max(...times) / 1e6));
      const v4 = frames.filter((f) => ipPacketOf(f)[0]! >> 4 === 4).length;
      const byName = new Map(s.interfaces.map((i) => [i.name, i]));
      expect(byName.get('OSAQDIO4')).to.include({ packets: v4, deviceName: 'MPC IP AQENET' });
      expect(byName.get('OSAQDIO6')).to.include({ packets: frames.length - v4, deviceName: 'IPAQENET6' });
      expect(s.discards).to.deep.equal([{ code: 4102, name: 'IP_BAD_CKSUM', layer: 'interface and IP', packets: Math.ceil(frames.length / 50) }]);
    });

    it('the text form names the framing, the interfaces and the skipped bytes', () => {
      const input = writeDataSet('info-text.bin', buildDataSet(packetEntriesFromFrames(frames.slice(0, 10), traceOptions), 'bdw'));
      const run = runCli(['info', input]);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^framing\s+bdw/m);
      expect(run.stdout).to.match(/OSAQDIO4\s+MPC IP AQENET\s+10/);
      expect(run.stdout).to.match(/zero fill/);
    });
  });
});
