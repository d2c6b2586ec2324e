import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { LinkType } from '../src/capture/link-types.js';
import { TcpAnalyzer } from '../src/analysis/tcp/tcp-analyzer.js';
import { MAX_UNACKED_SEGMENTS } from '../src/analysis/tcp/tcp-conversation.js';
import { TCP_ANALYSIS_FLAGS, TcpAnalysisFlag, retransmissionKind, tcpFlagMask, tcpFlagNames, worstSeverity } from '../src/analysis/tcp/tcp-flags.js';
import type { TcpAnalysisFlagName } from '../src/analysis/tcp/tcp-flags.js';
import { tsharkFields } from './support/tshark.js';
import { type BuiltFrame, TcpConversation, writePcap } from './support/tcp-frame-builder.js';
import { craftedCases } from './support/tcp-crafted-cases.js';

const FIXTURES = new URL('./fixtures/tcp/', import.meta.url).pathname;
const FIELDS = TCP_ANALYSIS_FLAGS.map((flag) => flag.field);
const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

interface Frame {
  frameNumber: number;
  linkType: number;
  data: Uint8Array;
  originalLength: number;
  timeSec: number;
  timeNsec: number;
}

async function readFrames(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of readCaptureFile(path)) frames.push({ ...frame, data: frame.data.slice() });
  return frames;
}

/** Frame number → flag mask, for the frames with any flag. */
type Flags = Map<number, number>;

function analyzeAll(frames: readonly Frame[], analyzer = new TcpAnalyzer()): Flags {
  const flags: Flags = new Map();
  for (const f of frames) {
    const mask = analyzer.analyzeFrame(f.data, f.linkType, f.originalLength, f.timeSec, f.timeNsec);
    if (mask !== 0) flags.set(f.frameNumber, mask);
  }
  return flags;
}

/** tshark's rows (frame number, then one column per flag field) as masks. */
function masksFromRows(rows: readonly string[][]): Flags {
  const flags: Flags = new Map();
  for (const row of rows) {
    let mask = 0;
    FIELDS.forEach((_, i) => {
      if ((row[i + 1] ?? '') !== '') mask |= TCP_ANALYSIS_FLAGS[i]?.bit ?? 0;
    });
    if (mask !== 0) flags.set(Number(row[0]), mask);
  }
  return flags;
}

function tsharkFlags(path: string): Flags {
  return masksFromRows(tsharkFields(path, ['frame.number', ...FIELDS]));
}

/** The stored tshark output written by capture-tcp-cases.sh (same columns). */
function baselineFlags(pcapPath: string): Flags {
  const text = readFileSync(pcapPath.replace(/\.pcap$/, '.tshark.txt'), 'utf8');
  return masksFromRows(text.split('\n').filter((line) => line !== '').map((line) => line.split('\t')));
}

/** "frame N: ours [...] tshark [...]" for every frame where the two disagree. */
function differences(ours: Flags, theirs: Flags): string[] {
  const frames = [...new Set([...ours.keys(), ...theirs.keys()])].sort((x, y) => x - y);
  return frames
    .filter((n) => (ours.get(n) ?? 0) !== (theirs.get(n) ?? 0))
    .map((n) => `frame ${n}: ours [${tcpFlagNames(ours.get(n) ?? 0).join(',')}] tshark [${tcpFlagNames(theirs.get(n) ?? 0).join(',')}]`);
}

function totals(flags: Flags): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const mask of flags.values()) for (const name of tcpFlagNames(mask)) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function union(flags: Flags): Set<TcpAnalysisFlagName> {
  return new Set([...flags.values()].flatMap(tcpFlagNames));
}

const REAL_CAPTURES = readdirSync(FIXTURES).filter((name) => name.endsWith('.pcap')).sort();

