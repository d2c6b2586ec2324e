/**
 * Response times per service (exception-catalog PERF-14, B.6): a request is the client's data after the
 * server last spoke, the response the server's first data after it. Each service keeps a count, sum, max
 * and a log-scale histogram (for the 95th percentile), so memory stays flat however many requests.
 */
import type { ServiceResponseTime } from '../../report/report-model.js';
import { serviceLabel } from './service-names.js';

/** Histogram buckets grow by this factor from 1 µs: 200 buckets reach past an hour, each within 12 %. */
const BUCKET_RATIO = 1.12;
const BUCKETS = 200;
const SMALLEST_MS = 0.001;

class ServiceTimes {
  /** "tcp/21 (ftp)": the responder's port. */
  readonly service: string;
  requests = 0;
  sumMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = 0;
  slow = 0;
  readonly histogram = new Uint32Array(BUCKETS);

  constructor(port: number) {
    this.service = serviceLabel('tcp', port);
  }
}

function bucketOf(ms: number): number {
  if (ms <= SMALLEST_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / SMALLEST_MS) / Math.log(BUCKET_RATIO)));
}

/** The upper bound of a bucket, in ms. */
function bucketLimit(bucket: number): number {
  return SMALLEST_MS * BUCKET_RATIO ** bucket;
}

export class ResponseTimes {
  /** By the responder's TCP port: a number, so a request builds no string. */
  private readonly services = new Map<number, ServiceTimes>();

  constructor(
    private readonly maxServices: number,
    private readonly slowMs: number,
  ) {}

  /** One request to the service on TCP port `port` answered after `nanoseconds`. */
  add(port: number, nanoseconds: number): void {
    let times = this.services.get(port);
    if (times === undefined) {
      if (this.services.size >= this.maxServices) return;
      times = new ServiceTimes(port);
      this.services.set(port, times);
    }
    const ms = nanoseconds / 1e6;
    times.requests++;
    times.sumMs += ms;
    times.minMs = Math.min(times.minMs, ms);
    times.maxMs = Math.max(times.maxMs, ms);
    if (ms > this.slowMs) times.slow++;
    times.histogram[bucketOf(ms)]!++;
  }

  /** Services by request count, busiest first. */
  summary(): ServiceResponseTime[] {
    return [...this.services.values()]
      .map((t) => ({
        service: t.service,
        requests: t.requests,
        avgMs: round(t.sumMs / t.requests),
        minMs: round(t.minMs),
        maxMs: round(t.maxMs),
        p95Ms: t.requests < 20 ? null : round(Math.min(t.maxMs, percentile(t.histogram, t.requests, 0.95))),
        overThreshold: t.slow,
      }))
      .sort((a, b) => b.requests - a.requests || a.service.localeCompare(b.service));
  }
}

function percentile(histogram: Uint32Array, total: number, fraction: number): number {
  const wanted = Math.ceil(total * fraction);
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket]!;
    if (seen >= wanted) return bucketLimit(bucket);
  }
  return bucketLimit(histogram.length - 1);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
