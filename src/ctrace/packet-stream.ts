/**
 * The packets of one read of a trace data set, as an async iterator written by hand. The scanner and
 * decoder run synchronously on the chunk in hand; a packet they produce is handed out at once, with one
 * resolved promise, and only the step that needs the next chunk awaits the file. An async generator
 * here cost about 0.2 µs per packet more (measured: a sixth of a conversion).
 */
import type { LogicalChunk } from '../zos/logical-chunk.js';
import type { TracePacket } from '../model/trace-packet.js';
import type { CteScanner } from './cte-scanner.js';
import type { ComponentDecoder } from './component-decoders.js';
import type { ReadSummaryBuilder } from './read-summary.js';

export interface PacketStreamParts {
  /** The logical trace data, chunk by chunk. */
  chunks: AsyncIterator<LogicalChunk>;
  scanner: CteScanner;
  decoder: ComponentDecoder;
  summary: ReadSummaryBuilder;
  /** Runs once when the stream ends, fails or is abandoned (closes the file). */
  cleanup(): Promise<void>;
  /** Runs after a complete read, before the end is reported; may throw (no entry at all). */
  atEnd(): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class PacketStream implements AsyncIterableIterator<TracePacket> {
  /** The decoder may have more packets from the last entry (takeQueued). */
  private draining = false;
  /** Packets the decoder still held at the end of input. */
  private flushed: TracePacket[] | null = null;
  private inputEnded = false;
  private finished = false;
  /** A next() that is waiting for input: a further call waits behind it. */
  private waiting: Promise<IteratorResult<TracePacket>> | null = null;

  constructor(private readonly parts: PacketStreamParts) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<TracePacket>> {
    if (this.waiting !== null) return this.waiting.then(() => this.next());
    if (this.finished) return Promise.resolve(DONE);
    let packet: TracePacket | null;
    try {
      packet = this.pull();
    } catch (error) {
      return this.fail(error);
    }
    if (packet !== null) return Promise.resolve({ done: false, value: packet });
    const waiting = this.nextAfterInput();
    this.waiting = waiting;
    return waiting.finally(() => {
      this.waiting = null;
    });
  }

  /** The consumer stopped early (a `break` in for-await): release the file. */
  async return(): Promise<IteratorResult<TracePacket>> {
    await this.finish();
    return DONE;
  }

  /** The next packet from input already pushed, or null when the scanner needs more. */
  private pull(): TracePacket | null {
    const { scanner, decoder, summary } = this.parts;
    if (this.draining) {
      const queued = decoder.takeQueued();
      if (queued !== null) return summary.packet(queued);
      this.draining = false;
    }
    for (let entry = scanner.next(); entry !== null; entry = scanner.next()) {
      summary.entry(entry.formatId);
      const packet = decoder.decode(entry);
      if (packet !== null) {
        this.draining = true;
        return summary.packet(packet);
      }
    }
    if (this.inputEnded) return this.pullFlushed();
    return null;
  }

  /** At the end of input: the packets the decoder still held, one by one. */
  private pullFlushed(): TracePacket | null {
    const { decoder, summary } = this.parts;
    this.flushed ??= decoder.flush();
    const packet = this.flushed.shift();
    return packet === undefined ? null : summary.packet(packet);
  }

  /** Feeds chunks to the scanner until a packet comes out or the input ends. */
  private async nextAfterInput(): Promise<IteratorResult<TracePacket>> {
    try {
      while (!this.inputEnded) {
        const chunk = await this.parts.chunks.next();
        if (chunk.done === true) {
          this.inputEnded = true;
          this.parts.scanner.finish();
        } else {
          this.parts.scanner.push(chunk.value);
        }
        const packet = this.pull();
        if (packet !== null) return { done: false, value: packet };
      }
      await this.finish();
      this.parts.atEnd();
      return DONE;
    } catch (error) {
      return this.fail(error);
    }
  }

  private async fail(error: unknown): Promise<never> {
    await this.finish();
    throw error;
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (!this.inputEnded) await this.parts.chunks.return?.();
    await this.parts.cleanup();
  }
}
