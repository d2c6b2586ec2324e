/**
 * One error family for everything a user can cause: each carries the file and, where it applies, the
 * byte offset, so the CLI prints one line such as "TRACE.bin: offset 4096: no valid trace entry".
 */
export type ZctraceErrorCode =
  | 'USAGE' // bad options or option values
  | 'IO' // a file that cannot be read or written
  | 'EMPTY' // an input file with no bytes
  | 'NO_ENTRIES' // an input with no valid trace entry
  | 'BAD_RECORD' // a structure that cannot be what it claims (framing, headers)
  | 'LAYOUT' // an invalid layout profile
  | 'UNSUPPORTED'; // a valid input zctrace cannot handle (yet)

export class ZctraceError extends Error {
  readonly code: ZctraceErrorCode;
  readonly file: string | null;
  readonly offset: number | null;

  constructor(code: ZctraceErrorCode, message: string, file: string | null = null, offset: number | null = null) {
    super(message);
    this.name = 'ZctraceError';
    this.code = code;
    this.file = file;
    this.offset = offset;
  }

  /** The one-line form the CLI prints: "FILE: offset N: message". */
  oneLine(): string {
    const where = [this.file, this.offset === null ? null : `offset ${this.offset}`].filter((p) => p !== null);
    return [...where, this.message].join(': ');
  }
}
