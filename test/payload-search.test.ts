/**
 * --contains: text found in ASCII and in EBCDIC payloads. Matches are checked against Buffer.indexOf (an
 * independent search) on random bytes, and the EBCDIC bytes against IBM's published code page values.
 */
import { expect } from 'chai';
import { createPayloadSearch } from '../src/filter/payload-search.js';
import { resolveCodePage } from '../src/zos/ebcdic.js';

const CP1047 = resolveCodePage('1047');
const CP037 = resolveCodePage('037');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('payload search', () => {
  it('finds text sent in ASCII and the same text sent in EBCDIC (IBM-1047: U=E4 S=E2 E=C5 R=D9)', () => {
    const search = createPayloadSearch(['USER'], CP1047);
    expect(search.test(ascii('220 ready\r\nUSER anonymous\r\n'), 0, 28)).to.equal(true);
    const ebcdic = Uint8Array.from([0x40, 0x40, 0xe4, 0xe2, 0xc5, 0xd9, 0x40, 0xc6]); // "  USER F"
    expect(search.test(ebcdic, 0, ebcdic.length)).to.equal(true);
    expect(search.test(ascii('user anonymous'), 0, 14)).to.equal(false); // case matters
  });

  it('uses the selected code page: "[" is 0xAD in 1047 but 0xBA in 037', () => {
    const bracket = Uint8Array.from([0xc1, 0xba, 0xc2]);
    expect(createPayloadSearch(['A[B'], CP037).test(bracket, 0, 3)).to.equal(true);
    expect(createPayloadSearch(['A[B'], CP1047).test(bracket, 0, 3)).to.equal(false);
  });

  it('searches only [start, end): a match across either edge does not count', () => {
    const bytes = ascii('xxLOGONxx');
    const search = createPayloadSearch(['LOGON'], CP1047);
    expect(search.test(bytes, 2, 7)).to.equal(true);
    expect(search.test(bytes, 3, 9)).to.equal(false);
    expect(search.test(bytes, 0, 6)).to.equal(false);
  });

  it('a character EBCDIC cannot hold is searched in UTF-8 only; empty text is refused', () => {
    expect(createPayloadSearch(['π=3'], CP1047).test(ascii('so π=3.14'), 0, 12)).to.equal(true);
    expect(() => createPayloadSearch([''], CP1047)).to.throw(/--contains/);
  });

  it('agrees with Buffer.indexOf over random payloads and several needles of different lengths', () => {
    let state = 3;
    const next = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) % 4; // a 4-letter alphabet: many near misses
    const texts = ['ab', 'abca', 'dcba', 'aaab', 'cc'];
    const search = createPayloadSearch(texts, CP1047);
    const needles = texts.flatMap((t) => [Buffer.from(t, 'latin1'), Buffer.from(CP1047.encode(t))]);
    for (let n = 0; n < 500; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (n % 40) }, () => 'abcd'.charCodeAt(next())));
      if (n % 3 === 0) bytes.set(CP1047.encode('dcba').subarray(0, Math.min(4, bytes.length)), 0); // some EBCDIC needles
      const expected = needles.some((needle) => bytes.indexOf(needle) >= 0);
      expect(search.test(bytes, 0, bytes.length), bytes.toString('latin1')).to.equal(expected);
    }
  });
});
