/** Lines to a slow stream: the producer is made to wait (bounded memory), nothing is lost or reordered. */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { LineSink } from '../src/list/line-sink.js';

describe('line sink', () => {
  it('makes the producer wait while a slow reader catches up, and delivers every line in order', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => {
          received.push(chunk.toString());
          done();
        }, 1);
      },
    });
    let mostQueued = 0;
    const sink = new LineSink(slow);
    let waits = 0;
    for (let i = 0; i < 20_000; i++) {
      const pending = sink.write(`line ${i} ${'x'.repeat(40)}`);
      mostQueued = Math.max(mostQueued, slow.writableLength);
      if (pending !== undefined) {
        waits++;
        await pending;
      }
    }
    await sink.flush();
    await new Promise<void>((resolve) => slow.end(resolve));
    const lines = received.join('').split('\n').filter((l) => l !== '');
    expect(lines).to.have.length(20_000);
    expect(lines.every((line, i) => line.startsWith(`line ${i} `))).to.equal(true);
    expect(waits).to.be.greaterThan(0);
    expect(mostQueued).to.be.at.most(2 * 64 * 1024); // one chunk being written, at most one more waiting
  });

  it('a reader that went away (EPIPE) closes the sink instead of failing', async () => {
    const gone = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = new LineSink(gone);
    sink.write('x'.repeat(70_000));
    await sink.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.closed).to.equal(true);
    await sink.flush(); // nothing more is written, nothing thrown
  });
});
