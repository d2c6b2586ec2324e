/**
 * Held evidence (evidence-rows.ts): a packet an analyzer holds as possible evidence (a DNS query that may
 * still be answered) keeps a copy, and its packets-table row is written only if a finding takes it. That
 * row must be the one the packet would have had when it went by, although by then the reader has reused
 * the packet's bytes and the pipeline its TCP view.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { AnalyzedPacket } from '../src/analysis/analyzed-packet.js';
import type { TracePacket } from '../src/model/trace-packet.js';
import type { PacketRow } from '../src/report/report-model.js';
import { readDatagram } from '../src/analysis/analyzed-packet.js';
import { HeldPacket, LateEvidenceRows } from '../src/analysis/evidence-rows.js';
import { describeApplication } from '../src/analysis/application/index.js';
import { packetMessage, packetRow } from '../src/analysis/views/packet-rows.js';
import { TcpPacketView, readTcpOfLayers } from '../src/net/packet-view.js';
import { openPacketSource } from '../src/input/packet-source.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/** The packets of a capture, each its own object with its own bytes (the reader reuses both). */
async function packetsOf(file: string): Promise<TracePacket[]> {
  const source = await openPacketSource(file, DEFAULT_READ_OPTIONS);
  const packets: TracePacket[] = [];
  for await (const packet of source.packets()) packets.push({ ...packet, data: packet.data.slice() });
  return packets;
}

describe('held evidence', () => {
  it('writes the row a packet had when it went by, after its bytes and the TCP view were reused', async () => {
    const packets = await packetsOf(join(FIXTURES, 'real-mixed.pcap'));
    expect(packets.length).to.be.greaterThan(50);
    // One view for every packet, as the pipeline has: a held packet must not lean on it.
    const view = new TcpPacketView();
    const held: HeldPacket[] = [];
    const expected: PacketRow[] = [];
    let tcpPackets = 0;
    packets.forEach((packet, i) => {
      const isIp = readDatagram(packet, view);
      const isTcp = isIp && readTcpOfLayers(packet.data, view);
      if (isTcp) tcpPackets++;
      const p: AnalyzedPacket = { frame: i + 1, input: 0, packet, tcp: isTcp ? view : null, tcpFlags: isTcp ? 1 : 0, ip: isIp ? view : null };
      expected.push(packetRow(p, packetMessage(p, [describeApplication])));
      held.push(new HeldPacket(p));
      packet.data.fill(0xff); // the reader's buffer now holds other bytes
    });
    expect(tcpPackets).to.be.greaterThan(20);
    const rows = new LateEvidenceRows(packets.length);
    rows.addHeld(held);
    expect(rows.rows).to.deep.equal(expected);
    expect(rows.rows.some((row) => row.message.includes('dns'))).to.equal(true);
  });

  it('keeps each frame once, and no more rows than its limit', async () => {
    const packets = await packetsOf(join(FIXTURES, 'real-mixed.pcap'));
    const held = packets.slice(0, 5).map((packet, i) => new HeldPacket({ frame: i + 1, input: 0, packet, tcp: null, tcpFlags: 0 }));
    const rows = new LateEvidenceRows(4);
    rows.addHeld([held[0]!, held[1]!, held[0]!]);
    rows.addHeld(held);
    expect(rows.rows.map((row) => row.frame)).to.deep.equal([1, 2, 3, 4]);
  });
});
