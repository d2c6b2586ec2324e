/**
 * A packet source read without a promise per packet: `ready` hands out the packets already decoded, one
 * synchronous call each, and only `more` (which reads the next piece of the file) awaits. For a CTRACE
 * input a chunk holds thousands of packets, so the awaits are per chunk, not per packet (a `for await`
 * over an async iterator cost a promise and a result object per packet: a tenth of a conversion).
 */
import type { TracePacket } from '../model/trace-packet.js';

export interface PacketPuller {
  /**
   * The next packet already at hand, or null: then await `more`. Its bytes stay valid until the next
   * `ready` call, or longer when `lastBytesStay` says so.
   */
  ready(): TracePacket | null;
  /**
   * True when the bytes of the packet `ready` returned last stay valid until the puller's reuse listener
   * names their buffer (a view into a read buffer or the scanner's carry); false when they last only until
   * the next `ready` (a reassembly buffer, a synthesized packet, a puller opened without a listener).
   */
  readonly lastBytesStay: boolean;
  /** Reads on; false once the input has ended and every packet has been handed out (the file is closed). */
  more(): Promise<boolean>;
  /** Stops early and releases the file; harmless after the end. */
  close(): Promise<void>;
}

/**
 * Hears that `buffer`, which bytes of packets already handed out may view, is about to be overwritten (a
 * read buffer or the scanner's carry is reused): whoever still holds such packets must copy them now.
 */
export type BytesReusedListener = (buffer: ArrayBufferLike) => void;

/** Any async packet stream as a puller: one packet per `more` (for capture-file inputs). */
export function pullerOf(packets: AsyncIterable<TracePacket>): PacketPuller {
  const iterator = packets[Symbol.asyncIterator]();
  let held: TracePacket | null = null;
  let ended = false;
  return {
    lastBytesStay: false,
    ready() {
      const packet = held;
      held = null;
      return packet;
    },
    async more() {
      if (ended) return false;
      const next = await iterator.next();
      if (next.done === true) {
        ended = true;
        return false;
      }
      held = next.value;
      return true;
    },
    async close() {
      if (ended) return;
      ended = true;
      await iterator.return?.();
    },
  };
}
