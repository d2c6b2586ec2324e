/**
 * CTRACE facts filters and listings read beyond the packet bytes: the IDS probe ID, correlator and job
 * name the component decoders put in `ctrace.extra` (keys `ids`, `correlator`, `job`), and the PTHDR
 * copies of addresses, ports and protocol the packet trace decoder adds when the bytes traced stop short
 * of them (keys `sourceAddress`, `destinationAddress`, `sourcePort`, `destinationPort`, `protocol`).
 */
import type { TracePacket } from '../model/trace-packet.js';

const LEADING_HEX = /^\s*(?:0x)?([0-9a-f]{1,8})\b/i;

function extraOf(packet: TracePacket, key: string): string | number | undefined {
  return packet.ctrace?.extra[key];
}

/** A number kept as a number or as decimal text; null otherwise. */
function numberValue(value: string | number | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  return null;
}

/**
 * The IDS probe ID: `extra.ids` (a number, or text starting with the hex ID), else the format ID of a
 * SYSTCPIS entry, which is the probe ID (contract §6). Null for packets of other components.
 */
export function probeIdOf(packet: TracePacket): number | null {
  const value = extraOf(packet, 'ids');
  if (typeof value === 'number') return value >>> 0;
  const hex = typeof value === 'string' ? LEADING_HEX.exec(value)?.[1] : undefined;
  if (hex !== undefined) return parseInt(hex, 16) >>> 0;
  return packet.ctrace?.component === 'SYSTCPIS' ? packet.ctrace.formatId >>> 0 : null;
}

/** Eight upper-case hex digits, as IBM prints probe IDs (03030000). */
export function formatProbeId(probeId: number): string {
  return probeId.toString(16).toUpperCase().padStart(8, '0');
}

export function correlatorOf(packet: TracePacket): number | null {
  return numberValue(extraOf(packet, 'correlator'));
}

export function jobNameOf(packet: TracePacket): string | null {
  const value = extraOf(packet, 'job');
  return value === undefined ? null : String(value);
}

/** A header copy of an address (text), used only when the bytes do not hold the address. */
export function addressCopyOf(packet: TracePacket, end: 'source' | 'destination'): string | null {
  const value = extraOf(packet, `${end}Address`);
  return typeof value === 'string' ? value : null;
}

export function portCopyOf(packet: TracePacket, end: 'source' | 'destination'): number | null {
  return numberValue(extraOf(packet, `${end}Port`));
}

export function protocolCopyOf(packet: TracePacket): number | null {
  return numberValue(extraOf(packet, 'protocol'));
}
