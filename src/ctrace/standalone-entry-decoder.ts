/**
 * What component decoders whose entries stand alone (OSAENTA, IDS) share: one entry gives at most one
 * packet at once, so nothing is ever queued or held at the end, and the counters are reported with the
 * describer's count of packets timed by CTETIME.
 */
import type { CtracePacket } from '../model/trace-packet.js';
import type { CteEntry, EntryCheck } from './cte.js';
import type { ComponentDecoder } from './component-decoders.js';
import type { PacketDescriber } from './packet-describer.js';

export abstract class StandaloneEntryDecoder<Counters extends { captureTimeFallbacks: number }> implements ComponentDecoder {
  abstract readonly check: EntryCheck;
  protected abstract readonly counters: Counters;
  protected abstract readonly describer: PacketDescriber;

  abstract decode(entry: CteEntry): CtracePacket | null;

  /** Every packet these decoders make is a view of its own entry's bytes. */
  readonly lastPacketViewsEntry = true;

  takeQueued(): CtracePacket | null {
    return null;
  }

  flush(): CtracePacket[] {
    return [];
  }

  stats(): Record<string, number> {
    this.counters.captureTimeFallbacks = this.describer.captureTimeFallbacks;
    return { ...this.counters };
  }
}
