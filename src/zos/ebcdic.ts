/**
 * EBCDIC code pages: names inside trace records (links, jobs, rules) are EBCDIC, blank padded. The decode tables
 * are generated from glibc iconv (src/generated/ebcdic-tables.ts); this module turns them into decoders and
 * encoders and resolves the names users type ('1047', 'IBM-037', 'cp1140', ...).
 */
import { ZctraceError } from '../errors.js';
import { EBCDIC_TABLES, type EbcdicTableSource } from '../generated/ebcdic-tables.js';

export interface CodePage {
  /** Canonical name, e.g. '1047' or '037'. */
  readonly name: string;
  /** Where the page is used, e.g. 'Germany, Austria'. */
  readonly description: string;
  /** Decodes bytes[start, end) one character per byte. */
  decode(bytes: Uint8Array, start?: number, end?: number): string;
  /** As decode, without the trailing EBCDIC blanks (0x40) and NULs that pad names in trace headers. */
  decodeTrimmed(bytes: Uint8Array, start?: number, end?: number): string;
  /**
   * Encodes text one byte per character. A character the page cannot represent throws a USAGE ZctraceError
   * naming it (the text comes from the user, e.g. a payload search string) rather than silently substituting.
   */
  encode(text: string): Uint8Array;
}

/** Canonical names of the supported pages, the default first. */
export const CODE_PAGES: readonly string[] = Object.freeze(EBCDIC_TABLES.map((table) => table.name));

export const DEFAULT_CODE_PAGE = '1047';

const EBCDIC_BLANK = 0x40;
const NUL = 0x00;
/** Up to this length, concatenating cached one-character strings is the cheapest decode (link names are 16). */
const SHORT_DECODE_LIMIT = 64;
/** Longer decodes go through a reused code-unit buffer in chunks this size (well under argument-count limits). */
const DECODE_CHUNK = 4096;
const decodeScratch = new Uint16Array(DECODE_CHUNK);

/** 'IBM-1047', 'IBM1047', 'cp037', 'ebcdic-37', '37' → the number without leading zeros. */
const CODE_PAGE_NAME = /^(?:ibm|cp|ebcdic)?[-_ ]?0*(\d+)$/i;

const pageKey = (digits: string): string => digits.replace(/^0+(?=\d)/, '');
const tablesByKey = new Map(EBCDIC_TABLES.map((table) => [pageKey(table.name), table]));
const resolved = new Map<string, CodePage>();

/** The code page for a user-supplied name; throws a USAGE error listing the supported pages. */
export function resolveCodePage(name: string): CodePage {
  const digits = CODE_PAGE_NAME.exec(name.trim())?.[1];
  const table = digits === undefined ? undefined : tablesByKey.get(pageKey(digits));
  if (table === undefined) throw unknownCodePage(name);
  let page = resolved.get(table.name);
  if (page === undefined) {
    page = new TableCodePage(table);
    resolved.set(table.name, page);
  }
  return page;
}

function unknownCodePage(name: string): ZctraceError {
  return new ZctraceError(
    'USAGE',
    `unknown EBCDIC code page "${name}": use one of ${CODE_PAGES.join(', ')} (forms like IBM-1047, IBM037, cp1140 also work)`,
  );
}

function checkRange(bytes: Uint8Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length) {
    throw new RangeError(`EBCDIC decode range [${start}, ${end}) outside 0..${bytes.length}`);
  }
}

class TableCodePage implements CodePage {
  readonly name: string;
  readonly description: string;
  /** One-character string per byte, so short decodes allocate nothing but the result. */
  readonly #chars: readonly string[];
  /** UTF-16 code unit per byte, for long decodes. */
  readonly #units: Uint16Array;
  readonly #rejectedBytes: ReadonlySet<number>;
  /** Character code → byte; built on first encode, once per page. */
  #encodeTable: Map<number, number> | null = null;

  constructor(table: EbcdicTableSource) {
    if (table.decodeTable.length !== 256) throw new Error(`EBCDIC table ${table.name} is not 256 entries`);
    this.name = table.name;
    this.description = table.description;
    this.#chars = Array.from(table.decodeTable);
    this.#units = Uint16Array.from(this.#chars, (char) => char.charCodeAt(0));
    this.#rejectedBytes = new Set(table.rejectedBytes);
  }

  decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
    checkRange(bytes, start, end);
    if (end - start <= SHORT_DECODE_LIMIT) return this.#decodeShort(bytes, start, end);
    return this.#decodeLong(bytes, start, end);
  }

  decodeTrimmed(bytes: Uint8Array, start = 0, end = bytes.length): string {
    checkRange(bytes, start, end);
    let last = end;
    while (last > start) {
      const byte = bytes[last - 1];
      if (byte !== EBCDIC_BLANK && byte !== NUL) break;
      last--;
    }
    return this.decode(bytes, start, last);
  }

  encode(text: string): Uint8Array {
    const table = this.#encodeTableOnce();
    const out = new Uint8Array(text.length);
    let length = 0;
    for (const char of text) {
      const byte = table.get(char.codePointAt(0) ?? -1);
      if (byte === undefined) throw this.#unencodable(char);
      out[length++] = byte;
    }
    // Characters outside the BMP take two code units but never encode, so length only falls short on error.
    return out.subarray(0, length);
  }

  // Deliberately flat: this runs per packet for link and job names.
  #decodeShort(bytes: Uint8Array, start: number, end: number): string {
    let text = '';
    for (let i = start; i < end; i++) text += this.#chars[bytes[i] ?? 0];
    return text;
  }

  #decodeLong(bytes: Uint8Array, start: number, end: number): string {
    const parts: string[] = [];
    for (let chunkStart = start; chunkStart < end; chunkStart += DECODE_CHUNK) {
      const chunkEnd = Math.min(end, chunkStart + DECODE_CHUNK);
      for (let i = chunkStart; i < chunkEnd; i++) decodeScratch[i - chunkStart] = this.#units[bytes[i] ?? 0] ?? 0;
      // fromCharCode accepts any array-like at run time; the cast only satisfies apply's number[] typing.
      const units = decodeScratch.subarray(0, chunkEnd - chunkStart) as unknown as number[];
      parts.push(String.fromCharCode.apply(null, units));
    }
    return parts.join('');
  }

  #encodeTableOnce(): Map<number, number> {
    if (this.#encodeTable === null) {
      const table = new Map<number, number>();
      this.#units.forEach((unit, byte) => {
        // A byte iconv rejected decodes to U+FFFD; U+FFFD must not encode back to it.
        if (!this.#rejectedBytes.has(byte) && !table.has(unit)) table.set(unit, byte);
      });
      this.#encodeTable = table;
    }
    return this.#encodeTable;
  }

  #unencodable(char: string): ZctraceError {
    const codePoint = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return new ZctraceError('USAGE', `"${char}" (U+${codePoint}) has no byte in EBCDIC code page ${this.name}`);
  }
}
