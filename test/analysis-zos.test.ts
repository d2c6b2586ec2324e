/**
 * z/OS exceptions (analysis.md §4): discards by code from real CTRACE data sets, IDS events grouped by
 * correlator, capture damage and truncation making the evidence incomplete, AT-TLS confidential and
 * clear-text records.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { buildPacketEntry, buildSegmentedEntries, type PacketEntrySpec } from './support/packet-trace-builder.js';
import { captureWarnings } from '../src/report/input-facts.js';
import { describeReadProblems } from '../src/cli/describe-read.js';
import type { ReadSummary } from '../src/ctrace/read-summary.js';
import { concatBytes } from './support/cte-builder.js';
import { analyze, findingsOf, ipv4, packet, tcpHeader, udp } from './support/analysis-packets.js';
import type { Report } from '../src/report/report-model.js';

const UDP = 17;
const TCP = 6;
const START = { sec: 1_700_000_000, nsec: 0 };

/** The published NBNS broadcast (172.29.96.93:137 → 172.29.191.255:137, 78 bytes) with TTL `ttl`. */
function nbns(ttl: number): Uint8Array {
  return ipv4({ source: '172.29.96.93', destination: '172.29.191.255', protocol: UDP, id: 0x0135, ttl, payload: udp(137, 137, 50) });
}

function entry(data: Uint8Array, index: number, extra: Partial<PacketEntrySpec> & { discardCode?: number } = {}): Uint8Array {
  const { discardCode, ...rest } = extra;
  return buildPacketEntry({
    packet: data,
    fields: {
      linkName: 'OSDL',
      deviceType: 39,
      captureTime: { sec: START.sec, nsec: index * 800_000 },
      traceCount: index + 1,
      ...(discardCode === undefined ? {} : { discardCode }),
    },
    ...rest,
  });
}

