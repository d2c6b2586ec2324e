/**
 * Which packets are traffic as it crossed the trace point. An IDS record (SYSTCPIS) is a copy of a packet
 * the IDS policy picked out, and a data trace record (SYSTCPDA PTHIdDat) is socket data, not a segment on
 * the wire: fed to the TCP analysis next to the packet trace of the same connection, either would look
 * like a retransmission. Such records go to the z/OS record analyzers, the statistics and the packets
 * table only.
 */
import type { TracePacket } from '../model/trace-packet.js';
import { formatIdRow } from '../ctrace/format-ids.js';

/** The format-ID table's name for data (socket) trace records (contract §4). */
const DATA_TRACE_RECORD = 'PTHIdDat';

/** The last SYSTCPDA format ID looked up: a trace holds long runs of one format, so the table is read rarely. */
let lastFormatId = Number.NaN;
let lastIsDataTrace = false;

function isDataTraceFormat(formatId: number): boolean {
  if (formatId !== lastFormatId) {
    lastIsDataTrace = formatIdRow('SYSTCPDA', formatId)?.name === DATA_TRACE_RECORD;
    lastFormatId = formatId;
  }
  return lastIsDataTrace;
}

export function isWirePacket(packet: TracePacket): boolean {
  const meta = packet.ctrace;
  if (meta === null) return true;
  if (meta.component === 'SYSTCPIS') return false;
  return !(meta.component === 'SYSTCPDA' && isDataTraceFormat(meta.formatId));
}
