/** --from / --to: ISO 8601 with a zone, to the nanosecond; Date.parse is the oracle where it can be. */
import { expect } from 'chai';
import { parseTimePoint } from '../src/filter/time-bound.js';

describe('time bounds', () => {
  it('UTC and local time with an offset name the same instant as Date.parse says', () => {
    for (const text of ['2024-05-01T10:00:00Z', '2024-05-01T12:00:00+02:00', '2024-05-01T05:30:00-0430', '2024-02-29T23:59:59.250Z', '1999-12-31 23:59:59.999+00:00']) {
      const point = parseTimePoint('--from', text);
      const ms = Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      expect(point.sec * 1000 + Math.floor(point.nsec / 1e6), text).to.equal(ms);
    }
  });

  it('keeps every digit of the fraction down to nanoseconds; seconds may be left out', () => {
    expect(parseTimePoint('--to', '2024-05-01T10:00:00.123456789Z')).to.deep.equal({ sec: 1714557600, nsec: 123456789 });
    expect(parseTimePoint('--to', '2024-05-01T10:00:00.5Z')).to.deep.equal({ sec: 1714557600, nsec: 500000000 });
    expect(parseTimePoint('--to', '2024-05-01T10:00Z')).to.deep.equal({ sec: 1714557600, nsec: 0 });
  });

  it('reads back the times list and info print', () => {
    expect(parseTimePoint('--from', '2002-11-20T17:38:32.175559000Z')).to.deep.equal({ sec: 1037813912, nsec: 175559000 });
  });

  it('refuses a time without a zone (saying how to add one), impossible dates and other forms', () => {
    expect(() => parseTimePoint('--from', '2024-05-01T10:00:00')).to.throw(/--from 2024-05-01T10:00:00: add the zone/);
    for (const bad of ['2024-02-30T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01', 'yesterday', '2024-05-01T10:00:00+19:00']) {
      expect(() => parseTimePoint('--to', bad), bad).to.throw(/^--to /);
    }
  });
});
