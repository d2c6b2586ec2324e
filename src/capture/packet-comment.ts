/**
 * The packet comment: CTRACE facts no capture field can hold, as one line analysts filter on in Wireshark
 * (`frame.comment contains "discard=4114/"`) and scripts split on. This is a user-facing contract: keep
 * keys, order and value forms stable; add new keys only at the end of the fixed list.
 *
 * Grammar:
 *   comment = pair *(" " pair)            ; pairs separated by exactly one space
 *   pair    = key "=" value
 *   value   = 1*(any character but space, tab, newline or another control character)
 *
 * Pairs, in this order; a field that is null (or an empty list) is left out:
 *   rec=<n>              CTRACE record number (1-based among the file's valid entries); always present
 *   fmt=<n>              CTEFMTID in decimal (4 packet trace, 5 data trace, 7 OSAENTA, IDS probe ID)
 *   dev=<name>           device name, or devtype_<n> when only the device type code is known
 *   flags=<a>,<b>        names of the PTH_Flag bits set, comma separated
 *   asid=<XXXX>          address space ID, 4 upper-case hex digits
 *   tcb=<XXXXXXXX>       TCB address, 8 upper-case hex digits
 *   count=<n>            trace count
 *   discard=<code>/<w>   discard reason code, then its table name or, when unknown, its layer
 *                        (e.g. discard=4114/IP_MAC_BRDCST, discard=8215/TCP)
 *   trunc=<incl>/<orig>  bytes present / bytes on the wire, when fewer were traced
 *   seg=<n>,incomplete   entries that carried pieces of a packet whose pieces are not all there
 *   <key>=<value>        component extras (IDS correlator, job name...) in the decoder's insertion order
 *
 * Value spelling: each run of white space or control characters inside a name becomes one "_"
 * ("LCS Ethernet" → LCS_Ethernet, layer "interface and IP" → interface_and_IP); an empty value is "-".
 * Extra keys get the same treatment, and "=" in a key becomes "_", so the first "=" always ends the key.
 */
import type { CtraceMeta, DiscardReason, TracePacket } from '../model/trace-packet.js';

const UNSAFE_RUN = /[\s\p{Cc}]+/gu;
const HAS_UNSAFE = /[\s\p{Cc}]/u;

/** A name as one comment value: no spaces or control characters, never empty. */
export function commentValue(text: string): string {
  if (text.length === 0) return '-';
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE_RUN, '_') : text;
}

function commentKey(text: string): string {
  return commentValue(text).replaceAll('=', '_');
}

function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

function deviceLabel(meta: CtraceMeta): string | null {
  if (meta.deviceName !== null && meta.deviceName.length > 0) return commentValue(meta.deviceName);
  return meta.deviceType === null ? null : `devtype_${meta.deviceType}`;
}

/** Built by concatenation: it runs once per packet, so no intermediate arrays. Null without CTRACE facts. */
export function packetComment(packet: TracePacket): string | null {
  const meta = packet.ctrace;
  if (meta === null) return null;
  let text = `rec=${meta.recordNumber} fmt=${meta.formatId}`;
  const device = deviceLabel(meta);
  if (device !== null) text += ` dev=${device}`;
  if (meta.flagNames.length > 0) text += ` flags=${meta.flagNames.map(commentValue).join(',')}`;
  if (meta.asid !== null) text += ` asid=${hex(meta.asid, 4)}`;
  if (meta.tcb !== null) text += ` tcb=${hex(meta.tcb, 8)}`;
  if (meta.traceCount !== null) text += ` count=${meta.traceCount}`;
  if (meta.discard !== null) text += ` discard=${meta.discard.code}/${commentValue(meta.discard.name ?? meta.discard.layer)}`;
  if (meta.truncated || packet.data.length < packet.originalLength) text += ` trunc=${packet.data.length}/${packet.originalLength}`;
  if (meta.segments?.incomplete === true) text += ` seg=${meta.segments.received},incomplete`;
  for (const key in meta.extra) text += ` ${commentKey(key)}=${commentValue(String(meta.extra[key]))}`;
  return text;
}

/** Names encoded once each; past this many distinct values new ones are encoded per packet. */
const ENCODED_NAME_LIMIT = 4096;
/** Most bytes the fast path writes: its literals and numbers, plus the names it copies. */
export const MAX_FAST_COMMENT_BYTES = 1024;
/** Characters a number can take as text (-1.2345678901234567e+308). */
const MAX_NUMBER_CHARS = 24;
/** Room the literals and numbers of a fast-path comment can take (numbers of up to MAX_NUMBER_CHARS). */
const FIXED_PARTS_BYTES = 256;
const DIGIT_0 = 0x30;
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');
const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const Literal = {
  rec: ascii('rec='),
  fmt: ascii(' fmt='),
  asid: ascii(' asid='),
  tcb: ascii(' tcb='),
  count: ascii(' count='),
  trunc: ascii(' trunc='),
  slash: ascii('/'),
  seg: ascii(' seg='),
  incomplete: ascii(',incomplete'),
};
const NO_BYTES: Uint8Array = new Uint8Array(0);

