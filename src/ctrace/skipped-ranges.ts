/**
 * Turns the bytes the CTE scanner passes over into SkippedRanges: one range per run of file-contiguous
 * skipped bytes, `zero-fill` when all its bytes are zero (buffer padding after the last entry, normal) and
 * `damaged` otherwise. A long zero run next to non-zero bytes is reported apart from them, so that the
 * padding at the end of one buffer does not count as damage because a writer header or a broken entry
 * follows it. The result depends only on the bytes, never on how the input was chunked.
 */
import type { SkippedRange } from './cte.js';

/**
 * Zero runs at least this long are padding of their own. Shorter ones inside damaged bytes stay damage:
 * entry data and headers hold short zero runs, a trace buffer's padding after its last entry is usually
 * far longer.
 */
export const ZERO_FILL_MIN_RUN = 32;

export class SkippedRangeTracker {
  private start = 0;
  private length = 0;
  /** Zero bytes at the end of the open range. */
  private zeroTail = 0;

  constructor(private readonly emit: (range: SkippedRange) => void) {}

  /** `length` skipped bytes at `fileOffset`, all zero or all non-zero; runs arrive in file order. */
  add(fileOffset: number, length: number, zero: boolean): void {
    if (this.length > 0 && fileOffset !== this.start + this.length) this.flush();
    if (!zero && this.zeroTail >= ZERO_FILL_MIN_RUN) this.flush();
    if (this.length === 0) this.start = fileOffset;
    this.length += length;
    this.zeroTail = zero ? this.zeroTail + length : 0;
  }

  /** Ends the open range (a valid entry or the end of the data follows). */
  flush(): void {
    if (this.length === 0) return;
    const damaged = this.length - this.zeroTail;
    if (damaged === 0) {
      this.emit({ fileOffset: this.start, length: this.length, kind: 'zero-fill' });
    } else if (this.zeroTail >= ZERO_FILL_MIN_RUN) {
      this.emit({ fileOffset: this.start, length: damaged, kind: 'damaged' });
      this.emit({ fileOffset: this.start + damaged, length: this.zeroTail, kind: 'zero-fill' });
    } else {
      this.emit({ fileOffset: this.start, length: this.length, kind: 'damaged' });
    }
    this.length = 0;
    this.zeroTail = 0;
  }
}
