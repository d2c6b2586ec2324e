/**
 * Received packets addressed to none of the stack's addresses (hostile.foreign_destination): the stack's
 * addresses come from what it sends (or the config's localAddresses), and a destination is fine when it
 * is one of them, the limited broadcast, multicast, or the directed broadcast of some subnet holding one.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Direction, TraceInterface, TracePacket } from '../src/model/trace-packet.js';
import { loadThresholds, withOverrides } from '../src/analysis/thresholds.js';
import { isDirectedBroadcastFor } from '../src/analysis/hostile/link-addresses.js';
import { discardReason, formatDiscard } from '../src/ctrace/code-tables.js';
import { ZctraceError } from '../src/errors.js';
import { analyze, findingsOf, ipv4, ipv6, packet, TEST_INTERFACE, udp } from './support/analysis-packets.js';
import { Random } from './support/seeded-random.js';

const RULE = 'hostile.foreign_destination';
const OWN = '10.1.1.1';
const PEER = '10.1.1.9';
/** 10.2.255.255: the broadcast of 10.2.0.0/16, no subnet of 10.1.1.1's. */
const FOREIGN = '10.2.255.255';
/** The default of foreignDestinationPackets. */
const THRESHOLD = 100;
/** An OSA adapter's discard code (1-4095). */
const OSA_DISCARD = discardReason(1);

interface Options {
  at: number;
  direction?: Direction;
  discarded?: boolean;
  link?: TraceInterface;
}

function datagram(source: string, destination: string, options: Options): TracePacket {
  const bytes = ipv4({ source, destination, protocol: 17, id: 1 + Math.round(options.at * 1000), payload: udp(137, 137, 50) });
  return packet(bytes, { at: options.at, direction: options.direction ?? 'inbound', interface: options.link, ctrace: options.discarded ? { discard: OSA_DISCARD } : {} });
}

/** `count` received datagrams from PEER to `destination`, 10 ms apart from `start`. */
function flood(destination: string, count: number, options: Partial<Options> & { start?: number; discardEvery?: number } = {}): TracePacket[] {
  const every = options.discardEvery ?? 0;
  return Array.from({ length: count }, (_, i) => datagram(PEER, destination, { ...options, at: (options.start ?? 0) + i * 0.01, discarded: every > 0 && i % every === 0 }));
}

/** One packet the stack sends from `source`: how the analysis learns its address. */
function sent(source: string, at: number, link?: TraceInterface): TracePacket {
  return datagram(source, PEER, { at, direction: 'outbound', link });
}

/** An IPv6 UDP datagram seen on the test interface. */
function ipv6Datagram(source: string, destination: string, at: number, direction: Direction): TracePacket {
  return packet(ipv6(source, destination, 17, udp(547, 547, 20)), { at, direction, interface: TEST_INTERFACE });
}

/** Directed broadcast by the definition: for some prefix p in 8..30, the first p bits are the own address's and the rest all ones. */
function directedBroadcastByDefinition(destination: number, own: number): boolean {
  for (let p = 8; p <= 30; p++) {
    const mask = (0xffffffff << (32 - p)) >>> 0;
    if (((destination & mask) >>> 0) === ((own & mask) >>> 0) && ((destination | mask) >>> 0) === 0xffffffff) return true;
  }
  return false;
}

