/**
 * STCK TOD clock values → Unix time as exact integers, without BigInt on the hot path.
 *
 * The TOD clock counts from 1900-01-01 00:00 UTC; bit 51 is one microsecond, so the value shifted right by
 * 12 is microseconds. (tod - epoch) >> 12 stays below 2^52 for any date up to 2042+, so microseconds fit a
 * double exactly; the 12 low bits are 1/4096 µs, which become whole nanoseconds as frac * 125 / 512.
 */
import { NS_PER_SECOND } from '../model/time.js';

/** TOD value of 1970-01-01 00:00:00 UTC: 0x7D91048BCA000000 (contract §2.1). */
const UNIX_EPOCH_TOD_HIGH = 0x7d91048b;
const UNIX_EPOCH_TOD_LOW = 0xca000000;

const TWO_POW_20 = 1 << 20;
const TWO_POW_32 = 2 ** 32;
const MICROS_PER_SECOND = 1_000_000;

/** Plausibility window for trace times (contract §2.3): 1995-01-01 .. 2045-01-01, as TOD high words. */
const PLAUSIBLE_FROM_UNIX = Date.UTC(1995, 0, 1) / 1000;
const PLAUSIBLE_TO_UNIX = Date.UTC(2045, 0, 1) / 1000;

export interface UnixTime {
  sec: number;
  nsec: number;
}

/** Microseconds since 1900 held in the TOD value (exact: at most 2^52). */
function todMicros(todHigh: number, todLow: number): number {
  return todHigh * TWO_POW_20 + (todLow >>> 12);
}

const EPOCH_MICROS = todMicros(UNIX_EPOCH_TOD_HIGH, UNIX_EPOCH_TOD_LOW);

/**
 * Convert a STCK value to Unix seconds + nanoseconds. `leapSeconds` is the site's TOD offset ahead of UTC
 * (27 since 2017 for sites that run with leap-second correction); it is subtracted.
 */
export function stckToUnixTime(todHigh: number, todLow: number, leapSeconds = 0): UnixTime {
  const micros = todMicros(todHigh, todLow) - EPOCH_MICROS;
  const subMicroNs = Math.floor(((todLow & 0xfff) * 125) / 512);
  let sec = Math.floor(micros / MICROS_PER_SECOND);
  const nsec = (micros - sec * MICROS_PER_SECOND) * 1000 + subMicroNs;
  sec -= leapSeconds;
  return nsec >= NS_PER_SECOND ? { sec: smallInteger(sec + 1), nsec: (nsec - NS_PER_SECOND) | 0 } : { sec: smallInteger(sec), nsec: nsec | 0 };
}

/**
 * The whole number `n` as V8's small integer when it fits 31 bits (seconds until 2038): the packet's time
 * is copied into many long-lived objects, and a field that once holds a floating-point number is boxed in
 * every object of its shape.
 */
function smallInteger(n: number): number {
  return n >= 0 && n <= 0x7fffffff ? n | 0 : n;
}

/** The window in microseconds since 1900: the check runs per candidate entry, so it makes no object. */
const PLAUSIBLE_FROM_MICROS = EPOCH_MICROS + PLAUSIBLE_FROM_UNIX * MICROS_PER_SECOND;
const PLAUSIBLE_TO_MICROS = EPOCH_MICROS + PLAUSIBLE_TO_UNIX * MICROS_PER_SECOND;

/** True when the TOD value falls between 1995 and 2045: a cheap check that a candidate entry is real. */
export function isPlausibleTod(todHigh: number, todLow: number): boolean {
  const micros = todMicros(todHigh, todLow);
  return micros >= PLAUSIBLE_FROM_MICROS && micros < PLAUSIBLE_TO_MICROS;
}

/**
 * The inverse, for building test data and calibration: Unix time → STCK halves. Nanoseconds below the
 * TOD resolution (1/4096 µs) are rounded down.
 */
export function unixTimeToStck(sec: number, nsec: number, leapSeconds = 0): { todHigh: number; todLow: number } {
  const micros = (sec + leapSeconds) * MICROS_PER_SECOND + Math.floor(nsec / 1000) + EPOCH_MICROS;
  const frac = Math.ceil(((nsec % 1000) * 512) / 125);
  const fracClamped = Math.min(frac, 0xfff);
  const todHigh = Math.floor(micros / TWO_POW_20);
  const todLow = ((micros % TWO_POW_20) * 4096 + fracClamped) % TWO_POW_32;
  return { todHigh, todLow: todLow >>> 0 };
}
