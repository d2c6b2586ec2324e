/**
 * What one read of a trace data set found: framing, entries by format ID, bytes skipped and why, and a
 * census of the packets (time range, interfaces, discard codes, truncation). Its size grows with the
 * number of distinct interfaces and codes, never with packets; damaged ranges are kept up to a cap.
 */
import type { Component } from '../model/component.js';
import type { TraceInterface, TracePacket } from '../model/trace-packet.js';
import type { Framing } from '../zos/logical-chunk.js';
import type { SkippedRange } from './cte.js';
import { formatIdLabel } from './format-ids.js';
import { compareTime, formatUtc } from '../model/time.js';

/** Damaged ranges and framing anomalies listed one by one, up to this many; the rest are counted. */
const LISTED_PROBLEMS_LIMIT = 100;
/** Interface objects remembered by identity (readers share one per interface; this bounds the odd reader that does not). */
const LISTED_INTERFACE_OBJECTS_LIMIT = 4096;

export interface FramingAnomaly {
  fileOffset: number;
  message: string;
}

export interface InterfaceCount {
  component: Component | null;
  name: string;
  linkType: number;
  description: string;
  deviceName: string | null;
  packets: number;
  bytes: number;
  inbound: number;
  outbound: number;
}

export interface DiscardCount {
  code: number;
  name: string | null;
  layer: string;
  packets: number;
}

export interface ReadSummary {
  file: string;
  fileSize: number;
  framing: Framing;
  framingReason: string;
  component: Component;
  componentReason: string;
  layoutProfile: string;
  codePage: string;
  leapSeconds: number;
  entries: number;
  entriesByFormat: { formatId: number; label: string; entries: number }[];
  packets: number;
  firstPacketTime: string | null;
  lastPacketTime: string | null;
  interfaces: InterfaceCount[];
  discards: DiscardCount[];
  truncatedPackets: number;
  decoder: Record<string, number>;
  zeroFillBytes: number;
  damagedBytes: number;
  damagedRanges: SkippedRange[];
  damagedRangesNotListed: number;
  framingAnomalies: FramingAnomaly[];
  framingAnomaliesNotListed: number;
}

/** What the reader decided before the first entry: the summary's leading fields, as they are. */
export type ReadContext = Pick<
  ReadSummary,
  'file' | 'fileSize' | 'framing' | 'framingReason' | 'component' | 'componentReason' | 'layoutProfile' | 'codePage' | 'leapSeconds'
>;

export class ReadSummaryBuilder {
  entries = 0;
  private packets = 0;
  private readonly byFormat = new Map<number, number>();
  private readonly interfaces = new Map<string, InterfaceCount>();
  /**
   * Rows by interface object: readers share one object per interface, so a packet costs one identity
   * lookup instead of building a string key.
   */
  private readonly interfaceRows = new Map<TraceInterface, InterfaceCount>();
  private readonly discards = new Map<number, DiscardCount>();
  /** Earliest and latest packet times (no packet yet while firstSec is NaN): numbers, no object per packet. */
  private firstSec = Number.NaN;
  private firstNsec = 0;
  private lastSec = Number.NaN;
  private lastNsec = 0;
  private truncated = 0;
  private zeroFill = 0;
  private damaged = 0;
  private readonly damagedRanges: SkippedRange[] = [];
  private damagedRangeCount = 0;
  private readonly anomalies: FramingAnomaly[] = [];
  private anomalyCount = 0;
  private decoder: Record<string, number> = {};

  constructor(private readonly context: ReadContext) {}

  entry(formatId: number): void {
    this.entries++;
    this.byFormat.set(formatId, (this.byFormat.get(formatId) ?? 0) + 1);
  }

  skipped(range: SkippedRange): void {
    if (range.kind === 'zero-fill') {
      this.zeroFill += range.length;
      return;
    }
    this.damaged += range.length;
    this.damagedRangeCount++;
    if (this.damagedRanges.length < LISTED_PROBLEMS_LIMIT) this.damagedRanges.push({ ...range });
  }

  framingAnomaly(anomaly: FramingAnomaly): void {
    this.anomalyCount++;
    if (this.anomalies.length < LISTED_PROBLEMS_LIMIT) this.anomalies.push({ ...anomaly });
  }

  decoderStats(stats: Record<string, number>): void {
    this.decoder = { ...stats };
  }

  /** Counts the packet and hands it back, so the reader can `yield summary.packet(p)`. */
  packet(packet: TracePacket): TracePacket {
    this.packets++;
    this.noteTime(packet.timeSec, packet.timeNsec);
    this.countInterface(packet);
    const discard = packet.ctrace?.discard ?? null;
    if (discard !== null) {
      const row = this.discards.get(discard.code) ?? { code: discard.code, name: discard.name, layer: discard.layer, packets: 0 };
      row.packets++;
      this.discards.set(discard.code, row);
    }
    if (packet.ctrace?.truncated === true) this.truncated++;
    return packet;
  }

  private noteTime(sec: number, nsec: number): void {
    if (Number.isNaN(this.firstSec) || compareTime(sec, nsec, this.firstSec, this.firstNsec) < 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
    }
    if (Number.isNaN(this.lastSec) || compareTime(sec, nsec, this.lastSec, this.lastNsec) > 0) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
  }

  private countInterface(packet: TracePacket): void {
    let row = this.interfaceRows.get(packet.interface);
    if (row === undefined) {
      row = this.interfaceRow(packet);
      if (this.interfaceRows.size < LISTED_INTERFACE_OBJECTS_LIMIT) this.interfaceRows.set(packet.interface, row);
    }
    row.packets++;
    row.bytes += packet.originalLength;
    if (packet.direction === 'inbound') row.inbound++;
    else if (packet.direction === 'outbound') row.outbound++;
  }

  /** The row for the packet's interface by name, link type and component (a new row the first time). */
  private interfaceRow(packet: TracePacket): InterfaceCount {
    const { component, name, linkType, description } = packet.interface;
    const key = `${component}|${name}|${linkType}`;
    let row = this.interfaces.get(key);
    if (row === undefined) {
      row = { component, name, linkType, description, deviceName: packet.ctrace?.deviceName ?? null, packets: 0, bytes: 0, inbound: 0, outbound: 0 };
      this.interfaces.set(key, row);
    }
    return row;
  }

  result(): ReadSummary {
    const c = this.context;
    return {
      ...c,
      entries: this.entries,
      entriesByFormat: [...this.byFormat]
        .sort((a, b) => a[0] - b[0])
        .map(([formatId, entries]) => ({ formatId, label: formatIdLabel(c.component, formatId), entries })),
      packets: this.packets,
      firstPacketTime: Number.isNaN(this.firstSec) ? null : formatUtc(this.firstSec, this.firstNsec),
      lastPacketTime: Number.isNaN(this.lastSec) ? null : formatUtc(this.lastSec, this.lastNsec),
      interfaces: [...this.interfaces.values()],
      discards: [...this.discards.values()].sort((a, b) => b.packets - a.packets || a.code - b.code),
      truncatedPackets: this.truncated,
      decoder: this.decoder,
      zeroFillBytes: this.zeroFill,
      damagedBytes: this.damaged,
      damagedRanges: this.damagedRanges,
      damagedRangesNotListed: this.damagedRangeCount - this.damagedRanges.length,
      framingAnomalies: this.anomalies,
      framingAnomaliesNotListed: this.anomalyCount - this.anomalies.length,
    };
  }
}
