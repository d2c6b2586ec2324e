/**
 * One decoder per trace component, behind one shape, so the reader does not care which component a file
 * holds. Entries a component decoder does not (yet) turn into packets are counted, never dropped silently.
 */
import { createPacketTraceDecoder, PACKET_TRACE_FORMAT_ID } from './packet-trace-decoder.js';
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
  /** A further packet completed by the last decode, or null. */
  takeQueued(): CtracePacket | null;
  /** Packets still held at the end of input. */
  flush(): CtracePacket[];
  /** Counters for the read summary; `entriesNotConverted` counts entries no packet came from by design. */
  stats(): Record<string, number>;
}

/** SYSTCPDA: format 4 packet records become packets; data trace and the rest are counted for now. */
function createSystcpdaDecoder(options: ComponentDecoderOptions): ComponentDecoder {
  const packets = createPacketTraceDecoder(options);
  let entriesNotConverted = 0;
  return {
    check: packets.check,
    decode(entry) {
      if (entry.formatId !== PACKET_TRACE_FORMAT_ID) {
        entriesNotConverted++;
        return null;
      }
      return packets.decode(entry);
    },
    takeQueued: () => packets.takeQueued(),
    flush: () => packets.flush(),
    stats: () => ({ ...packets.stats, entriesNotConverted }),
  };
}

/** A component whose records this version reads but does not convert: every entry is counted. */
function createCountingDecoder(): ComponentDecoder {
  let entriesNotConverted = 0;
  return {
    check: () => null,
    decode() {
      entriesNotConverted++;
      return null;
    },
    takeQueued: () => null,
    flush: () => [],
    stats: () => ({ packets: 0, entriesNotConverted }),
  };
}

const DECODER_FACTORIES: Record<Component, (options: ComponentDecoderOptions) => ComponentDecoder> = {
  SYSTCPDA: createSystcpdaDecoder,
  SYSTCPOT: createCountingDecoder,
  SYSTCPIS: createCountingDecoder,
};

export function createComponentDecoder(component: Component, options: ComponentDecoderOptions): ComponentDecoder {
  return DECODER_FACTORIES[component](options);
}
