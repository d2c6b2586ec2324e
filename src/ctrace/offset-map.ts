/**
 * Maps positions in a scan buffer back to file offsets. The buffer's bytes come from logical chunks, each
 * contiguous in the file, with descriptor gaps between some of them; one segment per contiguous run keeps
 * the map as small as the number of record boundaries inside the buffer (usually 0 or 1).
 */
export class OffsetMap {
  /** Buffer index where each segment starts, ascending; segment 0 starts at 0. */
  private readonly starts: number[] = [0];
  /** File offset of each segment's first byte. */
  private readonly offsets: number[] = [0];
  private count = 1;

  /** One segment: buffer index 0 is file offset `fileOffset`. */
  reset(fileOffset: number): void {
    this.starts[0] = 0;
    this.offsets[0] = fileOffset;
    this.count = 1;
  }

  /** Buffer bytes from `index` on come from `fileOffset` on (a no-op when that continues the last segment). */
  append(index: number, fileOffset: number): void {
    const last = this.count - 1;
    if (this.offsetIn(last, index) === fileOffset) return;
    this.starts[this.count] = index;
    this.offsets[this.count] = fileOffset;
    this.count++;
  }

  fileOffsetAt(index: number): number {
    return this.offsetIn(this.segmentOf(index), index);
  }

  /** Buffer index where the segment holding `index` ends (Infinity for the last segment). */
  segmentEnd(index: number): number {
    const next = this.segmentOf(index) + 1;
    return next < this.count ? (this.starts[next] ?? Infinity) : Infinity;
  }

  /** The buffer dropped its first `index` bytes: shift the map to match. */
  dropBefore(index: number): void {
    const first = this.segmentOf(index);
    const base = this.offsetIn(first, index);
    let kept = 0;
    for (let s = first; s < this.count; s++, kept++) {
      this.starts[kept] = kept === 0 ? 0 : (this.starts[s] ?? 0) - index;
      this.offsets[kept] = kept === 0 ? base : (this.offsets[s] ?? 0);
    }
    this.count = kept;
  }

  private segmentOf(index: number): number {
    let s = this.count - 1;
    while (s > 0 && (this.starts[s] ?? 0) > index) s--;
    return s;
  }

  private offsetIn(segment: number, index: number): number {
    return (this.offsets[segment] ?? 0) + index - (this.starts[segment] ?? 0);
  }
}
