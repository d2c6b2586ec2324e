/**
 * One decoder per trace component, behind one shape, so the reader does not care which component a file
 * holds. Entries a component decoder does not (yet) turn into packets are counted, never dropped silently.
 */
import { createPacketTraceDecoder, PACKET_TRACE_FORMAT_ID } from './packet-trace-decoder.js';
import { createDataTraceDecoder, DATA_TRACE_FORMAT_ID } from './data-trace-decoder.js';
import { createEeDecoder, ENTERPRISE_EXTENDER_FORMAT_ID } from './ee-decoder.js';
import { createSmcDecoder, SMC_FORMAT_ID } from './smc-decoder.js';
import type { RecordDecoder } from './record-decoder.js';
import { createOsaentaDecoder } from './osaenta-decoder.js';
import { createIdsDecoder } from './ids-decoder.js';
import type { Component } from '../model/component.js';
import type { CtracePacket } from '../model/trace-packet.js';
import type { CteEntry, EntryCheck } from './cte.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { CodePage } from '../zos/ebcdic.js';

export interface ComponentDecoderOptions {
  profile: LayoutProfile;
  codePage: CodePage;
  leapSeconds: number;
}

export interface ComponentDecoder {
  /** The scanner's acceptance test for this component's entries. */
  readonly check: EntryCheck;
  /** The packet an entry completes, or null; drain `takeQueued` after each call. */
  decode(entry: CteEntry): CtracePacket | null;
  /**
   * True when the packet `decode` returned last is a view of its entry's bytes (not a reassembled or
   * synthesized packet): then it lasts as long as the entry's chunk. Absent means never.
   */
  readonly lastPacketViewsEntry?: boolean;
  /** A further packet completed by the last decode, or null. */
  takeQueued(): CtracePacket | null;
  /** Packets still held at the end of input. */
  flush(): CtracePacket[];
  /** Counters for the read summary; `entriesNotConverted` counts entries no packet came from by design. */
  stats(): Record<string, number>;
}

/**
 * SYSTCPDA: packet trace (4), data trace (5) and Enterprise Extender (6) records become packets; SMC (8),
 * the old format 1 and unknown formats are counted. Formats 5, 6 and 8 stand alone entry by entry; only the
 * packet trace holds packets back (segment assembly), so only it has a queue to drain.
 */
function createSystcpdaDecoder(options: ComponentDecoderOptions): ComponentDecoder {
  const packets = createPacketTraceDecoder(options);
  const byFormat = new Map<number, RecordDecoder>([
    [DATA_TRACE_FORMAT_ID, createDataTraceDecoder(options)],
    [ENTERPRISE_EXTENDER_FORMAT_ID, createEeDecoder(options)],
    [SMC_FORMAT_ID, createSmcDecoder(options)],
  ]);
  let otherFormats = 0;
  let lastFromPacketTrace = false;
  return {
    check: (entry) => (entry.formatId === PACKET_TRACE_FORMAT_ID ? packets.check(entry) : (byFormat.get(entry.formatId)?.check(entry) ?? null)),
    decode(entry) {
      lastFromPacketTrace = entry.formatId === PACKET_TRACE_FORMAT_ID;
      if (lastFromPacketTrace) return packets.decode(entry);
      const decoder = byFormat.get(entry.formatId);
      if (decoder !== undefined) return decoder.decode(entry);
      otherFormats++;
      return null;
    },
    get lastPacketViewsEntry() {
      return lastFromPacketTrace && packets.lastPacketViewsEntry;
    },
    takeQueued: () => packets.takeQueued(),
    flush: () => packets.flush(),
    stats() {
      let entriesNotConverted = otherFormats;
      const stats: Record<string, number> = { ...packets.stats };
      for (const decoder of byFormat.values()) {
        Object.assign(stats, decoder.stats());
        entriesNotConverted += decoder.entriesNotConverted;
      }
      return { ...stats, entriesNotConverted };
    },
  };
}

const DECODER_FACTORIES: Record<Component, (options: ComponentDecoderOptions) => ComponentDecoder> = {
  SYSTCPDA: createSystcpdaDecoder,
  SYSTCPOT: createOsaentaDecoder,
  SYSTCPIS: createIdsDecoder,
};

export function createComponentDecoder(component: Component, options: ComponentDecoderOptions): ComponentDecoder {
  return DECODER_FACTORIES[component](options);
}
