/** Time helpers for the (seconds, nanoseconds) pairs the packet model uses. */

export const NS_PER_SECOND = 1_000_000_000;

/** Negative, zero or positive like a sort comparator. */
export function compareTime(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return aSec !== bSec ? aSec - bSec : aNsec - bNsec;
}

/** Exact integer nanoseconds since the Unix epoch. */
export function toNanoseconds(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/** The whole-second part of the last time formatted: packets come in time order, many in one second. */
let cachedSec = Number.NaN;
let cachedWhole = '';

/** ISO-8601 UTC with nanoseconds, e.g. 2002-11-20T17:38:32.175559000Z. */
export function formatUtc(sec: number, nsec: number): string {
  if (sec !== cachedSec) {
    cachedWhole = new Date(sec * 1000).toISOString().slice(0, 19);
    cachedSec = sec;
  }
  return `${cachedWhole}.${String(nsec).padStart(9, '0')}Z`;
}
