import type { LogicalChunk } from '../../src/zos/logical-chunk.js';

/** The file in chunks through ONE reused buffer, as strict as the real reader: a view dies at the next pull. */
export async function* chunksOf(bytes: Uint8Array, size: number, base = 0): AsyncGenerator<LogicalChunk> {
  const reused = new Uint8Array(size);
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    reused.set(piece);
    yield { bytes: reused.subarray(0, piece.length), fileOffset: base + at };
  }
}
