/**
 * What to tell the user about a file without a single valid trace entry. The first bytes often say what
 * the file is instead: a text-mode (ASCII) download, whose EBCDIC-to-ASCII translation and CR LF line
 * ends break every binary entry, or a capture file (pcap, pcapng) given where a CTRACE data set is read.
 *
 * A text-mode download is recognised by undoing it: CR LF pairs removed, the bytes translated back from
 * ISO-8859-1 to an EBCDIC code page. If trace entries appear, that is what happened; a file of other
 * bytes never passes, so the hint is never a guess.
 */
import { ZctraceError } from '../errors.js';
import { CODE_PAGES, resolveCodePage } from '../zos/ebcdic.js';
import { CteScanner } from './cte-scanner.js';
import { componentOfFormatId } from './format-ids.js';

/** Bytes of the head examined: several 32 KiB records of a translated data set. */
export const NO_ENTRIES_HEAD_BYTES = 256 * 1024;
/** Entries that must reappear, each right after another, before a file is called a text-mode download. */
const MIN_CHAINED_ENTRIES = 2;
const CR = 0x0d;
const LF = 0x0a;

/** First four bytes (read little-endian) of pcap files in either byte order and time resolution. */
const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
/** A pcapng file starts with a Section Header Block, type 0x0A0D0D0A (the same in both byte orders). */
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;

const messages = {
  generic: () => 'no valid trace entry found (is this a CTRACE data set downloaded in binary?)',
  textMode: (codePage: string) =>
    'no valid trace entry found: the file was downloaded in ASCII (text) mode, which breaks the binary trace entries ' +
    `(with the translation undone, code page ${codePage}, they reappear); download it again in binary`,
  capture: (kind: string) => `no valid trace entry found: the file starts like a ${kind} capture, not a CTRACE data set`,
};

/**
 * Entries of a known format that directly follow another such entry, up to `enough`. Random bytes pass
 * the structural checks now and then (about one place in 400 000); two entries back to back, both of a
 * format some component writes, they never make.
 */
function countChainedEntries(bytes: Uint8Array, enough: number): number {
  const scanner = new CteScanner({ check: (entry) => (componentOfFormatId(entry.formatId) === null ? 'unknown format' : null) });
  let chained = 0;
  let expectedAt = -1;
  const drain = (): void => {
    for (let entry = scanner.next(); entry !== null && chained < enough; entry = scanner.next()) {
      if (entry.fileOffset === expectedAt) chained++;
      expectedAt = entry.fileOffset + entry.bytes.length;
    }
  };
  scanner.push({ bytes, fileOffset: 0 });
  drain();
  scanner.finish();
  drain();
  return chained;
}

/** The head with every CR LF pair removed: what FTP added at the end of each record. */
function withoutLineEnds(head: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length);
  let n = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === CR && head[i + 1] === LF) i++;
    else out[n++] = head[i]!;
  }
  return out.subarray(0, n);
}

/** The code page whose translation, undone, brings trace entries back; null when none does. */
export function textModeCodePage(head: Uint8Array): string | null {
  if (head.indexOf(LF) < 0) return null;
  const latin1 = Buffer.from(withoutLineEnds(head)).toString('latin1');
  for (const name of CODE_PAGES) {
    let ebcdic: Uint8Array;
    try {
      ebcdic = resolveCodePage(name).encode(latin1);
    } catch {
      continue; // a page that cannot hold some character of the head was not the translation used
    }
    if (countChainedEntries(ebcdic, MIN_CHAINED_ENTRIES) >= MIN_CHAINED_ENTRIES) return name;
  }
  return null;
}

function captureKind(head: Uint8Array): string | null {
  if (head.length < 4) return null;
  const first = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  if (PCAP_MAGICS.has(first)) return 'pcap';
  return first === PCAPNG_SECTION_HEADER ? 'pcapng' : null;
}

/** The NO_ENTRIES error for `path`, with a hint when the head of the file says what it is instead. */
export function noEntriesError(path: string, head: Uint8Array): ZctraceError {
  const kind = captureKind(head);
  const codePage = kind === null ? textModeCodePage(head) : null;
  const message = kind !== null ? messages.capture(kind) : codePage !== null ? messages.textMode(codePage) : messages.generic();
  return new ZctraceError('NO_ENTRIES', message, path, 0);
}