function toNumber(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

describe('received packets addressed to none of the stack’s addresses (hostile.foreign_destination)', () => {
  it('reports a flood to another subnet’s broadcast, though it came before the stack sent anything', () => {
    const packets = [...flood(FOREIGN, 150, { discardEvery: 1 }), sent(OWN, 5)];
    const findings = findingsOf(analyze(packets), RULE);
    expect(findings).to.have.length(1);
    const finding = findings[0]!;
    expect(finding).to.include({ severity: 'error', count: 150, category: 'hostile' });
    expect(finding.subject).to.deep.equal({ interface: TEST_INTERFACE.name, host: PEER });
    expect(finding.details).to.include({ discarded: 150, inboundOnLink: 150 });
    expect(finding.details['destinations']).to.deep.equal([FOREIGN]);
    expect(finding.details['linkAddresses']).to.deep.equal([OWN]);
    expect(finding.title).to.contain(FOREIGN).and.contain('150 discarded');
    // A few of the packets as evidence, from the start of the flood.
    expect(finding.evidence.map((e) => e.frame)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(finding.evidence[0]!.note).to.equal(`to ${FOREIGN} from ${PEER}, discarded ${formatDiscard(OSA_DISCARD)}`);
  });

  it('lists its evidence packets in the packets table, though they were kept before the verdict', () => {
    const firstRows = 500; // packetsListedFirst
    // Not discarded: the discard finding would list them anyway.
    const packets = [sent(OWN, 0), ...flood(OWN, firstRows + 100, { start: 1 }), ...flood(FOREIGN, 150, { start: 20 })];
    const report = analyze(packets);
    const finding = findingsOf(report, RULE)[0]!;
    const frames = finding.evidence.map((e) => e.frame);
    expect(frames[0]).to.be.greaterThan(firstRows);
    const rows = new Set(report.packets.rows.map((row) => row.frame));
    expect(frames.filter((frame) => !rows.has(frame))).to.deep.equal([]);
  });

  it('says how many were discarded: an error when they are 10 % of the inbound packets or more, a warning below, a note when none was', () => {
    const severity = (discardEvery: number): string | undefined => findingsOf(analyze([sent(OWN, 0), ...flood(FOREIGN, 200, { start: 1, discardEvery })]), RULE)[0]?.severity;
    expect(severity(5)).to.equal('error'); // 40 of 200 discarded: 20 %
    expect(severity(20)).to.equal('warning'); // 10 of 200: 5 %
    expect(severity(0)).to.equal('note'); // none: perhaps a stack that forwards IP
    const none = findingsOf(analyze([sent(OWN, 0), ...flood(FOREIGN, 200, { start: 1 })]), RULE)[0]!;
    expect(none.details['discarded']).to.equal(0);
    expect(none.explanation).to.contain('forwards IP');
  });

  it('says nothing about packets to the stack’s own address, the limited broadcast, multicast or its subnets’ broadcasts', () => {
    // 10.1.1.1 is in 10.1.1.0/25 (broadcast .127), /24 (.255), /16 (10.1.255.255) and /8 (10.255.255.255).
    const fine = [OWN, '255.255.255.255', '224.0.0.251', '239.255.255.250', '10.1.1.127', '10.1.1.255', '10.1.255.255', '10.255.255.255'];
    const packets = [sent(OWN, 0), ...fine.flatMap((destination, i) => flood(destination, THRESHOLD * 2, { start: 1 + i * 10, discardEvery: 1 }))];
    expect(findingsOf(analyze(packets), RULE)).to.deep.equal([]);
  });

  it('says nothing below foreignDestinationPackets, and reports from it on (the threshold is configurable)', () => {
    expect(findingsOf(analyze([sent(OWN, 0), ...flood(FOREIGN, THRESHOLD - 1, { start: 1, discardEvery: 1 })]), RULE)).to.deep.equal([]);
    expect(findingsOf(analyze([sent(OWN, 0), ...flood(FOREIGN, THRESHOLD, { start: 1, discardEvery: 1 })]), RULE)).to.have.length(1);
    expect(findingsOf(analyze([sent(OWN, 0), ...flood(FOREIGN, 10, { start: 1, discardEvery: 1 })], { foreignDestinationPackets: 10 }), RULE)).to.have.length(1);
  });

  it('says nothing about a link the stack sent nothing on (no address to judge by), nor about packets it sends', () => {
    expect(findingsOf(analyze(flood(FOREIGN, 300, { discardEvery: 1 })), RULE), 'no outbound packet at all').to.deep.equal([]);
    const outboundOnly = [sent(OWN, 0), ...flood(FOREIGN, 300, { start: 1, direction: 'outbound' })];
    expect(findingsOf(analyze(outboundOnly), RULE), 'outbound only').to.deep.equal([]);
  });

  it('says nothing about packets of unknown direction (a pcap) or on the loopback link', () => {
    const unknown = [sent(OWN, 0), ...flood(FOREIGN, 300, { start: 1, direction: 'unknown' })];
    expect(findingsOf(analyze(unknown), RULE)).to.deep.equal([]);
    const loopback: TraceInterface = { ...TEST_INTERFACE, name: 'LOOPBACK' };
    const onLoopback = [sent('127.0.0.1', 0, loopback), ...flood('127.0.0.2', 300, { start: 1, link: loopback })];
    expect(findingsOf(analyze(onLoopback), RULE)).to.deep.equal([]);
  });

  it('takes an address the stack sends from on one link as its address on every link (a VIPA)', () => {
    const other: TraceInterface = { ...TEST_INTERFACE, name: 'OSAQDIO5' };
    const vipa = '10.9.9.9';
    const packets = [sent(OWN, 0), sent(vipa, 0.5, other), ...flood(vipa, 300, { start: 1, discardEvery: 1 })];
    expect(findingsOf(analyze(packets), RULE)).to.deep.equal([]);
  });

  it('judges by the addresses stated in the config (localAddresses) when the stack sends nothing', () => {
    expect(findingsOf(analyze(flood(FOREIGN, 150, { discardEvery: 1 }), { localAddresses: [OWN] }), RULE)).to.have.length(1);
    const toStated = flood('10.7.7.7', 150, { discardEvery: 1 });
    expect(findingsOf(analyze([sent(OWN, 0), ...toStated], { localAddresses: ['10.7.7.7'] }), RULE)).to.deep.equal([]);
  });

  it('reads localAddresses from a config file and refuses what is not an address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-foreign-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ thresholds: { foreignDestinationPackets: 5, localAddresses: ['10.1.1.1', '2001:db8::1'] } }));
      const thresholds = loadThresholds(good);
      expect(thresholds.foreignDestinationPackets).to.equal(5);
      expect(thresholds.localAddresses).to.deep.equal(['10.1.1.1', '2001:db8::1']);
      const beside = join(dir, 'beside.json');
      writeFileSync(beside, JSON.stringify({ thresholds: { scanDistinctPorts: 25 }, localAddresses: ['10.1.1.1'] }));
      expect(loadThresholds(beside).localAddresses).to.deep.equal(['10.1.1.1']);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ localAddresses: ['10.1.1.300'] }));
      expect(() => loadThresholds(bad)).to.throw(ZctraceError, /localAddresses/);
      expect(() => withOverrides({ localAddresses: '10.1.1.1' })).to.throw(ZctraceError, /list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('judges IPv6: multicast and the stack’s addresses are fine, another address is foreign', () => {
    const own = '2001:db8::1';
    const packets = [ipv6Datagram(own, '2001:db8::9', 0, 'outbound')];
    for (let i = 0; i < 150; i++) packets.push(ipv6Datagram('2001:db8::9', 'ff02::1:2', 1 + i * 0.01, 'inbound'), ipv6Datagram('2001:db8::9', own, 1 + i * 0.01, 'inbound'));
    expect(findingsOf(analyze(packets), RULE)).to.deep.equal([]);
    for (let i = 0; i < 150; i++) packets.push(ipv6Datagram('2001:db8::9', '2001:db8::77', 5 + i * 0.01, 'inbound'));
    const findings = findingsOf(analyze(packets), RULE);
    expect(findings).to.have.length(1);
    expect(findings[0]!.count).to.equal(150);
    expect(findings[0]!.details['destinations']).to.deep.equal(['2001:db8::77']);
    expect(findings[0]!.severity).to.equal('note'); // nothing says they were discarded
  });

  it('counts every packet of a flood to many destinations, beyond those it lists one by one', () => {
    const packets = [sent(OWN, 0)];
    for (let i = 0; i < 300; i++) packets.push(datagram(PEER, `10.${3 + (i % 150)}.0.${1 + Math.floor(i / 150)}`, { at: 1 + i * 0.01, discarded: true }));
    const finding = findingsOf(analyze(packets), RULE)[0]!;
    expect(finding.count).to.equal(300);
    expect(finding.details['discarded']).to.equal(300);
    const listed = (finding.details['destinations'] as string[]).length;
    expect(listed).to.be.greaterThan(0).and.below(150);
    expect(finding.details['packetsToDestinationsNotListed']).to.be.a('number').greaterThan(0);
  });
});

describe('directed broadcasts of the stack’s subnets, whatever the mask', () => {
  it('172.29.191.255 is no broadcast of a subnet of 172.29.96.20; its /30 … /8 broadcasts are', () => {
    const own = toNumber('172.29.96.20');
    expect(isDirectedBroadcastFor(toNumber('172.29.191.255'), own)).to.equal(false);
    for (const [address, why] of [
      ['172.29.96.23', '/30'],
      ['172.29.96.31', '/28'],
      ['172.29.96.255', '/24'],
      ['172.29.127.255', '/19'],
      ['172.29.255.255', '/16'],
      ['172.255.255.255', '/8'],
    ] as const) {
      expect(isDirectedBroadcastFor(toNumber(address), own), `${address} (${why})`).to.equal(true);
    }
    expect(isDirectedBroadcastFor(toNumber('172.29.96.21'), own), '/31 has no broadcast').to.equal(false);
    expect(isDirectedBroadcastFor(toNumber('172.29.96.20'), own), 'the address itself').to.equal(false);
  });

  it('agrees with the definition (some prefix 8..30 matching, host bits all ones) on random pairs', () => {
    const random = new Random(0x2026);
    for (let i = 0; i < 20_000; i++) {
      const own = Math.floor(random.next() * 2 ** 32);
      // Destinations near `own`: its bits with a random tail of ones, sometimes one bit flipped.
      const ones = random.below(33);
      let destination = (own | (2 ** ones - 1)) >>> 0;
      if (random.below(3) === 0) destination = (destination ^ (1 << random.below(32))) >>> 0;
      expect(isDirectedBroadcastFor(destination, own), `${destination.toString(16)} vs ${own.toString(16)}`).to.equal(directedBroadcastByDefinition(destination, own));
    }
  });
});