describe('analysis: z/OS exceptions', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-zos-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function analyzeDataSet(name: string, entries: Uint8Array[]): Promise<Report> {
    const path = join(dir, name);
    writeFileSync(path, concatBytes(entries));
    return analyzeInputs([path], { readOptions: DEFAULT_READ_OPTIONS });
  }

  describe('discarded packets', () => {
    it('127 NBNS broadcasts discarded 4114 IP_MAC_BRDCST on OSDL: one discard storm, and the routing loop', async () => {
      const report = await analyzeDataSet('discards.bin', Array.from({ length: 127 }, (_, i) => entry(nbns(127 - i), i, { discardCode: 4114 })));
      const [discard] = findingsOf(report, 'zos.discard');
      expect(discard).to.include({ severity: 'error', count: 127 });
      expect(discard!.subject).to.deep.equal({ interface: 'OSDL', host: '172.29.96.93' });
      expect(discard!.details).to.deep.include({ code: 4114, name: 'IP_MAC_BRDCST', discardedBy: 'TCP/IP stack' });
      expect(discard!.explanation).to.match(/locally administered MAC address/);
      expect(discard!.evidence[0]).to.include({ frame: 1, record: 1 });
      expect(findingsOf(report, 'hostile.routing_loop')).to.have.length(1);
    });

    it('a few discards are a warning; an OSA code is named as the adapter’s; undiscarded packets give none', async () => {
      const entries = [
        entry(nbns(64), 0, { discardCode: 4114 }),
        entry(nbns(64), 1, { discardCode: 12 }),
        entry(ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: UDP, id: 9, payload: udp(1000, 2000, 10) }), 2),
      ];
      const report = await analyzeDataSet('few.bin', entries);
      const discards = findingsOf(report, 'zos.discard');
      expect(discards.map((d) => [d.severity, d.details['code'], d.details['discardedBy']])).to.deep.equal([
        ['warning', 12, 'OSA adapter'],
        ['warning', 4114, 'TCP/IP stack'],
      ]);
    });
  });

  describe('IDS events', () => {
    /** SYSTCPIS packets as the IDS decoder hands them: format ID = probe ID, the facts in the extras. */
    function idsPacket(probe: number, port: number, at: number, extra: Record<string, string | number>): ReturnType<typeof packet> {
      const data = ipv4({ source: '50.79.43.252', destination: '192.86.33.199', protocol: TCP, ttl: 34, payload: tcpHeader(53, port, 0x02, 1998194860) });
      const hex = probe.toString(16).toUpperCase().padStart(8, '0');
      return packet(data, { at, ctrace: { component: 'SYSTCPIS', formatId: probe, extra: { ids: hex, ...extra } } });
    }

    it('the published scan event: records of correlator 2 become one finding with its probes and rule', () => {
      const rule = { correlator: 2, rule: 'ScanEventLowTcp-rule' };
      const packets = [53, 256, 23, 1720, 113, 993, 1025, 3389, 3306, 8080, 143, 1723].map((port, i) => idsPacket(0x03020002, port, i * 0.005, rule));
      packets.push(idsPacket(0x03020020, 21, 0.07, rule));
      const report = analyze(packets);
      const events = findingsOf(report, 'zos.ids_scan');
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ severity: 'warning', count: 13 });
      expect(events[0]!.details['correlator']).to.equal('2');
      expect(events[0]!.details['rules']).to.deep.equal(['ScanEventLowTcp-rule']);
      expect((events[0]!.details['probes'] as string[]).map((p) => p.slice(0, 8))).to.deep.equal(['03020002', '03020020']);
      expect(events[0]!.details['destinationPorts']).to.have.length(13);
    });

    it('an attack probe is an error; different correlators are different events', () => {
      const report = analyze([
        idsPacket(0x04010006, 80, 0, { correlator: 7, rule: 'AttackMalformed-rule', action: 'Attack-action' }),
        idsPacket(0x03030000, 80, 1, { correlator: 8 }),
      ]);
      expect(findingsOf(report, 'zos.ids_attack').map((f) => [f.severity, f.details['correlator']])).to.deep.equal([['error', '7']]);
      expect(findingsOf(report, 'zos.ids_scan').map((f) => [f.severity, f.details['correlator']])).to.deep.equal([['note', '8']]);
    });

    it('IDS copies of packets the packet trace also holds are not analysed as traffic a second time', () => {
      const wire = ipv4({ source: '50.79.43.252', destination: '192.86.33.199', protocol: TCP, ttl: 34, payload: tcpHeader(53, 23, 0x02, 1998194860) });
      const report = analyze([packet(wire, { at: 0 }), idsPacket(0x03020002, 23, 0.000001, { correlator: 2 })]);
      expect(report.tcpAnalysis.retransmission).to.equal(0);
      expect(report.connections.total).to.equal(1);
      expect(findingsOf(report, 'zos.ids_scan')).to.have.length(1);
      expect(report.overview.packets).to.equal(2);
    });

    it('records without a correlator are still reported, grouped by probe and source', () => {
      const report = analyze([idsPacket(0x03020002, 80, 0, {}), idsPacket(0x03020002, 81, 1, {})]);
      expect(findingsOf(report, 'zos.ids_scan').map((f) => f.count)).to.deep.equal([2]);
    });
  });

  describe('capture damage and truncation', () => {
    const packets = (n: number): Uint8Array[] =>
      Array.from({ length: n }, (_, i) => entry(ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: UDP, id: i, payload: udp(1000, 2000, 100) }), i));

    it('a clean data set: complete evidence, no capture findings, progress reported to the last byte', async () => {
      const path = join(dir, 'clean.bin');
      const bytes = concatBytes(packets(10));
      writeFileSync(path, bytes);
      const heard: [number, number][] = [];
      const report = await analyzeInputs([path], { readOptions: DEFAULT_READ_OPTIONS, onProgress: (done, total) => heard.push([done, total]) });
      expect(report.evidenceIncomplete).to.equal(false);
      expect(report.findings.filter((f) => f.category === 'capture')).to.deep.equal([]);
      expect(heard[heard.length - 1]).to.deep.equal([bytes.length, bytes.length]);
    });

    it('damaged bytes skipped between entries: a capture warning naming the file, and incomplete evidence', async () => {
      const entries = packets(10);
      const garbage = Uint8Array.from({ length: 777 }, (_, i) => (i * 73 + 11) & 0xff);
      const report = await analyzeDataSet('damaged.bin', [...entries.slice(0, 5), garbage, ...entries.slice(5)]);
      expect(report.evidenceIncomplete).to.equal(true);
      const [damage] = findingsOf(report, 'capture.damaged_records');
      expect(damage).to.include({ severity: 'warning', category: 'capture' });
      expect(damage!.details['damagedBytes']).to.equal(777);
      expect(damage!.title).to.include('damaged.bin');
      // The subject is the input file, not a host: `subject.host` holds addresses only (docs/report-schema.md).
      expect(damage!.subject.input).to.match(/damaged\.bin$/);
      expect(damage!.subject.host).to.equal(undefined);
      expect(report.overview.packets).to.equal(10);
    });

    it('packets traced abbreviated (ABBREV): a note with the largest length traced, and incomplete evidence', async () => {
      const entries = Array.from({ length: 4 }, (_, i) =>
        entry(ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: UDP, id: i, payload: udp(1000, 2000, 400) }), i, { truncateTo: 200 }),
      );
      const report = await analyzeDataSet('abbrev.bin', entries);
      expect(report.evidenceIncomplete).to.equal(true);
      const [truncated] = findingsOf(report, 'capture.truncated');
      expect(truncated).to.include({ severity: 'note', count: 4 });
      expect(truncated!.details['largestTracedLength']).to.equal(200);
    });

    it('a packet written in three entries with the middle one lost: said on stderr and in the inputs view', async () => {
      const big = ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: UDP, id: 99, payload: udp(1000, 2000, 8000) });
      const [first, , last] = buildSegmentedEntries({ packet: big, fields: { linkName: 'OSDL', deviceType: 39, captureTime: START } }, [3000, 3000]);
      const report = await analyzeDataSet('segments.bin', [first!, last!, ...packets(2)]);
      expect(report.evidenceIncomplete).to.equal(true);
      const input = report.inputs[0]!;
      expect(captureWarnings(input)).to.include('1 packet written in several trace entries with pieces missing: shorter than on the wire');
      expect(describeReadProblems(input.trace as unknown as ReadSummary)).to.include('1 segmented packet(s) with missing segments written short');
    });
  });

  describe('AT-TLS', () => {
    it('confidential records are a note, clear text of protected data a warning; data trace records are not traffic', () => {
      const data = ipv4({ source: '10.1.1.1', destination: '10.2.2.2', protocol: TCP, payload: tcpHeader(40000, 443, 0x18) });
      const DATA_TRACE = 5; // PTHIdDat (contract §2.2)
      const report = analyze([
        packet(data, { at: 0, ctrace: { formatId: DATA_TRACE, flagNames: ['confidential'], extra: { job: 'CICSPROD' } } }),
        packet(data, { at: 1, ctrace: { formatId: DATA_TRACE, flagNames: ['clear-text'], extra: { job: 'CICSPROD' } } }),
        packet(data, { at: 2, ctrace: { flagNames: ['outbound'] } }),
      ]);
      expect(report.connections.total).to.equal(1); // only the packet trace record is a wire packet
      expect(report.statistics.find((t) => t.title === 'Job')!.rows.rows.map((r) => [r[0], r[1]])).to.deep.equal([['CICSPROD', 2]]);
      expect(findingsOf(report, 'zos.attls_confidential').map((f) => [f.severity, f.count, f.title])).to.deep.equal([['note', 1, 'AT-TLS data withheld as confidential: job CICSPROD']]);
      expect(findingsOf(report, 'zos.attls_clear_text').map((f) => [f.severity, f.count])).to.deep.equal([['warning', 1]]);
    });
  });
});
