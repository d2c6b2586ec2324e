/**
 * Packets-table rows for evidence decided after its packet went by. A detector holds some packets as
 * possible evidence (a DNS query that may still be answered, the ClientHello of a handshake that may still
 * complete): marking each one at once would fill the report's evidence rows with packets no finding cites.
 * So a held packet is kept aside instead (a copy of what its table row is made of), and the analyzer hands
 * the rows of the held packets that reached a finding to the report at the end (the pipeline's
 * lateEvidenceRows).
 */
import { type AnalyzedPacket, readDatagram } from './analyzed-packet.js';
import type { EvidenceRef } from './finding.js';
import type { PacketRow } from '../report/report-model.js';
import type { TracePacket } from '../model/trace-packet.js';
import { TcpPacketView, readTcpOfLayers } from '../net/packet-view.js';
import { packetMessage, packetRow } from './views/packet-rows.js';
import { formatUtc } from '../model/time.js';
import { describeApplication } from './application/describe-application.js';

const LABELLERS = [describeApplication];

/** The evidence reference for `p` without marking it as evidence (see EvidenceRef). */
export function heldReference(p: AnalyzedPacket, note: string): EvidenceRef {
  return { frame: p.frame, input: p.input, record: p.packet.ctrace?.recordNumber ?? null, time: formatUtc(p.packet.timeSec, p.packet.timeNsec), note };
}

/**
 * A held packet: its bytes copied and the facts its table row is made of. Most held packets never reach a
 * finding (the query is answered), so the row is only written when one does.
 */
export class HeldPacket {
  readonly frame: number;
  readonly input: number;
  private readonly packet: TracePacket;
  private readonly tcpFlags: number;
  private readonly wasTcp: boolean;

  constructor(p: AnalyzedPacket) {
    this.frame = p.frame;
    this.input = p.input;
    // The packet object and its bytes are the reader's to reuse: keep copies (its CTRACE facts are its own).
    const { timeSec, timeNsec, interface: link, direction, data, originalLength, ctrace } = p.packet;
    this.packet = { timeSec, timeNsec, interface: link, direction, data: data.slice(), originalLength, ctrace };
    this.tcpFlags = p.tcpFlags;
    this.wasTcp = p.tcp !== null;
  }

  /** The packets-table row, as the report would have written it when the packet went by. */
  row(): PacketRow {
    const p: AnalyzedPacket = { frame: this.frame, input: this.input, packet: this.packet, tcp: null, tcpFlags: this.tcpFlags };
    if (this.wasTcp) {
      // The segment is read again from the copied bytes, as the pipeline read it.
      const view = new TcpPacketView();
      if (readDatagram(this.packet, view) && readTcpOfLayers(this.packet.data, view)) {
        p.tcp = view;
        p.ip = view;
      }
    }
    return packetRow(p, packetMessage(p, LABELLERS));
  }
}

/** The rows of held evidence that reached findings, one per frame, at most `limit`. */
export class LateEvidenceRows {
  readonly rows: PacketRow[] = [];
  private readonly frames = new Set<string>();

  constructor(private readonly limit: number) {}

  add(rows: readonly PacketRow[]): void {
    for (const row of rows) if (this.wants(row.input, row.frame)) this.rows.push(row);
  }

  /** The rows of held packets that reached a finding. */
  addHeld(packets: readonly HeldPacket[]): void {
    for (const packet of packets) if (this.wants(packet.input, packet.frame)) this.rows.push(packet.row());
  }

  private wants(input: number, frame: number): boolean {
    const key = `${input}:${frame}`;
    if (this.rows.length >= this.limit || this.frames.has(key)) return false;
    this.frames.add(key);
    return true;
  }
}
