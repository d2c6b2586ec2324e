/**
 * The overview's time line: packets, bytes and exception packets per time bucket, built while the packets
 * stream past without knowing the trace's length. Buckets start 1 ms wide; when the trace outgrows the
 * bucket count the width steps up to the next "round" width (each a multiple of the one before, so
 * buckets merge exactly) and the counts are folded.
 */
import type { Severity } from '../finding.js';
import type { TimelineBucket } from '../../report/report-model.js';
import { formatUtc } from '../../model/time.js';

/** Bucket widths in ms, each a whole multiple of the previous one. */
const WIDTHS_MS = [
  1, 2, 10, 20, 100, 200, 1_000, 2_000, 10_000, 20_000, 60_000, 120_000, 600_000, 1_200_000, 3_600_000, 7_200_000, 21_600_000,
  43_200_000, 86_400_000, 172_800_000, 604_800_000, 1_209_600_000, 2_419_200_000,
];

class Bucket {
  packets = 0;
  bytes = 0;
  error = 0;
  warning = 0;
  note = 0;
  chat = 0;

  fold(other: Bucket): void {
    this.packets += other.packets;
    this.bytes += other.bytes;
    this.error += other.error;
    this.warning += other.warning;
    this.note += other.note;
    this.chat += other.chat;
  }
}

export class Timeline {
  private widthIndex = 0;
  /** Start of bucket 0 in ms since the epoch (a multiple of the width), NaN before the first packet. */
  private originMs = Number.NaN;
  private buckets: Bucket[] = [];

  constructor(private readonly maxBuckets: number) {}

  private get widthMs(): number {
    return WIDTHS_MS[this.widthIndex]!;
  }

  /** The bucket for a time, widening the buckets first when the time lies beyond them. */
  private bucketAt(sec: number, nsec: number): Bucket {
    const ms = sec * 1000 + nsec / 1e6;
    if (Number.isNaN(this.originMs)) this.originMs = Math.floor(ms / this.widthMs) * this.widthMs;
    let index = Math.floor((ms - this.originMs) / this.widthMs);
    while (index >= this.maxBuckets && this.widthIndex < WIDTHS_MS.length - 1) {
      this.widen();
      index = Math.floor((ms - this.originMs) / this.widthMs);
    }
    index = Math.min(Math.max(index, 0), this.maxBuckets - 1); // a clock that went backwards lands in bucket 0
    while (this.buckets.length <= index) this.buckets.push(new Bucket());
    return this.buckets[index]!;
  }

  private widen(): void {
    const oldWidth = this.widthMs;
    const oldOrigin = this.originMs;
    this.widthIndex++;
    this.originMs = Math.floor(oldOrigin / this.widthMs) * this.widthMs;
    const folded: Bucket[] = [];
    this.buckets.forEach((bucket, i) => {
      const index = Math.floor((oldOrigin + i * oldWidth - this.originMs) / this.widthMs);
      while (folded.length <= index) folded.push(new Bucket());
      folded[index]!.fold(bucket);
    });
    this.buckets = folded;
  }

  addPacket(sec: number, nsec: number, bytes: number): void {
    const bucket = this.bucketAt(sec, nsec);
    bucket.packets++;
    bucket.bytes += bytes;
  }

  addException(sec: number, nsec: number, severity: Severity): void {
    this.bucketAt(sec, nsec)[severity]++;
  }

  /** Adds an exception at an ISO time (evidence of a finding), when the time parses. */
  addExceptionAt(iso: string, severity: Severity): void {
    const match = /^(.*)\.(\d{9})Z$/.exec(iso);
    if (match === null) return;
    const sec = Date.parse(`${match[1]}Z`) / 1000;
    if (Number.isNaN(sec)) return;
    this.addException(sec, Number(match[2]), severity);
  }

  get bucketSec(): number {
    return this.widthMs / 1000;
  }

  result(): TimelineBucket[] {
    return this.buckets.map((bucket, i) => {
      const startMs = this.originMs + i * this.widthMs;
      return {
        start: formatUtc(Math.floor(startMs / 1000), Math.round((startMs % 1000) * 1e6)),
        packets: bucket.packets,
        bytes: bucket.bytes,
        exceptions: { error: bucket.error, warning: bucket.warning, note: bucket.note, chat: bucket.chat },
      };
    });
  }
}
