/**
 * The reorder window: packets slightly out of order come out in time order, with their own bytes although
 * the source reuses its buffer; disorder beyond the window is counted, never hidden; memory stays bounded.
 */
import { expect } from 'chai';
import { TimeOrderWindow, type SourcedPacket } from '../src/input/time-order-window.js';
import { tracePacket } from './support/tshark.js';

/** Feeds `times` (ns) through a window as a reusing source would, collecting [time, first byte, ordinal]. */
function run(times: number[], window: TimeOrderWindow): { out: [number, number, number][]; maxHeld: number } {
  const buffer = new Uint8Array(1);
  const out: [number, number, number][] = [];
  let maxHeld = 0;
  const take = (p: SourcedPacket): void => {
    out.push([p.timeSec * 1e9 + p.timeNsec, p.data[0]!, p.ordinal]);
    window.recycle(p);
  };
  times.forEach((t, i) => {
    buffer[0] = i & 0xff; // the source overwrites its one buffer for every packet
    window.add(tracePacket({ data: buffer, timeSec: Math.floor(t / 1e9), timeNsec: t % 1e9 }), 0, i + 1);
    maxHeld = Math.max(maxHeld, window.held);
    for (let p = window.ready(); p !== null; p = window.ready()) take(p);
  });
  for (let p = window.drain(); p !== null; p = window.drain()) take(p);
  return { out, maxHeld };
}

describe('time order window', () => {
  it('sorts jitter within the window; every packet keeps its own bytes and ordinal; equal times keep input order', () => {
    let state = 5;
    const next = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    // 2000 packets 1 ms apart, each stamped up to 20 ms early or late; every 10th shares its neighbour's time.
    const times = Array.from({ length: 2000 }, (_, i) => 5e9 + i * 1e6 + Math.round((next() - 0.5) * 4e7));
    for (let i = 10; i < times.length; i += 10) times[i] = times[i - 1]!;
    const { out } = run(times, new TimeOrderWindow(1e9, 512));
    expect(out).to.have.length(times.length);
    const expected = times.map((t, i) => [t, i & 0xff, i + 1] as [number, number, number]).sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    expect(out).to.deep.equal(expected);
  });

  it('holds at most the packet limit (memory stays flat), and counts what arrives too late to place', () => {
    const window = new TimeOrderWindow(1e9, 4);
    // Eight packets in order, then one stamped before all of them.
    const { out, maxHeld } = run([10, 20, 30, 40, 50, 60, 70, 80, 5].map((ms) => ms * 1e6), window);
    expect(maxHeld).to.be.at.most(5);
    expect(window.late).to.equal(1);
    expect(out.map(([t]) => t / 1e6)).to.deep.equal([10, 20, 30, 40, 5, 50, 60, 70, 80]);
  });

  it('a trace that wrapped (time jumps back an hour): the older packets go out at once, in the order they came', () => {
    const window = new TimeOrderWindow(1e9, 512);
    const newer = Array.from({ length: 1000 }, (_, i) => 10_000e9 + i * 1e6);
    const older = Array.from({ length: 1000 }, (_, i) => 6_400e9 + i * 1e6);
    const { out, maxHeld } = run([...newer, ...older], window);
    expect(window.late).to.equal(1000);
    expect(maxHeld).to.be.at.most(513);
    // The window held the last 512 newer packets when the jump came; they stay in order behind the older ones.
    expect(out.map(([, , ordinal]) => ordinal)).to.deep.equal([
      ...Array.from({ length: 488 }, (_, i) => i + 1),
      ...Array.from({ length: 1000 }, (_, i) => 1001 + i),
      ...Array.from({ length: 512 }, (_, i) => 489 + i),
    ]);
  });

  it('releases a packet once one more than the time window later has arrived', () => {
    const window = new TimeOrderWindow(1e9, 512);
    window.add(tracePacket({ data: new Uint8Array(1), timeSec: 1 }), 0, 1);
    window.add(tracePacket({ data: new Uint8Array(1), timeSec: 2 }), 0, 2);
    expect(window.ready()).to.equal(null); // exactly one second apart: still within the window
    window.add(tracePacket({ data: new Uint8Array(1), timeSec: 2, timeNsec: 1 }), 0, 3);
    expect(window.ready()?.timeSec).to.equal(1);
    expect(window.ready()).to.equal(null);
  });
});