describe('TCP analysis matches tshark 4.0 on real captures', () => {
  const seen = new Set<TcpAnalysisFlagName>();

  for (const name of REAL_CAPTURES) {
    it(`${name}: the same flags on every frame${HAVE_TSHARK ? '' : ' (stored tshark output: tshark not installed)'}`, async () => {
      const path = join(FIXTURES, name);
      const ours = analyzeAll(await readFrames(path));
      const theirs = HAVE_TSHARK ? tsharkFlags(path) : baselineFlags(path);
      expect(differences(ours, theirs)).to.deep.equal([]);
      expect(totals(ours)).to.deep.equal(totals(theirs));
      if (HAVE_TSHARK) expect(differences(baselineFlags(path), theirs), 'stored .tshark.txt is stale').to.deep.equal([]);
      for (const flag of union(ours)) seen.add(flag);
    });
  }

  it('the captures show every flag a Linux stack produces (all but the 1-byte probe family)', () => {
    const linuxNever: TcpAnalysisFlagName[] = ['zero_window_probe', 'zero_window_probe_ack', 'ack_lost_segment'];
    const wanted = TCP_ANALYSIS_FLAGS.map((flag) => flag.name).filter((name) => !linuxNever.includes(name));
    expect([...seen].sort()).to.include.members(wanted);
  });
});

describe('TCP analysis on hand-made edge cases', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-tcp-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const seen = new Set<TcpAnalysisFlagName>();

  for (const crafted of craftedCases()) {
    const frames: Frame[] = crafted.frames.map((f, i) => ({ ...f, frameNumber: i + 1, linkType: LinkType.RAW }));
    const expected: Flags = new Map([...crafted.expected].map(([n, names]) => [n, tcpFlagMask(names)]));

    it(`${crafted.name}: the flags Wireshark's rules give`, () => {
      const ours = analyzeAll(frames);
      expect(differences(ours, expected)).to.deep.equal([]);
      for (const flag of union(ours)) seen.add(flag);
    });

    it(`${crafted.name}: tshark agrees`, function () {
      if (!HAVE_TSHARK) this.skip();
      const path = join(scratch, `${crafted.name.replace(/\W+/g, '-')}.pcap`);
      writePcap(path, LinkType.RAW, crafted.frames);
      expect(differences(tsharkFlags(path), expected)).to.deep.equal([]);
    });
  }

  it('together with the captures, every flag is exercised', () => {
    expect([...seen]).to.include.members(['zero_window_probe', 'zero_window_probe_ack', 'ack_lost_segment']);
  });
});

/** The same frame as raw IP: the link header (Ethernet + any VLAN tags) cut off. */
function asRawIp(frame: Frame): Frame {
  let at = 12;
  while (at + 2 <= frame.data.length && [0x8100, 0x88a8].includes((frame.data[at]! << 8) | frame.data[at + 1]!)) at += 4;
  const ip = frame.data.subarray(at + 2);
  const version = (ip[0] ?? 0) >> 4;
  const linkType = version === 6 ? LinkType.IPV6 : version === 4 ? LinkType.IPV4 : LinkType.RAW;
  return { ...frame, linkType, data: ip, originalLength: frame.originalLength - at - 2 };
}

describe('TCP analysis is the same on every link type', () => {
  for (const name of ['tcp-keepalive.pcap', 'tcp-port-reuse.pcap', 'tcp-bulk-client.pcap']) {
    it(`${name}: Ethernet (with its VLAN tags) and raw IP give the same flags`, async () => {
      const frames = await readFrames(join(FIXTURES, name));
      const ethernet = analyzeAll(frames);
      expect(ethernet.size).to.be.greaterThan(0);
      expect(differences(analyzeAll(frames.map(asRawIp)), ethernet)).to.deep.equal([]);
    });
  }

  it('ignores IP fragments and non-TCP frames', () => {
    const c = new TcpConversation({ address: '192.0.2.1', port: 1000 }, { address: '192.0.2.2', port: 80 });
    c.add({ from: 'a', atMs: 0, flags: 'S', seq: 1 });
    const fragment = c.frames[0]!.data.slice();
    fragment[6] = 0x20; // more fragments
    const udp = c.frames[0]!.data.slice();
    udp[9] = 17;
    const analyzer = new TcpAnalyzer();
    for (const data of [fragment, udp]) {
      expect(analyzer.analyzeFrame(data, LinkType.RAW, data.length, 0, 0)).to.equal(0);
      expect(analyzer.lastConnection).to.equal(null);
    }
    expect(analyzer.trackedConnections).to.equal(0);
  });
});

/** `count` connections (distinct client ports), each a SYN at its own second. */
function manyConnections(count: number, secondsApart: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) {
    const c = new TcpConversation({ address: '192.0.2.1', port: 10_000 + i }, { address: '192.0.2.2', port: 80 }, 1_700_000_000 + i * secondsApart);
    c.add({ from: 'a', atMs: 0, flags: 'S', seq: 1000 });
    frames.push({ ...c.frames[0]!, frameNumber: i + 1, linkType: LinkType.RAW });
  }
  return frames;
}

