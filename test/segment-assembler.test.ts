import { expect } from 'chai';
import { MAX_REASSEMBLED_PACKET, SegmentAssembler } from '../src/ctrace/segment-assembler.js';

const KEY = { todHigh: 0xb88f32a5, todLow: 0x0a3c7000, tracedLength: 1000 };
const PACKET = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

function started(expected = 1000, firstPiece = 400): SegmentAssembler<string> {
  const assembler = new SegmentAssembler<string>();
  assembler.start('ctx', KEY, expected, PACKET, 0, firstPiece);
  return assembler;
}

describe('segment assembler', () => {
  it('joins pieces in order into the whole packet', () => {
    const assembler = started();
    expect(assembler.append(1, 400, PACKET, 400, 800)).to.equal('more');
    expect(assembler.append(2, 800, PACKET, 800, 1000)).to.equal('complete');
    const set = assembler.finish()!;
    expect(set.context).to.equal('ctx');
    expect(set.received).to.equal(3);
    expect(Buffer.from(set.data).equals(Buffer.from(PACKET))).to.equal(true);
    expect(assembler.active).to.equal(false);
  });

  it('recognises followers by capture time and traced length only', () => {
    const assembler = started();
    expect(assembler.continues(KEY.todHigh, KEY.todLow, KEY.tracedLength)).to.equal(true);
    expect(assembler.continues(KEY.todHigh, KEY.todLow + 1, KEY.tracedLength)).to.equal(false);
    expect(assembler.continues(KEY.todHigh, KEY.todLow, KEY.tracedLength + 1)).to.equal(false);
  });

  it('reports a gap for a missing piece (offset or number) and adds nothing', () => {
    const assembler = started();
    expect(assembler.append(2, 800, PACKET, 800, 1000)).to.equal('gap');
    expect(assembler.append(1, 500, PACKET, 500, 1000)).to.equal('gap');
    expect(assembler.collected).to.equal(400);
    const set = assembler.finish()!;
    expect(Buffer.from(set.data).equals(Buffer.from(PACKET.subarray(0, 400)))).to.equal(true);
    expect(set.received).to.equal(1);
  });

  it('numbers segments 1..255 then wraps to 1', () => {
    const total = 300;
    const packet = Uint8Array.from({ length: total }, (_, i) => i & 0xff);
    const assembler = new SegmentAssembler<null>();
    assembler.start(null, KEY, total, packet, 0, 1);
    for (let i = 1; i < total; i++) {
      const number = ((i - 1) % 255) + 1;
      expect(assembler.append(number, i, packet, i, i + 1)).to.equal(i === total - 1 ? 'complete' : 'more');
    }
    expect(Buffer.from(assembler.finish()!.data).equals(Buffer.from(packet))).to.equal(true);
  });

  it('keeps a finished set readable while the next set collects', () => {
    const assembler = started(1000, 400);
    const first = assembler.finish()!;
    assembler.start('next', KEY, 1000, new Uint8Array(1000).fill(0xee), 0, 600);
    expect(Buffer.from(first.data).equals(Buffer.from(PACKET.subarray(0, 400)))).to.equal(true);
  });

  it('never collects past the reassembly limit', () => {
    const big = new Uint8Array(MAX_REASSEMBLED_PACKET + 100);
    const assembler = new SegmentAssembler<null>();
    assembler.start(null, KEY, big.length, big, 0, 60000);
    expect(assembler.append(1, 60000, big, 60000, big.length)).to.equal('complete');
    expect(assembler.finish()!.data.length).to.equal(MAX_REASSEMBLED_PACKET);
  });
});
