/**
 * IDS probe IDs (contract §6) from tables/ids-probes.json: what a SYSTCPIS entry's format ID says about
 * the event. Known probes carry IBM's (or a published case's) reason; any other probe is described by
 * its event type and its scan suspicion level or attack type, so no probe ID is ever left unexplained.
 */
import { createRequire } from 'node:module';

interface NamedCode {
  name: string;
  label: string;
}

interface ProbeRow {
  description: string;
  confidence: string;
  source: string;
}

interface ProbeTable {
  eventTypes: Record<string, NamedCode>;
  scanLevels: Record<string, NamedCode>;
  attackTypes: Record<string, NamedCode>;
  probes: Record<string, ProbeRow>;
}

export interface IdsProbe {
  probeId: number;
  /** Eight upper-case hex digits, as IBM prints probe IDs: 03020002. */
  hex: string;
  /** Event type name (scan, attack, tcp-traffic-regulation...), or null for a first byte the table lacks. */
  eventType: string | null;
  /** Scan suspicion level name (possibly-suspicious...), for scan probes only. */
  level: string | null;
  /** Attack type name (MALFORMED_PACKET...), for attack probes only. */
  attackType: string | null;
  /** The table's reason, or one made of the event type and level or attack type. */
  description: string;
  /** True when the probe ID itself is in the table. */
  known: boolean;
}

const require = createRequire(import.meta.url);
const table = require('./tables/ids-probes.json') as ProbeTable;

const EVENT_TYPE_SCAN = 'scan';
const EVENT_TYPE_ATTACK = 'attack';
/** Distinct probe IDs remembered; damaged IDs beyond this are described afresh each time. */
const CACHE_LIMIT = 4096;
const described = new Map<number, IdsProbe>();

function byteKey(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** The event type row for a probe ID's first byte, or null. */
function eventTypeOf(probeId: number): NamedCode | null {
  return table.eventTypes[byteKey(probeId >>> 24)] ?? null;
}

/** True when the probe ID's first byte is an IDS event type (01..04): the entry can be an IDS record. */
export function isIdsProbeId(probeId: number): boolean {
  return eventTypeOf(probeId) !== null;
}

/** "scan, possibly suspicious", "attack: malformed packet", "scan (level 07)": the reason when the table has no row. */
function fallbackDescription(event: NamedCode | null, detailKey: string, detail: NamedCode | null): string {
  if (event === null) return 'not an IDS event type';
  if (event.name === EVENT_TYPE_SCAN) return detail === null ? `scan (level ${detailKey})` : `scan, ${detail.label}`;
  if (event.name === EVENT_TYPE_ATTACK) return detail === null ? `attack (type ${detailKey})` : `attack: ${detail.label}`;
  return event.label;
}

function describe(probeId: number): IdsProbe {
  const hex = (probeId >>> 0).toString(16).toUpperCase().padStart(8, '0');
  const event = eventTypeOf(probeId);
  const detailKey = byteKey((probeId >>> 16) & 0xff);
  const level = event?.name === EVENT_TYPE_SCAN ? (table.scanLevels[detailKey] ?? null) : null;
  const attack = event?.name === EVENT_TYPE_ATTACK ? (table.attackTypes[detailKey] ?? null) : null;
  const row = table.probes[hex];
  return Object.freeze({
    probeId: probeId >>> 0,
    hex,
    eventType: event?.name ?? null,
    level: level?.name ?? null,
    attackType: attack?.name ?? null,
    description: row?.description ?? fallbackDescription(event, detailKey, level ?? attack),
    known: row !== undefined,
  });
}

/** The probe's facts, shared and frozen per probe ID. */
export function describeProbe(probeId: number): IdsProbe {
  let probe = described.get(probeId);
  if (probe === undefined) {
    probe = describe(probeId);
    if (described.size < CACHE_LIMIT) described.set(probeId, probe);
  }
  return probe;
}
