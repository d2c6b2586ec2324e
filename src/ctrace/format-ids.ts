/**
 * Which format IDs belong to which trace component, and how a file's component is recognised when the
 * user does not say (contract §2.2: a file holds one component; the entry does not name it).
 */
import { createRequire } from 'node:module';
import type { Component } from '../model/component.js';
import { describeProbe, isIdsProbeId } from './ids-probes.js';

interface FormatIdRow {
  name: string;
  description: string;
}

const require = createRequire(import.meta.url);
const table = require('./tables/format-ids.json') as Record<Component, Record<string, FormatIdRow>>;

export function formatIdRow(component: Component, formatId: number): FormatIdRow | null {
  return table[component][String(formatId)] ?? null;
}

/** The component a format ID points to, or null when it could be none of them. */
export function componentOfFormatId(formatId: number): Component | null {
  for (const component of ['SYSTCPDA', 'SYSTCPOT'] as const) {
    if (formatIdRow(component, formatId) !== null) return component;
  }
  // IDS probe IDs start with the event type: 01 TCP, 02 UDP traffic regulation, 03 scan, 04 attack.
  return isIdsProbeId(formatId) ? 'SYSTCPIS' : null;
}

/** A label for reports: "4 (PTHIdPkt)" or, for IDS, the probe ID in hex and what it means. */
export function formatIdLabel(component: Component, formatId: number): string {
  if (component === 'SYSTCPIS') {
    const probe = describeProbe(formatId);
    return `${probe.hex} (${probe.description})`;
  }
  const row = formatIdRow(component, formatId);
  return row === null ? String(formatId) : `${formatId} (${row.name})`;
}

/** Majority vote over the format IDs of the first entries of a file. */
export function inferComponent(formatIds: Iterable<number>): { component: Component; votes: number } | null {
  const votes = new Map<Component, number>();
  for (const id of formatIds) {
    const component = componentOfFormatId(id);
    if (component !== null) votes.set(component, (votes.get(component) ?? 0) + 1);
  }
  let best: { component: Component; votes: number } | null = null;
  for (const [component, count] of votes) if (best === null || count > best.votes) best = { component, votes: count };
  return best;
}