describe('TCP analysis keeps bounded state', () => {
  it('tracks at most maxConnections, forgetting the least recently used', () => {
    const analyzer = new TcpAnalyzer({ maxConnections: 50 });
    analyzeAll(manyConnections(1000, 0), analyzer);
    expect(analyzer.trackedConnections).to.equal(50);
    expect(analyzer.evictedConnections).to.equal(950);
  });

  it('forgets a connection idle longer than idleTimeoutSec', () => {
    const analyzer = new TcpAnalyzer({ idleTimeoutSec: 5 });
    analyzeAll(manyConnections(3, 10), analyzer);
    expect(analyzer.trackedConnections).to.equal(1);
    expect(analyzer.evictedConnections).to.equal(2);
  });

  it('remembers at most Wireshark\'s 10000 unacknowledged segments per direction', () => {
    const unacked = craftedCases().find((c) => c.name.startsWith('one-way'))!;
    const analyzer = new TcpAnalyzer();
    for (const f of unacked.frames) analyzer.analyzeFrame(f.data, LinkType.RAW, f.originalLength, f.timeSec, f.timeNsec);
    expect(analyzer.lastConnection?.flowA.unacked.count).to.equal(MAX_UNACKED_SEGMENTS);
  });
});

describe('TCP analysis flags as data', () => {
  it('names, masks and severities round-trip', () => {
    const mask = tcpFlagMask(['fast_retransmission', 'retransmission', 'window_update']);
    expect(tcpFlagNames(mask)).to.deep.equal(['retransmission', 'fast_retransmission', 'window_update']);
    expect(retransmissionKind(mask)).to.equal('fast_retransmission');
    expect(retransmissionKind(TcpAnalysisFlag.RETRANSMISSION)).to.equal('retransmission');
    expect(worstSeverity(mask)).to.equal('note');
    expect(worstSeverity(TcpAnalysisFlag.WINDOW_UPDATE)).to.equal('chat');
    expect(worstSeverity(mask | TcpAnalysisFlag.LOST_SEGMENT)).to.equal('warning');
    expect(new Set(TCP_ANALYSIS_FLAGS.map((flag) => flag.bit)).size).to.equal(TCP_ANALYSIS_FLAGS.length);
  });

  it('every flag is a field tshark knows', function () {
    if (!HAVE_TSHARK) this.skip();
    const glossary = spawnSync('tshark', ['-G', 'fields'], { encoding: 'utf8', maxBuffer: 512 << 20 }).stdout;
    for (const flag of TCP_ANALYSIS_FLAGS) expect(glossary).to.include(`\t${flag.description}\t${flag.field}\t`);
  });
});

/** Simple traffic: `connections` interleaved bulk transfers, in order, one ACK per two segments. */
function simpleTraffic(connections: number, segmentsEach: number): BuiltFrame[] {
  const all: BuiltFrame[][] = [];
  for (let k = 0; k < connections; k++) {
    const c = new TcpConversation({ address: '192.0.2.1', port: 20_000 + k }, { address: '192.0.2.2', port: 443 });
    c.add({ from: 'a', atMs: 0, flags: 'S', seq: 100 });
    c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 900, ack: 101 });
    c.add({ from: 'a', atMs: 2, flags: 'A', seq: 101, ack: 901 });
    for (let i = 0; i < segmentsEach; i++) {
      // Header-only frames that say 1448 bytes followed, as a snapped capture shows them.
      const n = c.add({ from: 'b', atMs: 3 + i * 0.1, flags: 'A', seq: 901 + i * 1448, ack: 101, ipLengthField: 1488 });
      c.frames[n - 1]!.originalLength = 1488;
      if (i % 2 === 1) c.add({ from: 'a', atMs: 3.05 + i * 0.1, flags: 'A', seq: 101, ack: 901 + (i + 1) * 1448 });
    }
    all.push(c.frames);
  }
  const frames: BuiltFrame[] = [];
  for (let i = 0; i < (all[0]?.length ?? 0); i++) for (const list of all) frames.push(list[i]!);
  return frames;
}

