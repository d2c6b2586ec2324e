/**
 * `--from` / `--to` times: ISO 8601 with a zone, `2024-05-01T10:00:00Z` (UTC) or `2024-05-01T12:00:00+02:00`
 * (local time with its offset), seconds optional, a fraction down to nanoseconds. A time without a zone is
 * refused: a trace from a z/OS system in another zone would otherwise be cut at the wrong hour.
 */
import { ZctraceError } from '../errors.js';

export interface TimePoint {
  sec: number;
  nsec: number;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

function badTime(option: string, text: string, why: string): ZctraceError {
  return new ZctraceError('USAGE', `${option} ${text}: ${why}`);
}

/** Offset of a zone designator in seconds east of UTC. */
function zoneSeconds(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
}

/** The instant `text` names; `option` ('--from', '--to') is for the error message. */
export function parseTimePoint(option: string, text: string): TimePoint {
  const m = ISO_TIME.exec(text.trim());
  if (m === null) {
    const hint = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim())
      ? 'add the zone: Z for UTC, or the offset of the local time such as +02:00'
      : 'use ISO 8601 like 2024-05-01T10:00:00Z or 2024-05-01T12:00:00.250+02:00';
    throw badTime(option, text, hint);
  }
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wholeMs);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw badTime(option, text, 'no such date or time');
  }
  const zone = zoneSeconds(m[8] ?? 'Z');
  if (Math.abs(zone) > 18 * 3600) throw badTime(option, text, 'zone offset beyond ±18:00');
  return { sec: wholeMs / 1000 - zone, nsec: Number((m[7] ?? '').padEnd(9, '0')) };
}
