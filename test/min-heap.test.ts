/** The min-heap under the merge of inputs: items come back smallest first, whatever order they went in. */
import { expect } from 'chai';
import { MinHeap } from '../src/input/min-heap.js';

describe('min-heap', () => {
  it('gives items back smallest first, whatever order they went in', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    const values = Array.from({ length: 300 }, (_, i) => (i * 7919) % 1009);
    for (const v of values) heap.push(v);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop());
    expect(out).to.deep.equal([...values].sort((a, b) => a - b));
  });
});