describe('TCP analysis speed', () => {
  it('analyses simple traffic at well over 300 k packets/s (about 1 M+ on a modern core)', () => {
    const frames = simpleTraffic(64, 2000);
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const analyzer = new TcpAnalyzer();
      const started = process.hrtime.bigint();
      let flagged = 0;
      for (const f of frames) flagged += analyzer.analyzeFrame(f.data, LinkType.RAW, f.originalLength, f.timeSec, f.timeNsec) === 0 ? 0 : 1;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      expect(flagged).to.equal(0);
      best = Math.max(best, frames.length / seconds);
    }
    console.log(`      TCP analysis: ${(best / 1e6).toFixed(2)} M packets/s over ${frames.length} packets`);
    expect(best).to.be.greaterThan(300_000);
  });
});

describe('TCP analysis forgets ended connections sooner than open ones', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-tcp-linger-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const SERVER = { address: '192.0.2.2', port: 80 };

  /** A handshake at `startSec` on client port `port`, and when `close`, the FIN exchange right after it. */
  function session(port: number, startSec: number, isn: number, close: boolean): BuiltFrame[] {
    const c = new TcpConversation({ address: '192.0.2.1', port }, SERVER, startSec);
    c.add({ from: 'a', atMs: 0, flags: 'S', seq: isn });
    c.add({ from: 'b', atMs: 1, flags: 'SA', seq: 5000, ack: isn + 1 });
    c.add({ from: 'a', atMs: 2, flags: 'A', seq: isn + 1, ack: 5001 });
    if (close) {
      c.add({ from: 'a', atMs: 3, flags: 'FA', seq: isn + 1, ack: 5001 });
      c.add({ from: 'b', atMs: 4, flags: 'FA', seq: 5001, ack: isn + 2 });
      c.add({ from: 'a', atMs: 5, flags: 'A', seq: isn + 2, ack: 5002 });
    }
    return c.frames;
  }

  const numbered = (frames: readonly BuiltFrame[]): Frame[] => frames.map((f, i) => ({ ...f, frameNumber: i + 1, linkType: LinkType.RAW }));

  it('a SYN on the ports of a connection that ended 10 s before is a reused port, as tshark says; 40 s after, a new connection', function () {
    const soon = [...session(40000, 1_700_000_000, 100, true), ...session(40000, 1_700_000_010, 900_000, false)];
    const late = [...session(40000, 1_700_000_000, 100, true), ...session(40000, 1_700_000_040, 900_000, false)];
    const reused = (frames: readonly BuiltFrame[]): number[] =>
      [...analyzeAll(numbered(frames), new TcpAnalyzer({ closedTimeoutSec: 30 }))].filter(([, mask]) => (mask & TcpAnalysisFlag.REUSED_PORTS) !== 0).map(([n]) => n);
    expect(reused(soon)).to.deep.equal([7]);
    expect(reused(late), 'forgotten 30 s after its end: Wireshark, keeping every connection, would flag frame 7').to.deep.equal([]);
    if (!HAVE_TSHARK) this.skip();
    const path = join(scratch, 'reuse-soon.pcap');
    writePcap(path, LinkType.RAW, soon);
    expect([...tsharkFlags(path)].filter(([, mask]) => (mask & TcpAnalysisFlag.REUSED_PORTS) !== 0).map(([n]) => n)).to.deep.equal([7]);
  });

  it('keeps an idle open connection while ended ones go, and past the cap forgets ended ones first', () => {
    const forgotten: number[] = [];
    const analyzer = new TcpAnalyzer({ closedTimeoutSec: 30, idleTimeoutSec: 3600, maxConnections: 2, onForget: (c) => forgotten.push(c.portA) });
    const open = session(41000, 1_700_000_000, 100, false); // opened first, then idle
    const ended = session(42000, 1_700_000_001, 100, true);
    const third = session(43000, 1_700_000_002, 100, false);
    analyzeAll(numbered([...open, ...ended, ...third]), analyzer);
    expect(forgotten, 'over the cap of 2: the ended connection, though the open one was used less recently').to.deep.equal([42000]);
    const idle = new TcpAnalyzer({ closedTimeoutSec: 30, idleTimeoutSec: 3600, onForget: (c) => forgotten.push(c.portA) });
    analyzeAll(numbered([...open, ...ended, ...session(44000, 1_700_000_100, 100, false)]), idle);
    expect(forgotten.slice(1), '100 s later: the ended connection is forgotten, the open one still tracked').to.deep.equal([42000]);
    expect(idle.trackedConnections).to.equal(2);
  });
});
