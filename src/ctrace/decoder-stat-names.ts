/**
 * Names of the decoder counters (a ReadSummary's `decoder` map) that the warnings and findings act on,
 * checked against the decoders' own counter types: a renamed counter breaks the build, not the warning.
 */
import type { PacketTraceStats } from './packet-trace-decoder.js';
import type { IdsStats } from './ids-decoder.js';

/** Packets written in several entries that ended with pieces missing (written short). */
export const INCOMPLETE_SEGMENT_SETS = 'incompleteSegmentSets' satisfies keyof PacketTraceStats;

/** Entries of formats no packet came from (every component decoder reports it; see component-decoders.ts). */
export const ENTRIES_NOT_CONVERTED = 'entriesNotConverted' satisfies keyof IdsStats;
