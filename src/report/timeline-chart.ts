/**
 * The overview's time-line as geometry for an inline SVG: packets per time bucket in the upper band,
 * exceptions (evidence packets by severity, worst at the bottom) in the lower band. The template only
 * places rectangles at these numbers, so the chart needs no script and no network at view time.
 */
import { SEVERITIES, type Severity } from '../analysis/finding.js';
import type { TimelineBucket } from './report-model.js';
import { formatCount, formatNumber, formatTime, plural } from './display-format.js';

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 230;
const LEFT = 56;
const RIGHT = 8;
const PACKET_BAND_TOP = 10;
const PACKET_BAND_HEIGHT = 120;
const EXCEPTION_BAND_TOP = 150;
const EXCEPTION_BAND_HEIGHT = 56;
/** A single exception must stay visible next to a bucket with thousands. */
const MIN_VISIBLE_HEIGHT = 2;

export interface ChartRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartSegment extends ChartRect {
  severity: Severity;
}

export interface ChartBar {
  /** "2025-11-22 10:15:30.000000: 1,234 packets, 2 errors". */
  tooltip: string;
  packets: ChartRect | null;
  exceptions: ChartSegment[];
  /** The whole column, so hovering anywhere above the bucket shows its tooltip. */
  hit: ChartRect;
}

export interface ChartLabel {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

export interface TimelineChart {
  width: number;
  height: number;
  bars: ChartBar[];
  labels: ChartLabel[];
  /** Horizontal base lines of the two bands. */
  axes: { x1: number; x2: number; y: number }[];
  /** A one-sentence description for screen readers and the SVG title. */
  description: string;
  /** "5 s", "2:00.000000": the width of one bar. */
  interval: string;
  empty: boolean;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function scaled(value: number, max: number, band: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.max(MIN_VISIBLE_HEIGHT, (value / max) * band);
}

function exceptionTotal(bucket: TimelineBucket): number {
  return SEVERITIES.reduce((sum, severity) => sum + (bucket.exceptions[severity] ?? 0), 0);
}

function tooltipOf(bucket: TimelineBucket): string {
  const parts = [plural(bucket.packets, 'packet')];
  for (const severity of SEVERITIES) {
    const n = bucket.exceptions[severity] ?? 0;
    if (n > 0) parts.push(`${formatCount(n)} ${severity}`);
  }
  return `${formatTime(bucket.start)}: ${parts.join(', ')}`;
}

function barOf(bucket: TimelineBucket, x: number, width: number, maxPackets: number, maxExceptions: number): ChartBar {
  const packetHeight = scaled(bucket.packets, maxPackets, PACKET_BAND_HEIGHT);
  const packetBase = PACKET_BAND_TOP + PACKET_BAND_HEIGHT;
  const exceptions: ChartSegment[] = [];
  let top = EXCEPTION_BAND_TOP + EXCEPTION_BAND_HEIGHT;
  for (const severity of SEVERITIES) {
    const height = scaled(bucket.exceptions[severity] ?? 0, maxExceptions, EXCEPTION_BAND_HEIGHT);
    if (height === 0) continue;
    top -= height;
    exceptions.push({ severity, x: round(x), y: round(top), width: round(width), height: round(height) });
  }
  return {
    tooltip: tooltipOf(bucket),
    packets:
      packetHeight === 0 ? null : { x: round(x), y: round(packetBase - packetHeight), width: round(width), height: round(packetHeight) },
    exceptions,
    hit: { x: round(x), y: PACKET_BAND_TOP, width: round(width), height: EXCEPTION_BAND_TOP + EXCEPTION_BAND_HEIGHT - PACKET_BAND_TOP },
  };
}

/** A bucket width as people say it: "10 ms", "5 s", "2 min", "6 h", "7 d" (the widths are round). */
function intervalText(sec: number): string {
  if (sec < 1) return `${formatNumber(sec * 1000)} ms`;
  if (sec < 60) return `${formatNumber(sec)} s`;
  if (sec < 3600) return `${formatNumber(sec / 60)} min`;
  if (sec < 86_400) return `${formatNumber(sec / 3600)} h`;
  return `${formatNumber(sec / 86_400)} d`;
}

/** `lastTime` labels the right end of the axis: the last packet, which the last bucket holds. */
export function timelineChart(buckets: readonly TimelineBucket[], bucketSec: number, lastTime: string | null): TimelineChart {
  const plotWidth = CHART_WIDTH - LEFT - RIGHT;
  const maxPackets = Math.max(0, ...buckets.map((b) => b.packets));
  const maxExceptions = Math.max(0, ...buckets.map(exceptionTotal));
  const slot = buckets.length === 0 ? plotWidth : plotWidth / buckets.length;
  // A gap between bars only while bars are wide enough to keep one.
  const barWidth = slot >= 4 ? slot - 1 : slot;
  const bars = buckets.map((bucket, i) => barOf(bucket, LEFT + i * slot, barWidth, maxPackets, maxExceptions));
  const packetBase = PACKET_BAND_TOP + PACKET_BAND_HEIGHT;
  const exceptionBase = EXCEPTION_BAND_TOP + EXCEPTION_BAND_HEIGHT;
  const first = buckets[0];
  const labels: ChartLabel[] = [
    { x: LEFT - 4, y: PACKET_BAND_TOP + 10, text: formatCount(maxPackets), anchor: 'end' },
    { x: LEFT - 4, y: packetBase, text: 'packets', anchor: 'end' },
    { x: LEFT - 4, y: EXCEPTION_BAND_TOP + 10, text: formatCount(maxExceptions), anchor: 'end' },
    { x: LEFT - 4, y: exceptionBase, text: 'exceptions', anchor: 'end' },
  ];
  if (first !== undefined) {
    labels.push({ x: LEFT, y: CHART_HEIGHT - 6, text: formatTime(first.start), anchor: 'start' });
    labels.push({ x: CHART_WIDTH - RIGHT, y: CHART_HEIGHT - 6, text: formatTime(lastTime), anchor: 'end' });
  }
  const totalPackets = buckets.reduce((sum, b) => sum + b.packets, 0);
  const totalExceptions = buckets.reduce((sum, b) => sum + exceptionTotal(b), 0);
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    bars,
    labels,
    axes: [
      { x1: LEFT, x2: CHART_WIDTH - RIGHT, y: packetBase },
      { x1: LEFT, x2: CHART_WIDTH - RIGHT, y: exceptionBase },
    ],
    description:
      `Time-line of ${plural(totalPackets, 'packet')} in ${plural(buckets.length, 'interval')} of ${intervalText(bucketSec)}, ` +
      `with ${plural(totalExceptions, 'exception packet')} by severity`,
    interval: intervalText(bucketSec),
    empty: buckets.length === 0,
  };
}
