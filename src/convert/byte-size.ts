/**
 * Sizes as users type them for `--max-size`: a number of bytes, or with a unit. K, M and G are decimal
 * (1 M = 1,000,000 bytes, as tcpdump -C and disk vendors count); KiB, MiB and GiB are binary.
 */
import { ZctraceError } from '../errors.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** Bytes for `text` like 1500000, 100M, 1.5G, 64MiB; `option` names the option in the error. */
export function parseByteSize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : UNITS[(m[2] ?? '').toLowerCase()];
  const bytes = m === null || unit === undefined ? NaN : Math.floor(Number(m[1]) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new ZctraceError('USAGE', `${option} ${text}: give a size like 1000000, 100M, 2G or 64MiB`);
  }
  return bytes;
}