/** Middle runs remembered: one per link, direction and traced address space, as a trace interleaves them. */
const RECENT_MIDDLE_RUNS = 8;

/**
 * The run of a comment between the format ID and the trace count's digits (" dev=… flags=… asid=… tcb=…
 * count="): the same for every packet of a link, direction and address space, so it is encoded once.
 */
interface MiddleRun {
  deviceName: string | null;
  deviceType: number | null;
  flagNames: readonly string[];
  asid: number | null;
  tcb: number | null;
  counted: boolean;
  bytes: Uint8Array;
}

/** A map that stops growing at its limit (later values are computed each time instead). */
function cached<K, V>(cache: Map<K, V>, key: K, compute: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    if (cache.size < ENCODED_NAME_LIMIT) cache.set(key, value);
  }
  return value;
}

/** Longer parts are copied natively; for short ones a loop is cheaper than the call. */
const NATIVE_COPY_FROM = 24;

function put(target: Uint8Array, at: number, part: Uint8Array): number {
  if (part.length >= NATIVE_COPY_FROM) target.set(part, at);
  else for (let i = 0; i < part.length; i++) target[at + i] = part[i]!;
  return at + part.length;
}

/** `${n}` for a non-negative safe integer, as ASCII digits; anything else as its string form. */
function putDecimal(target: Uint8Array, at: number, n: number): number {
  if ((n | 0) === n && n >= 0) {
    // The common case, in 31-bit integer arithmetic (twice as fast as Math.floor on doubles).
    let end = at + 1;
    for (let rest = n; rest >= 10; rest = (rest / 10) | 0) end++;
    for (let i = end - 1, rest = n; i >= at; i--) {
      const next = (rest / 10) | 0;
      target[i] = DIGIT_0 + (rest - next * 10);
      rest = next;
    }
    return end;
  }
  if (!Number.isSafeInteger(n) || n < 0) return put(target, at, ascii(String(n)));
  let end = at + 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) end++;
  for (let i = end - 1, rest = n; i >= at; i--) {
    const next = Math.floor(rest / 10);
    target[i] = DIGIT_0 + (rest - next * 10);
    rest = next;
  }
  return end;
}

/** As hex(value, digits) above: the unsigned 32-bit value in upper-case hex, at least `minDigits` digits. */
function putHex(target: Uint8Array, at: number, value: number, minDigits: number): number {
  const word = value >>> 0;
  let digits = 1;
  for (let rest = word >>> 4; rest > 0; rest >>>= 4) digits++;
  const end = at + Math.max(digits, minDigits);
  for (let i = end - 1, rest = word; i >= at; i--, rest >>>= 4) target[i] = HEX_DIGITS[rest & 0xf]!;
  return end;
}

/**
 * Writes exactly the UTF-8 bytes of `packetComment(packet)` without building the string: numbers go in
 * as digits, names as bytes encoded once per distinct value. The pcapng writer runs it once per packet,
 * where building and encoding the string took a fifth of a conversion (measured). Extras (every OSAENTA
 * and IDS packet has some) go the same way: keys and text values encoded once each, numbers as digits.
 * `prepare` says whether the packet can take this path (not when its names are too long to be sure of
 * the room); `write` then writes at most MAX_FAST_COMMENT_BYTES.
 */
export class PacketCommentEncoder {
  private readonly deviceByName = new Map<string, Uint8Array>();
  private readonly deviceByType = new Map<number, Uint8Array>();
  private readonly flagLists = new Map<readonly string[], Uint8Array>();
  private readonly discards = new Map<DiscardReason, Uint8Array>();
  /** Middle runs seen lately, the last used first. */
  private readonly middles: MiddleRun[] = [];
  /** Extras' " key=" parts and their text values, by the key or value. */
  private readonly extraKeys = new Map<string, Uint8Array>();
  private readonly extraTexts = new Map<string, Uint8Array>();
  /** The prepared packet's middle run and discard, as bytes. */
  private middle = NO_BYTES;
  private discard = NO_BYTES;
  /** The prepared packet's extras: " key=" bytes, then the value as bytes or as a number to write. */
  private readonly extras: (Uint8Array | number)[] = [];

  /** True when `write` can encode this packet's comment (it has CTRACE facts and fits the room). */
  prepare(packet: TracePacket): boolean {
    const meta = packet.ctrace;
    if (meta === null) return false;
    this.middle = this.middleRun(meta);
    const discard = meta.discard;
    this.discard = discard === null ? NO_BYTES : cached(this.discards, discard, (d) => Buffer.from(` discard=${d.code}/${commentValue(d.name ?? d.layer)}`));
    return FIXED_PARTS_BYTES + this.middle.length + this.discard.length + this.prepareExtras(meta.extra) <= MAX_FAST_COMMENT_BYTES;
  }

