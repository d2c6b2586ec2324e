/**
 * The shape of a decoder for one SYSTCPDA record format whose entries stand alone: each entry becomes at
 * most one packet, at once, with nothing held across entries for assembly.
 */
import type { CtracePacket } from '../model/trace-packet.js';
import type { CteEntry, EntryCheck } from './cte.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { CodePage } from '../zos/ebcdic.js';

export interface RecordDecoderOptions {
  profile: LayoutProfile;
  codePage: CodePage;
  /** Seconds the site's TOD clock runs ahead of UTC (contract §2.1). */
  leapSeconds: number;
}

export interface RecordDecoder {
  /** The scanner's acceptance test for entries of this format (null: acceptable). */
  readonly check: EntryCheck;
  /** The entry's packet, or null when none comes from it (then it is counted). Its bytes are valid until the next decode. */
  decode(entry: CteEntry): CtracePacket | null;
  /** Counters for the read summary, under names that say which format they belong to. */
  stats(): Record<string, number>;
  /** Entries of this format no packet came from. */
  readonly entriesNotConverted: number;
}
