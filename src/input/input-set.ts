/**
 * The inputs of one run as one packet stream: each input (CTRACE data set, pcap or pcapng) is opened as
 * a packet source, counted, filtered, put in time order through a bounded window, and the inputs are
 * merged by time. Filtering comes before the window, so only packets kept are ever copied. What each
 * input gave (packets read, kept, out of order) is there for the run's summary once the stream ends.
 *
 * Packets are pushed to a handler rather than pulled: with one input (the common case) the window runs
 * inside the loop over the reader's puller (input/packet-puller.ts), with no async iterator between
 * reader and handler, which would cost more per packet than the window itself. Several inputs are pulled
 * one packet at a time by the k-way merge.
 */
import { openPacketSource, type InputKind, type PacketSource } from './packet-source.js';
import type { ReadSummary } from '../ctrace/read-summary.js';
import { mergeByTime } from './merge-by-time.js';
import { TimeOrderWindow, type SourcedPacket } from './time-order-window.js';
import type { PacketPuller } from './packet-puller.js';
import type { TraceReadOptions } from '../ctrace/trace-reader.js';
import type { TracePacket } from '../model/trace-packet.js';

export interface InputCounts {
  /** Packets the input gave. */
  read: number;
  /** Packets that passed the filter. */
  kept: number;
  /** Packets more out of time order than the window allows: written where they came, out of order. */
  late: number;
}

/** What one input gave, for the run's summary. */
export interface InputReport {
  path: string;
  kind: InputKind;
  /** The read summary of a CTRACE input; null for pcap and pcapng inputs. */
  summary: ReadSummary | null;
  counts: InputCounts;
}

/** Which packets a run keeps (a PacketFilter of the shared filter options). */
export interface PacketSelector {
  matches(packet: TracePacket): boolean;
}

/**
 * Takes each packet in turn; the packet's bytes are valid until the handler returns (or its promise
 * settles). Returning false (or a promise of false) stops the run early: the inputs are closed.
 */
export type PacketHandler = (packet: SourcedPacket) => void | false | Promise<void | false>;

export interface InputSet {
  readonly sources: readonly PacketSource[];
  /** Bytes of all inputs together, for a progress bar. */
  readonly totalSize: number;
  /** Hands every kept packet of every input to `onPacket`, in time order; `onProgress` hears the bytes read. */
  forEach(onPacket: PacketHandler, onProgress?: (bytesRead: number) => void): Promise<void>;
  /** Per input, in the order given; complete once `forEach` has finished. */
  reports(): InputReport[];
}

/** One input's stage: counting, the filter, the time-order window. */
class OrderedInput {
  readonly window = new TimeOrderWindow();

  constructor(
    readonly source: PacketSource,
    private readonly input: number,
    readonly counts: InputCounts,
    private readonly keep: PacketSelector | null,
  ) {}

  /**
   * Opens the source. When it says before it reuses a buffer, the window keeps views and copies only the
   * packets it still holds then; packets whose bytes last only until the next one are copied at once.
   */
  private open(onProgress: (bytesRead: number) => void): PacketPuller {
    const window = this.window;
    return this.source.tellsBytesReuse ? this.source.open(onProgress, (buffer) => window.keepHeldBytes(buffer)) : this.source.open(onProgress);
  }

  /** Counts the packet and, when the filter keeps it, puts it in the window. */
  private take(packet: TracePacket, bytesStay: boolean): void {
    const counts = this.counts;
    counts.read++;
    if (this.keep !== null && !this.keep.matches(packet)) return;
    counts.kept++;
    if (bytesStay) this.window.addView(packet, this.input, counts.read);
    else this.window.add(packet, this.input, counts.read);
  }

  /** This input's kept packets in time order, pulled one at a time (for the merge of several inputs). */
  async *packets(onProgress: (bytesRead: number) => void): AsyncGenerator<SourcedPacket> {
    const window = this.window;
    const puller = this.open(onProgress);
    try {
      do {
        for (let packet = puller.ready(); packet !== null; packet = puller.ready()) {
          this.take(packet, puller.lastBytesStay);
          for (let out = window.ready(); out !== null; out = window.ready()) {
            yield out;
            window.recycle(out); // the consumer has pulled the next packet: the bytes may be reused
          }
        }
      } while (await puller.more());
      for (let out = window.drain(); out !== null; out = window.drain()) {
        yield out;
        window.recycle(out);
      }
    } finally {
      this.counts.late = window.late;
      await puller.close();
    }
  }

  /**
   * The single-input path: the window inside the loop over the reader, no async iterator of its own and
   * no promise per packet (only the handler's, when it returns one).
   */
  async pushTo(onPacket: PacketHandler, onProgress: (bytesRead: number) => void): Promise<void> {
    const window = this.window;
    const puller = this.open(onProgress);
    try {
      do {
        for (let packet = puller.ready(); packet !== null; packet = puller.ready()) {
          this.take(packet, puller.lastBytesStay);
          for (let out = window.ready(); out !== null; out = window.ready()) {
            const pending = onPacket(out);
            const verdict = pending instanceof Promise ? await pending : pending;
            window.recycle(out);
            if (verdict === false) return;
          }
        }
      } while (await puller.more());
      for (let out = window.drain(); out !== null; out = window.drain()) {
        const pending = onPacket(out);
        const verdict = pending instanceof Promise ? await pending : pending;
        window.recycle(out);
        if (verdict === false) return;
      }
    } finally {
      this.counts.late = window.late;
      await puller.close();
    }
  }
}

async function pushMerged(inputs: readonly OrderedInput[], onPacket: PacketHandler, progress: (input: number) => (bytes: number) => void): Promise<void> {
  for await (const packet of mergeByTime(inputs.map((input, i) => input.packets(progress(i))))) {
    const pending = onPacket(packet);
    if ((pending instanceof Promise ? await pending : pending) === false) return;
  }
}

/** Opens every input (a bad one fails here, before any output exists); `keep` null keeps every packet. */
export async function openInputSet(paths: readonly string[], readOptions: TraceReadOptions, keep: PacketSelector | null): Promise<InputSet> {
  const sources: PacketSource[] = [];
  for (const path of paths) sources.push(await openPacketSource(path, readOptions));
  const inputs = sources.map((source, i) => new OrderedInput(source, i, { read: 0, kept: 0, late: 0 }, keep));
  return {
    sources,
    totalSize: sources.reduce((sum, source) => sum + source.size, 0),
    reports: () => inputs.map(({ source, counts }) => ({ path: source.path, kind: source.kind, summary: source.traceSummary, counts })),
    forEach(onPacket, onProgress) {
      const bytesRead = sources.map(() => 0);
      const progress = (input: number) => (bytes: number) => {
        bytesRead[input] = bytes;
        onProgress?.(bytesRead.reduce((sum, n) => sum + n, 0));
      };
      return inputs.length === 1 ? inputs[0]!.pushTo(onPacket, progress(0)) : pushMerged(inputs, onPacket, progress);
    },
  };
}
