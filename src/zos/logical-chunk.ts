/**
 * What the framing stage hands the CTE scanner: the trace data with RDW/BDW/SDW descriptors removed.
 * Consecutive chunks are logically contiguous (spanned segments already joined in order).
 */
export interface LogicalChunk {
  bytes: Uint8Array;
  /** File offset of bytes[0]. Inside a chunk, byte i sits at fileOffset + i (a chunk never spans a descriptor). */
  fileOffset: number;
}

export type Framing = 'raw' | 'rdw' | 'bdw';
export type FramingChoice = Framing | 'auto';
