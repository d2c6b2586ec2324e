/**
 * Several packet streams merged into one in time order. Each stream is read in its own order and only
 * one packet per stream is held, so memory stays flat whatever the inputs' sizes. A stream is advanced
 * only after its held packet has been handed on, so packet views stay valid without copies. Packets
 * with equal times keep the order of the streams as given.
 */
import { compareTime } from '../model/time.js';
import type { TracePacket } from '../model/trace-packet.js';

interface Head {
  packet: TracePacket;
  stream: number;
  iterator: AsyncIterator<TracePacket>;
}

function before(a: Head, b: Head): boolean {
  const order = compareTime(a.packet.timeSec, a.packet.timeNsec, b.packet.timeSec, b.packet.timeNsec);
  return order < 0 || (order === 0 && a.stream < b.stream);
}

/** A binary min-heap of stream heads: log(k) per packet for k inputs. */
class HeadHeap {
  private readonly items: Head[] = [];

  get size(): number {
    return this.items.length;
  }

  push(head: Head): void {
    const items = this.items;
    items.push(head);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Head {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

export async function* mergeByTime(streams: readonly AsyncIterable<TracePacket>[]): AsyncGenerator<TracePacket> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const heap = new HeadHeap();
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
      if (next.done !== true) heap.push({ packet: next.value, stream: head.stream, iterator: head.iterator });
    }
  } finally {
    // Close streams left unfinished (an error, or the consumer stopped early) so their files are closed.
    await Promise.allSettled(iterators.map((iterator) => iterator.return?.()));
  }
}
