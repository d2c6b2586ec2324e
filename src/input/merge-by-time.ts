/**
 * Several packet streams merged into one in time order. Each stream is read in its own order and only
 * one packet per stream is held, so memory stays flat whatever the inputs' sizes. A stream is advanced
 * only after its held packet has been handed on, so packet views stay valid without copies. Packets
 * with equal times keep the order of the streams as given.
 */
import { compareTime } from '../model/time.js';
import type { TracePacket } from '../model/trace-packet.js';
import { MinHeap } from './min-heap.js';

interface Head<T extends TracePacket> {
  packet: T;
  stream: number;
  iterator: AsyncIterator<T>;
}

function before<T extends TracePacket>(a: Head<T>, b: Head<T>): boolean {
  const order = compareTime(a.packet.timeSec, a.packet.timeNsec, b.packet.timeSec, b.packet.timeNsec);
  return order < 0 || (order === 0 && a.stream < b.stream);
}

/** Any packet type: what the streams yield (e.g. packets that know their input) is what comes out. */
export async function* mergeByTime<T extends TracePacket>(streams: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const heap = new MinHeap<Head<T>>(before);
  const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
  try {
    for (const [stream, iterator] of iterators.entries()) {
      const first = await iterator.next();
      if (first.done !== true) heap.push({ packet: first.value, stream, iterator });
    }
    while (heap.size > 0) {
      const head = heap.pop();
      yield head.packet;
      const next = await head.iterator.next();
      if (next.done === true) continue;
      head.packet = next.value; // the head object is reused: nothing is allocated per packet
      heap.push(head);
    }
  } finally {
    // Close streams left unfinished (an error, or the consumer stopped early) so their files are closed.
    await Promise.allSettled(iterators.map((iterator) => iterator.return?.()));
  }
}
