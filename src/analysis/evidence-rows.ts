/**
 * Packets-table rows for evidence decided after its packet went by. A detector holds some packets as
 * possible evidence (a DNS query that may still be answered, the ClientHello of a handshake that may still
 * complete): marking each one at once would fill the report's evidence rows with packets no finding cites.
 * So a held packet keeps its table row instead, and the analyzer hands the rows of the held packets that
 * reached a finding to the report at the end (the pipeline's lateEvidenceRows).
 */
import type { AnalyzedPacket } from './analyzed-packet.js';
import type { EvidenceRef } from './finding.js';
import type { PacketRow } from '../report/report-model.js';
import { packetMessage, packetRow } from './views/packet-rows.js';
import { formatUtc } from '../model/time.js';
import { describeApplication } from './application/describe-application.js';

const LABELLERS = [describeApplication];

/** The evidence reference for `p` without marking it as evidence (see EvidenceRef). */
export function heldReference(p: AnalyzedPacket, note: string): EvidenceRef {
  return { frame: p.frame, input: p.input, record: p.packet.ctrace?.recordNumber ?? null, time: formatUtc(p.packet.timeSec, p.packet.timeNsec), note };
}

/** The packets-table row of `p`, as the report would have written it when the packet went by. */
export function heldRow(p: AnalyzedPacket): PacketRow {
  return packetRow(p, packetMessage(p, LABELLERS));
}

/** The rows of held evidence that reached findings, one per frame, at most `limit`. */
export class LateEvidenceRows {
  readonly rows: PacketRow[] = [];
  private readonly frames = new Set<string>();

  constructor(private readonly limit: number) {}

  add(rows: readonly PacketRow[]): void {
    for (const row of rows) {
      const key = `${row.input}:${row.frame}`;
      if (this.rows.length >= this.limit || this.frames.has(key)) continue;
      this.frames.add(key);
      this.rows.push(row);
    }
  }
}
