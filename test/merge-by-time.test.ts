import { expect } from 'chai';
import { mergeByTime } from '../src/input/merge-by-time.js';
import { tracePacket } from './support/tshark.js';
import type { TracePacket } from '../src/model/trace-packet.js';

/** A stream that, like the real readers, reuses one buffer: a packet's bytes are valid until the next pull. */
async function* reusingStream(tag: number, times: number[], log: string[]): AsyncGenerator<TracePacket> {
  const buffer = new Uint8Array(2);
  try {
    for (const [i, t] of times.entries()) {
      buffer[0] = tag;
      buffer[1] = i;
      yield tracePacket({ data: buffer, timeSec: Math.floor(t), timeNsec: Math.round((t % 1) * 1e9) });
    }
  } finally {
    log.push(`closed ${tag}`);
  }
}

describe('merging inputs by time', () => {
  it('interleaves streams in time order; equal times keep the streams\u2019 order', async () => {
    const log: string[] = [];
    const merged: string[] = [];
    const streams = [reusingStream(1, [1, 3, 5, 5.5], log), reusingStream(2, [2, 3, 4], log), reusingStream(3, [0.5, 6], log)];
    for await (const p of mergeByTime(streams)) merged.push(`${p.timeSec + p.timeNsec / 1e9}:${p.data[0]}/${p.data[1]}`);
    expect(merged).to.deep.equal(['0.5:3/0', '1:1/0', '2:2/0', '3:1/1', '3:2/1', '4:2/2', '5:1/2', '5.5:1/3', '6:3/1']);
    expect(log.sort()).to.deep.equal(['closed 1', 'closed 2', 'closed 3']);
  });

  it('closes every input when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const p of mergeByTime([reusingStream(1, [1, 2, 3], log), reusingStream(2, [1.5, 2.5], log)])) {
      if (p.timeSec === 2) break;
    }
    expect(log.sort()).to.deep.equal(['closed 1', 'closed 2']);
  });

  it('passes a single stream through untouched and copes with empty ones', async () => {
    const log: string[] = [];
    const one: number[] = [];
    for await (const p of mergeByTime([reusingStream(7, [3, 1, 2], log)])) one.push(p.timeSec);
    expect(one).to.deep.equal([3, 1, 2]); // file order is the stream's own business
    const mixed: number[] = [];
    for await (const p of mergeByTime([reusingStream(1, [], log), reusingStream(2, [4, 8], log)])) mixed.push(p.timeSec);
    expect(mixed).to.deep.equal([4, 8]);
  });
});
