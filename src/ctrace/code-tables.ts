/**
 * Code tables shipped as data (tables/*.json), loaded once: discard reason codes (contract §5) and device
 * types (§3.2). Lookups return shared frozen values so the per-packet path allocates nothing.
 */
import { createRequire } from 'node:module';
import type { DiscardReason } from '../model/trace-packet.js';

interface DiscardRange {
  from: number;
  to: number;
  layer: string;
}

interface DiscardTable {
  ranges: DiscardRange[];
  codes: Record<string, { name: string; description: string }>;
}

interface DeviceTypeTable {
  codes: Record<string, { name: string }>;
}

const require = createRequire(import.meta.url);
const discardTable = require('./tables/discard-codes.json') as DiscardTable;
const deviceTypeTable = require('./tables/device-types.json') as DeviceTypeTable;

/** Layer label for a code outside every documented range. */
export const UNKNOWN_LAYER = 'unknown layer';

const discardReasons = new Map<number, DiscardReason>();
const deviceTypeNames = new Map<number, string>();

function layerOf(code: number): string {
  for (const range of discardTable.ranges) if (code >= range.from && code <= range.to) return range.layer;
  return UNKNOWN_LAYER;
}

/** The table row for a discard code, or its number and layer range when the table lacks it. */
export function discardReason(code: number): DiscardReason {
  let reason = discardReasons.get(code);
  if (reason === undefined) {
    const row = discardTable.codes[String(code)];
    reason = Object.freeze({ code, name: row?.name ?? null, layer: layerOf(code), description: row?.description ?? null });
    discardReasons.set(code, reason);
  }
  return reason;
}

/** "4114 IP_MAC_BRDCST", or "8215 (TCP layer)" for a code the table lacks (contract §5). */
export function formatDiscard(reason: DiscardReason): string {
  return reason.name === null ? `${reason.code} (${reason.layer === UNKNOWN_LAYER ? reason.layer : `${reason.layer} layer`})` : `${reason.code} ${reason.name}`;
}

/** The device type's name ("MPC IP AQENET"), or "devtype N" when the table lacks the code. */
export function deviceTypeName(code: number): string {
  let name = deviceTypeNames.get(code);
  if (name === undefined) {
    name = deviceTypeTable.codes[String(code)]?.name ?? `devtype ${code}`;
    deviceTypeNames.set(code, name);
  }
  return name;
}
