/**
 * `--contains TEXT`: finds text in packet payloads whether the application sent it in ASCII or in EBCDIC.
 * Each text is encoded once per encoding (UTF-8, which is ASCII for ASCII text, and the selected EBCDIC
 * code page); needles of equal length are searched together in one Boyer-Moore-Horspool pass with a
 * shared shift table, so a packet is scanned once per needle length, without allocating.
 */
import { ZctraceError } from '../errors.js';
import type { CodePage } from '../zos/ebcdic.js';

/** Needles of one length, searched in one pass. */
interface NeedleGroup {
  length: number;
  needles: Uint8Array[];
  /** How far the window may move when its last byte is b: the smallest shift over the needles. */
  shift: Int32Array;
}

export interface PayloadSearch {
  /** True when one of the texts occurs in bytes[start, end). */
  test(bytes: Uint8Array, start: number, end: number): boolean;
}

function group(length: number, needles: Uint8Array[]): NeedleGroup {
  const shift = new Int32Array(256).fill(length);
  for (const needle of needles) {
    for (let i = 0; i < length - 1; i++) shift[needle[i] ?? 0] = Math.min(shift[needle[i] ?? 0] ?? length, length - 1 - i);
  }
  return { length, needles, shift };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The encodings of `text`: UTF-8 (ASCII) always, EBCDIC when the code page has every character. */
function encodings(text: string, codePage: CodePage): Uint8Array[] {
  const ascii = new TextEncoder().encode(text);
  let ebcdic: Uint8Array | null;
  try {
    ebcdic = codePage.encode(text);
  } catch {
    ebcdic = null; // a character the code page lacks: the text can only have been sent in ASCII/UTF-8
  }
  return ebcdic === null || sameBytes(ebcdic, ascii) ? [ascii] : [ascii, ebcdic];
}

/** Hot loop, deliberately flat: compare from the window's end, shift by the table on a mismatch. */
function findIn(g: NeedleGroup, bytes: Uint8Array, start: number, end: number): boolean {
  const last = g.length - 1;
  for (let at = start; at + last < end; ) {
    const tail = bytes[at + last] ?? 0;
    for (const needle of g.needles) {
      if (needle[last] !== tail) continue;
      let i = last - 1;
      while (i >= 0 && bytes[at + i] === needle[i]) i--;
      if (i < 0) return true;
    }
    at += g.shift[tail] ?? g.length;
  }
  return false;
}

export function createPayloadSearch(texts: readonly string[], codePage: CodePage): PayloadSearch {
  const byLength = new Map<number, Uint8Array[]>();
  for (const text of texts) {
    if (text.length === 0) throw new ZctraceError('USAGE', '--contains needs some text to look for');
    for (const needle of encodings(text, codePage)) {
      const list = byLength.get(needle.length) ?? [];
      if (!list.some((known) => sameBytes(known, needle))) list.push(needle);
      byLength.set(needle.length, list);
    }
  }
  const groups = [...byLength].map(([length, needles]) => group(length, needles));
  return {
    test(bytes, start, end) {
      const stop = Math.min(end, bytes.length);
      for (const g of groups) if (findIn(g, bytes, Math.max(0, start), stop)) return true;
      return false;
    },
  };
}
