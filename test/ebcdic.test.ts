import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_PAGES, DEFAULT_CODE_PAGE, resolveCodePage } from '../src/zos/ebcdic.js';
import { ZctraceError } from '../src/errors.js';

/** The pages users can name, with the name glibc iconv knows each by (the independent oracle). */
const GLIBC_NAMES: readonly (readonly [name: string, glibcName: string])[] = [
  ['1047', 'IBM1047'],
  ['037', 'IBM037'],
  ['500', 'IBM500'],
  ['273', 'IBM273'],
  ['277', 'IBM277'],
  ['285', 'IBM285'],
  ['297', 'IBM297'],
  ['1140', 'IBM1140'],
  ['1141', 'IBM1141'],
];

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, byte) => byte);
const GENERATED = fileURLToPath(new URL('../src/generated/ebcdic-tables.ts', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../scripts/generate-ebcdic-tables.mjs', import.meta.url));

const hasGlibcIconv = /glibc/i.test(spawnSync('iconv', ['--version']).stdout?.toString() ?? '');

/** What glibc iconv decodes each byte to: one call for all 256, one per byte if it rejects any. */
function iconvDecode(glibcName: string): string[] {
  const whole = spawnSync('iconv', ['-f', glibcName, '-t', 'UTF-8'], { input: ALL_BYTES });
  const chars = [...whole.stdout.toString('utf8')];
  if (whole.status === 0 && chars.length === 256) return chars;
  return [...ALL_BYTES].map((byte) => {
    const one = spawnSync('iconv', ['-f', glibcName, '-t', 'UTF-8'], { input: Uint8Array.of(byte) });
    return one.status === 0 ? one.stdout.toString('utf8') : '\uFFFD';
  });
}

function ebcdic(page: string, text: string): Uint8Array {
  return resolveCodePage(page).encode(text);
}

describe('EBCDIC code pages', () => {
  it('lists the supported pages with 1047 as the default', () => {
    expect(CODE_PAGES).to.deep.equal(GLIBC_NAMES.map(([name]) => name));
    expect(DEFAULT_CODE_PAGE).to.equal('1047');
    expect(CODE_PAGES[0]).to.equal(DEFAULT_CODE_PAGE);
  });

  describe('agreement with glibc iconv', function () {
    before(function () {
      if (!hasGlibcIconv) this.skip();
    });

    for (const [name, glibcName] of GLIBC_NAMES) {
      it(`${name}: all 256 bytes decode as iconv -f ${glibcName} says`, () => {
        const expected = iconvDecode(glibcName);
        const page = resolveCodePage(name);
        const actual = [...ALL_BYTES].map((byte) => page.decode(ALL_BYTES, byte, byte + 1));
        expect(actual).to.deep.equal(expected);
      });
    }

    it('the committed generated tables are what the generator writes today', () => {
      const dir = mkdtempSync(join(tmpdir(), 'zctrace-ebcdic-'));
      try {
        const fresh = join(dir, 'ebcdic-tables.ts');
        const run = spawnSync(process.execPath, [GENERATOR, fresh], { encoding: 'utf8' });
        expect(run.status, run.stderr).to.equal(0);
        // Only the glibc build line may differ between machines; the tables must not.
        expect(withoutBuildLine(readFileSync(fresh, 'utf8'))).to.equal(withoutBuildLine(readFileSync(GENERATED, 'utf8')));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('round trip', () => {
    for (const [name] of GLIBC_NAMES) {
      it(`${name}: every byte decodes to a distinct character that encodes back to it`, () => {
        const page = resolveCodePage(name);
        const text = page.decode(ALL_BYTES);
        expect(new Set(text).size).to.equal(256);
        expect(page.encode(text)).to.deep.equal(ALL_BYTES);
      });
    }

    it('decode(encode(text)) gives the text back', () => {
      const page = resolveCodePage('273');
      const text = 'Grüße aus München: TCPIP.PROFILE(TCPDATA) #1 [ok] {x} ~ € nein';
      expect(() => page.encode(text)).to.throw(ZctraceError); // 273 has no euro sign
      expect(page.decode(page.encode(text.replace(' €', '')))).to.equal(text.replace(' €', ''));
      const euro = resolveCodePage('1141');
      expect(euro.decode(euro.encode(text))).to.equal(text);
    });
  });

  describe('known code points', () => {
    it('1047: A, blank, 0, and the brackets at 0xAD/0xBD', () => {
      const page = resolveCodePage('1047');
      expect(page.decode(Uint8Array.of(0xc1, 0x40, 0xf0, 0xad, 0xbd))).to.equal('A 0[]');
      expect(page.encode('[]')).to.deep.equal(Uint8Array.of(0xad, 0xbd));
    });

    it('037 puts the brackets at 0xBA/0xBB', () => {
      const page = resolveCodePage('037');
      expect(page.decode(Uint8Array.of(0xba, 0xbb))).to.equal('[]');
      expect(page.encode('[]')).to.deep.equal(Uint8Array.of(0xba, 0xbb));
    });

    it('1140 has the euro sign at 0x9F where 037 has the currency sign', () => {
      expect(resolveCodePage('1140').decode(Uint8Array.of(0x9f))).to.equal('€');
      expect(resolveCodePage('037').decode(Uint8Array.of(0x9f))).to.equal('¤');
    });

    it('273 has Ä at 0x4A where 037 has ¢', () => {
      expect(resolveCodePage('273').decode(Uint8Array.of(0x4a))).to.equal('Ä');
      expect(resolveCodePage('037').decode(Uint8Array.of(0x4a))).to.equal('¢');
    });
  });

  describe('decodeTrimmed', () => {
    const page = resolveCodePage(DEFAULT_CODE_PAGE);

    it('drops the blank padding of a link name', () => {
      expect(page.decodeTrimmed(ebcdic('1047', 'TCPIP   '))).to.equal('TCPIP');
    });

    it('drops trailing NULs and blanks mixed, keeps inner and leading blanks', () => {
      const bytes = Uint8Array.of(...ebcdic('1047', ' OSA 1 '), 0x00, 0x40, 0x00);
      expect(page.decodeTrimmed(bytes)).to.equal(' OSA 1');
    });

    it('decodes a name inside a larger record by start and end', () => {
      const record = Uint8Array.of(0xff, 0xff, ...ebcdic('1047', 'ETH1    '), 0xc1);
      expect(page.decodeTrimmed(record, 2, 10)).to.equal('ETH1');
    });

    it('gives an empty string for an all-blank or all-NUL field', () => {
      expect(page.decodeTrimmed(new Uint8Array(16).fill(0x40))).to.equal('');
      expect(page.decodeTrimmed(new Uint8Array(16))).to.equal('');
    });
  });

  describe('decode', () => {
    it('decodes long input (chunked path) exactly as byte by byte', () => {
      const page = resolveCodePage('500');
      const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256);
      const expected = [...bytes].map((byte) => page.decode(Uint8Array.of(byte))).join('');
      expect(page.decode(bytes)).to.equal(expected);
      expect(page.decode(bytes, 3, 5003)).to.equal(expected.slice(3, 5003));
    });

    it('refuses a range outside the bytes', () => {
      const page = resolveCodePage('1047');
      const bytes = new Uint8Array(8);
      expect(() => page.decode(bytes, 0, 9)).to.throw(RangeError);
      expect(() => page.decode(bytes, 5, 4)).to.throw(RangeError);
      expect(() => page.decodeTrimmed(bytes, -1, 4)).to.throw(RangeError);
    });
  });

  describe('encode', () => {
    it('rejects characters the page lacks with a USAGE error naming the character', () => {
      const error = catchError(() => ebcdic('037', 'price 5€'));
      expect(error).to.be.instanceOf(ZctraceError);
      expect((error as ZctraceError).code).to.equal('USAGE');
      expect((error as ZctraceError).message).to.include('U+20AC').and.include('037');
      expect(() => ebcdic('1047', 'smile 😀')).to.throw(ZctraceError, /U\+1F600/);
    });
  });

  describe('resolveCodePage', () => {
    it('accepts the forms users type, case-insensitively', () => {
      const forms = ['1047', 'IBM-1047', 'IBM1047', 'ibm-1047', 'cp1047', 'CP1047', ' 1047 '];
      for (const form of forms) expect(resolveCodePage(form).name, form).to.equal('1047');
      for (const form of ['037', '37', 'IBM037', 'IBM-37', 'cp037', 'Cp37']) {
        expect(resolveCodePage(form).name, form).to.equal('037');
      }
      expect(resolveCodePage('ibm1141').name).to.equal('1141');
    });

    it('returns one shared instance per page', () => {
      expect(resolveCodePage('IBM-037')).to.equal(resolveCodePage('cp37'));
    });

    it('rejects an unknown page with a USAGE error listing the supported ones', () => {
      for (const name of ['1252', 'IBM-930', 'latin1', '']) {
        const error = catchError(() => resolveCodePage(name));
        expect(error).to.be.instanceOf(ZctraceError);
        expect((error as ZctraceError).code).to.equal('USAGE');
        expect((error as ZctraceError).message).to.include(`"${name}"`).and.include(CODE_PAGES.join(', '));
      }
    });
  });
});

function withoutBuildLine(source: string): string {
  return source.replace(/^\/\/ from glibc .*$/m, '// from glibc <build>');
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return null;
}
