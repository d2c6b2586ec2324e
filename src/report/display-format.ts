/**
 * How numbers, times and durations read in the HTML report. The JSON keeps the raw values; these only
 * shape what a person reads (thousands separators, UTC times to the microsecond, durations in seconds).
 */

const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DECIMAL_FORMAT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** A number that may carry a fraction (throughput, thresholds): whole numbers plain, others to 1–3 places. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return formatCount(n);
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: Math.abs(n) < 1 ? 3 : 1 }).format(n);
}

/** Bytes with a binary unit once they pass a kilobyte: "512 B", "1.5 KiB", "3.2 MiB". */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (Math.abs(n) < 1024) return `${formatCount(n)} B`;
  let value = n / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${DECIMAL_FORMAT.format(value)} ${units[unit]}`;
}

/**
 * A duration in seconds: "0.000123 s" below a minute (microseconds are what separate network from
 * server time), "2:05.058400" (m:ss) or "1:02:05.058400" (h:mm:ss) above.
 */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  const sign = sec < 0 ? '-' : '';
  const abs = Math.abs(sec);
  if (abs < 60) return `${sign}${abs.toFixed(6)} s`;
  const micros = Math.round(abs * 1e6);
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  const totalSeconds = Math.floor(micros / 1_000_000);
  const s = String(totalSeconds % 60).padStart(2, '0');
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${sign}${minutes}:${s}.${fraction}`;
  const m = String(minutes % 60).padStart(2, '0');
  return `${sign}${Math.floor(minutes / 60)}:${m}:${s}.${fraction}`;
}

/** Milliseconds to the microsecond: "12.345 ms"; null (unknown) as a dash. */
export function formatMilliseconds(ms: number | null): string {
  return ms === null ? '–' : `${ms.toFixed(3)} ms`;
}

/** A duration that may be unknown. */
export function formatOptionalDuration(sec: number | null): string {
  return sec === null ? '–' : formatDuration(sec);
}

/**
 * An ISO UTC time from the model ("2025-11-22T10:15:30.123456789Z") as "2025-11-22 10:15:30.123456":
 * the report states once that all times are UTC. Anything else is shown as it came.
 */
export function formatTime(iso: string | null): string {
  if (iso === null) return '–';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (match === null) return iso;
  const fraction = (match[3] ?? '').padEnd(6, '0').slice(0, 6);
  return `${match[1]} ${match[2]}.${fraction}`;
}

/** "1 error", "3 warnings", "2 entries" (with the plural form given). */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}

/** Seconds from one model time to another (nanosecond ISO strings), or null when either is not one. */
export function secondsBetween(fromIso: string | null, toIso: string | null): number | null {
  const from = fromIso === null ? null : isoSeconds(fromIso);
  const to = toIso === null ? null : isoSeconds(toIso);
  return from === null || to === null ? null : to.whole - from.whole + (to.nanos - from.nanos) / 1e9;
}

function isoSeconds(iso: string): { whole: number; nanos: number } | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (match === null) return null;
  const ms = Date.parse(`${match[1]}Z`);
  return Number.isNaN(ms) ? null : { whole: ms / 1000, nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}
