/**
 * A component trace entry (CTE) as the scanner found it. The layout is IBM's (contract §2):
 * CTELENP(2) CTEOFF(2) CTEFMTID(4) CTETIME(8) data... CTELENE(2).
 */
export interface CteEntry {
  /** 1-based ordinal among the valid entries of the file: the "record number" users see. */
  entryNumber: number;
  /** File offset of the entry's first byte (CTELENP). */
  fileOffset: number;
  formatId: number;
  /** CTETIME as two unsigned 32-bit halves of the STCK value. */
  todHigh: number;
  todLow: number;
  /**
   * The whole entry, CTELENP through CTELENE. A view into the scanner's buffer: valid only until the next
   * entry is pulled.
   */
  bytes: Uint8Array;
  /** CTEOFF: offset of the component data inside `bytes`. */
  dataOffset: number;
  /** End of the component data inside `bytes` (CTELENP - 2). */
  dataEnd: number;
}

/** Byte ranges the scanner passed over, kept so the report can say where evidence is missing. */
export interface SkippedRange {
  fileOffset: number;
  length: number;
  /** zero-fill: buffer padding after the last entry (normal); damaged: anything else (writer headers, damage). */
  kind: 'zero-fill' | 'damaged';
}

/**
 * Component-specific acceptance of a structurally valid entry (known format ID, IP version nibble at the
 * packet offset...). Returns null when the entry is acceptable, or a short reason when it is not.
 */
export type EntryCheck = (entry: CteEntry) => string | null;
