/**
 * Bounded memory: 200,000 connections (half refused, half never answered, from 200,000 clients to 1,000
 * services) go through the pipeline without the open state or any report table growing past its cap, and
 * the capped findings still add up to every failed connection.
 */
import { expect } from 'chai';
import { AnalysisPipeline } from '../src/analysis/analysis-pipeline.js';
import { withOverrides } from '../src/analysis/thresholds.js';
import { MAX_EVIDENCE_PER_FINDING } from '../src/analysis/finding.js';
import { LinkType } from '../src/capture/link-types.js';
import type { TracePacket } from '../src/model/trace-packet.js';

const CONNECTIONS = 200_000;
const SERVICES = 1000;
const SERVER = 0x0ac80001; // 10.200.0.1
const IFACE = { component: null, name: 'memory-test', linkType: LinkType.RAW, description: 'synthetic' };

/** SYN from client i, and for even i the server's RST-ACK: each packet built into a fresh 40-byte datagram. */
function* connectionAttempts(): Generator<TracePacket> {
  const startSec = 1_700_000_000;
  for (let i = 0; i < CONNECTIONS; i++) {
    const client = 0x0b000000 + i; // 11.x.y.z, one address per connection
    const port = 1 + (i % SERVICES);
    const timeSec = startSec + Math.floor(i / 1000);
    const timeNsec = (i % 1000) * 1_000_000;
    yield segment(client, SERVER, 40000, port, 0x02, 1000, 0, timeSec, timeNsec);
    if (i % 2 === 0) yield segment(SERVER, client, port, 40000, 0x14, 0, 1001, timeSec, timeNsec + 1000);
  }
}

function segment(source: number, destination: number, sourcePort: number, destinationPort: number, flags: number, seq: number, ack: number, timeSec: number, timeNsec: number): TracePacket {
  const data = new Uint8Array(40);
  const view = new DataView(data.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, 40);
  view.setUint8(8, 64);
  view.setUint8(9, 6);
  view.setUint32(12, source);
  view.setUint32(16, destination);
  view.setUint16(20, sourcePort);
  view.setUint16(22, destinationPort);
  view.setUint32(24, seq);
  view.setUint32(28, ack);
  view.setUint8(32, 5 << 4);
  view.setUint8(33, flags);
  view.setUint16(34, flags === 0x02 ? 1024 : 0);
  return { timeSec, timeNsec, interface: IFACE, direction: 'unknown', data, originalLength: 40, ctrace: null };
}

describe('analysis: memory stays bounded', function () {
  this.timeout(300_000);

  it(`${CONNECTIONS.toLocaleString('en')} connections: open state and every table within their caps, counts complete`, () => {
    const thresholds = withOverrides({ maxTrackedConnections: 5000, maxTrackedHosts: 5000 });
    const pipeline = new AnalysisPipeline(thresholds);
    let mostOpen = 0;
    let packets = 0;
    for (const p of connectionAttempts()) {
      pipeline.observe(p, 0);
      if (++packets % 1000 === 0) mostOpen = Math.max(mostOpen, pipeline.openConnections);
    }
    expect(mostOpen).to.be.at.most(thresholds.maxTrackedConnections);
    const report = pipeline.finish([{ path: 'synthetic', kind: 'pcap', summary: null }]);

    expect(report.overview.packets).to.equal(packets);
    expect(report.connectionStates).to.deep.equal({ REJ: CONNECTIONS / 2, S0: CONNECTIONS / 2 });
    expect(report.connections.rows.length).to.be.at.most(thresholds.connectionsListed);
    expect(report.connections.total).to.equal(CONNECTIONS);
    expect(report.connections.omitted).to.equal(CONNECTIONS - report.connections.rows.length);
    expect(report.ladders.length).to.be.at.most(thresholds.laddersListed);
    for (const ladder of report.ladders) expect(ladder.steps.rows.length).to.be.at.most(thresholds.ladderSteps);
    expect(report.packets.rows.length).to.be.at.most(thresholds.packetsListedFirst + thresholds.packetsListedEvidence);
    for (const table of report.statistics) expect(table.rows.rows.length, table.title).to.be.at.most(thresholds.statisticsRows + 1);

    const byRule = new Map<string, number>();
    for (const finding of report.findings) {
      byRule.set(finding.rule, (byRule.get(finding.rule) ?? 0) + 1);
      expect(finding.evidence.length).to.be.at.most(MAX_EVIDENCE_PER_FINDING);
    }
    for (const [rule, count] of byRule) expect(count, rule).to.be.at.most(thresholds.maxFindingGroups + 1);
    // The "other" finding of each rule keeps the counts whole.
    const total = (rule: string): number => report.findings.filter((f) => f.rule === rule).reduce((n, f) => n + f.count, 0);
    expect(total('connection.no_answer')).to.equal(CONNECTIONS / 2);
    expect(total('connection.rejected')).to.equal(CONNECTIONS / 2);
    expect(JSON.stringify(report).length).to.be.below(10 << 20);
  });
});