  /** Encodes the extras' keys and text values (numbers are written as digits); returns the room they take. */
  private prepareExtras(extra: CtraceMeta['extra']): number {
    const parts = this.extras;
    parts.length = 0;
    let room = 0;
    for (const key in extra) {
      const keyBytes = cached(this.extraKeys, key, (k) => Buffer.from(` ${commentKey(k)}=`));
      const value = extra[key]!;
      // A number's text is digits, sign, point and exponent only: as the string form would spell it.
      const valueBytes = typeof value === 'number' ? value : cached(this.extraTexts, value, (text) => Buffer.from(commentValue(text)));
      parts.push(keyBytes, valueBytes);
      room += keyBytes.length + (typeof valueBytes === 'number' ? MAX_NUMBER_CHARS : valueBytes.length);
    }
    return room;
  }

  /** Writes the prepared packet's comment at `at` (room for MAX_FAST_COMMENT_BYTES); returns its length. */
  write(packet: TracePacket, target: Uint8Array, at: number): number {
    const meta = packet.ctrace!;
    let p = put(target, at, Literal.rec);
    p = putDecimal(target, p, meta.recordNumber);
    p = put(target, p, Literal.fmt);
    p = putDecimal(target, p, meta.formatId);
    p = put(target, p, this.middle);
    if (meta.traceCount !== null) p = putDecimal(target, p, meta.traceCount);
    p = put(target, p, this.discard);
    const present = packet.data.length;
    if (meta.truncated || present < packet.originalLength) {
      p = putDecimal(target, put(target, p, Literal.trunc), present);
      p = putDecimal(target, put(target, p, Literal.slash), packet.originalLength);
    }
    if (meta.segments?.incomplete === true) p = put(target, putDecimal(target, put(target, p, Literal.seg), meta.segments.received), Literal.incomplete);
    const extras = this.extras;
    for (let i = 0; i < extras.length; i += 2) {
      p = put(target, p, extras[i] as Uint8Array);
      const value = extras[i + 1]!;
      p = typeof value === 'number' ? putDecimal(target, p, value) : put(target, p, value);
    }
    return p - at;
  }

  /** The middle run for these facts: found among the recent ones, or built and remembered. */
  private middleRun(meta: CtraceMeta): Uint8Array {
    const runs = this.middles;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      if (
        run.deviceName === meta.deviceName &&
        run.deviceType === meta.deviceType &&
        run.flagNames === meta.flagNames &&
        run.asid === meta.asid &&
        run.tcb === meta.tcb &&
        run.counted === (meta.traceCount !== null)
      ) {
        // To the front by moving the ones before it down: splice would allocate an array per packet.
        for (let j = i; j > 0; j--) runs[j] = runs[j - 1]!;
        runs[0] = run;
        return run.bytes;
      }
    }
    const run: MiddleRun = {
      deviceName: meta.deviceName,
      deviceType: meta.deviceType,
      flagNames: meta.flagNames,
      asid: meta.asid,
      tcb: meta.tcb,
      counted: meta.traceCount !== null,
      bytes: this.buildMiddle(meta),
    };
    runs.unshift(run);
    if (runs.length > RECENT_MIDDLE_RUNS) runs.pop();
    return run.bytes;
  }

  private buildMiddle(meta: CtraceMeta): Uint8Array {
    const device = this.deviceBytes(meta);
    const flags = meta.flagNames.length === 0 ? NO_BYTES : cached(this.flagLists, meta.flagNames, (names) => Buffer.from(` flags=${names.map(commentValue).join(',')}`));
    const bytes = new Uint8Array(device.length + flags.length + FIXED_PARTS_BYTES);
    let p = put(bytes, put(bytes, 0, device), flags);
    if (meta.asid !== null) p = putHex(bytes, put(bytes, p, Literal.asid), meta.asid, 4);
    if (meta.tcb !== null) p = putHex(bytes, put(bytes, p, Literal.tcb), meta.tcb, 8);
    if (meta.traceCount !== null) p = put(bytes, p, Literal.count);
    return bytes.slice(0, p);
  }

  private deviceBytes(meta: CtraceMeta): Uint8Array {
    if (meta.deviceName !== null && meta.deviceName.length > 0) {
      return cached(this.deviceByName, meta.deviceName, (name) => Buffer.from(` dev=${commentValue(name)}`));
    }
    if (meta.deviceType === null) return NO_BYTES;
    return cached(this.deviceByType, meta.deviceType, (type) => Buffer.from(` dev=devtype_${type}`));
  }
}
