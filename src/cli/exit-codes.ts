/**
 * Exit codes, one table for every command, so a nightly batch job can tell what happened.
 * Documented in the README ("Exit codes"); keep the two in step.
 */
import type { ZctraceErrorCode } from '../errors.js';

export const ExitCode = {
  /** Everything requested was done (damaged records skipped along the way are reported, not fatal). */
  OK: 0,
  /** An unexpected internal error: a bug to report. */
  INTERNAL: 1,
  /** Bad command line: unknown option, bad value. */
  USAGE: 2,
  /** An input could not be used: missing, unreadable, empty, or without a single valid trace entry. */
  INPUT: 3,
  /** An output could not be written; nothing was left behind. */
  OUTPUT: 4,
  /** The layout profile is invalid. */
  LAYOUT: 5,
  /**
   * The input is of a capture format version zctrace does not read, or holds something it cannot write as
   * asked (e.g. mixed link types into pcap).
   */
  UNSUPPORTED: 6,
  /** `report --fail-on`: the report was written and holds findings at or above the named severity. */
  FINDINGS: 8,
  /** The run was interrupted (SIGINT/SIGTERM); partial outputs were removed. */
  INTERRUPTED: 130,
} as const;

/** Which exit code an error family maps to; IO is refined by whether it hit an input or an output. */
const EXIT_BY_ERROR: Record<ZctraceErrorCode, number> = {
  USAGE: ExitCode.USAGE,
  IO: ExitCode.INPUT,
  EMPTY: ExitCode.INPUT,
  NO_ENTRIES: ExitCode.INPUT,
  BAD_RECORD: ExitCode.INPUT,
  LAYOUT: ExitCode.LAYOUT,
  UNSUPPORTED: ExitCode.UNSUPPORTED,
};

export function exitCodeFor(code: ZctraceErrorCode, isOutput: boolean): number {
  return code === 'IO' && isOutput ? ExitCode.OUTPUT : EXIT_BY_ERROR[code];
}
