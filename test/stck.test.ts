/**
 * STCK TOD clock values to Unix time (contract §2.1): checked against the IBM vector in the contract and
 * against the contract's own BigInt formula for times on both sides of 2038-01-19 (where seconds pass
 * 2^31) and up to the end of the plausible window, leap seconds included.
 */
import { expect } from 'chai';
import { isPlausibleTod, stckToUnixTime, unixTimeToStck } from '../src/zos/stck.js';
import { Random } from './support/seeded-random.js';

const UNIX_EPOCH_TOD = 0x7d91048bca000000n;

/** The contract's formula: d = tod − epoch, ns = d · 125 / 512 (exact, in BigInt). */
function referenceTime(tod: bigint, leapSeconds = 0): { sec: number; nsec: number } {
  const ns = ((tod - UNIX_EPOCH_TOD) * 125n) / 512n - BigInt(leapSeconds) * 1_000_000_000n;
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

function halves(tod: bigint): [number, number] {
  return [Number(tod >> 32n), Number(tod & 0xffffffffn)];
}

describe('STCK TOD clock to Unix time', () => {
  it('reads the IBM IDS record vector (0xB88F32A50A3C7000 is 2002-11-20 17:38:32.175559 UTC)', () => {
    const time = stckToUnixTime(...halves(0xb88f32a50a3c7000n));
    expect(time).to.deep.equal({ sec: Date.UTC(2002, 10, 20, 17, 38, 32) / 1000, nsec: 175_559_000 });
  });

  it('reads the Unix epoch itself as zero', () => {
    expect(stckToUnixTime(...halves(UNIX_EPOCH_TOD))).to.deep.equal({ sec: 0, nsec: 0 });
  });

  it('agrees with the contract’s BigInt formula around 2038-01-19 (2^31 seconds) and up to 2045', () => {
    const random = new Random(2038);
    const edges = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, Date.UTC(2044, 11, 31, 23, 59, 59) / 1000];
    const seconds = [...edges, ...Array.from({ length: 500 }, () => Date.UTC(1995, 0, 1) / 1000 + random.below(50 * 365 * 86_400))];
    for (const sec of seconds) {
      const tod = UNIX_EPOCH_TOD + ((BigInt(sec) * 1_000_000_000n + BigInt(random.below(1e9))) * 512n) / 125n + BigInt(random.below(4));
      for (const leap of [0, 27]) {
        const time = stckToUnixTime(...halves(tod), leap);
        expect(time, `tod ${tod.toString(16)} leap ${leap}`).to.deep.equal(referenceTime(tod, leap));
        expect(Number.isInteger(time.sec) && Number.isInteger(time.nsec)).to.equal(true);
      }
      expect(isPlausibleTod(...halves(tod))).to.equal(sec < Date.UTC(2045, 0, 1) / 1000);
    }
  });

  it('unixTimeToStck is its inverse to the TOD resolution (1/4096 µs)', () => {
    for (const [sec, nsec] of [[1_700_000_000, 123_456_789], [2 ** 31 - 1, 999_999_999], [2 ** 31, 5]] as const) {
      const { todHigh, todLow } = unixTimeToStck(sec, nsec);
      const back = stckToUnixTime(todHigh, todLow);
      expect(back.sec).to.equal(sec);
      expect(nsec - back.nsec).to.be.within(0, 1);
    }
  });
});
