/**
 * One direction of a TLS connection as a sequence of records, rebuilt across TCP segments in sequence
 * order: a record header split between segments is joined, retransmitted bytes are not read twice, and a
 * gap (bytes never captured) loses the record boundary until a segment starts with a plausible header
 * again. The first handshake message (the hello) is collected, up to MAX_HELLO_BYTES, and handed on whole;
 * plain alerts are handed on. Memory is a few numbers per direction plus the hello while it is incomplete.
 */
import { ALERT_LENGTH, ContentType, HANDSHAKE_HEADER, TLS_RECORD_HEADER, plausibleRecordHeader, readRecordHeader } from './tls-records.js';

/** A hello larger than this (hundreds of extensions) is not followed: its version is left unknown. */
export const MAX_HELLO_BYTES = 16384;

export interface TlsRecordListener {
  /** A record began (its header complete). */
  record(type: number, length: number): void;
  /** A plain (unencrypted) alert: a 2-byte alert record. */
  alert(level: number, description: number): void;
  /** An alert record of another length: encrypted, unreadable. */
  encryptedAlert(): void;
  /** The direction's first handshake message, whole: `bytes` from its 4-byte header on. */
  hello(bytes: Uint8Array, length: number): void;
}

export class TlsDirection {
  private nextSeq = 0;
  /** The stream position of the next byte is known and a record boundary is being tracked. */
  private positioned = false;
  private readonly header = new Uint8Array(TLS_RECORD_HEADER);
  private headerFill = 0;
  private recordType = 0;
  private recordLength = 0;
  private recordRemaining = 0;
  private readonly alertBytes = new Uint8Array(ALERT_LENGTH);
  private alertFill = 0;
  /** The first handshake message while it is collected; null before and after. */
  private helloBuffer: Uint8Array | null = null;
  private helloFill = 0;
  /** The hello was handed on, or lost: not collected again. */
  private helloSettled = false;

  constructor(private readonly listener: TlsRecordListener) {}

  /**
   * One segment: `seq` of its first payload byte, captured bytes [start, end) of `bytes`, and the payload
   * length on the wire (more than end − start when the capture was cut short).
   */
  feed(seq: number, bytes: Uint8Array, start: number, end: number, wireLength: number): void {
    if (wireLength <= 0) return;
    let skip = this.positioned ? (this.nextSeq - seq) | 0 : 0;
    if (this.positioned && skip >= wireLength) return; // all seen before
    if (skip < 0) {
      this.positioned = false; // bytes before this segment were never captured
      skip = 0;
    }
    if (!this.positioned) {
      if (readRecordHeader(bytes, start, end) === null) {
        this.nextSeq = (seq + wireLength) >>> 0;
        return;
      }
      this.restartAtBoundary();
    }
    const from = start + skip;
    this.consume(bytes, from, end);
    const missing = wireLength - (end - start);
    if (missing > 0) this.skipUncaptured(missing);
    this.nextSeq = (seq + wireLength) >>> 0;
  }

  private restartAtBoundary(): void {
    this.positioned = true;
    this.headerFill = 0;
    this.recordRemaining = 0;
    this.alertFill = 0;
    if (this.helloBuffer !== null) this.loseHello();
  }

  private consume(bytes: Uint8Array, from: number, to: number): void {
    let at = from;
    while (at < to && this.positioned) {
      if (this.recordRemaining === 0) at = this.readHeaderBytes(bytes, at, to);
      else at = this.readBodyBytes(bytes, at, to);
    }
  }

  private readHeaderBytes(bytes: Uint8Array, at: number, to: number): number {
    while (at < to && this.headerFill < TLS_RECORD_HEADER) this.header[this.headerFill++] = bytes[at++] ?? 0;
    if (this.headerFill < TLS_RECORD_HEADER) return at;
    this.headerFill = 0;
    const h = this.header;
    const record = plausibleRecordHeader(h[0] ?? 0, ((h[1] ?? 0) << 8) | (h[2] ?? 0), ((h[3] ?? 0) << 8) | (h[4] ?? 0));
    if (record === null) {
      this.positioned = false; // not a record boundary after all: wait for a segment that starts one
      if (this.helloBuffer !== null) this.loseHello();
      return to;
    }
    this.recordType = record.type;
    this.recordLength = record.length;
    this.recordRemaining = record.length;
    this.alertFill = 0;
    this.listener.record(record.type, record.length);
    if (record.type === ContentType.ALERT && record.length !== ALERT_LENGTH) this.listener.encryptedAlert();
    if (record.type === ContentType.HANDSHAKE && !this.helloSettled && this.helloBuffer === null) {
      this.helloBuffer = new Uint8Array(HANDSHAKE_HEADER);
      this.helloFill = 0;
    }
    return at;
  }

  private readBodyBytes(bytes: Uint8Array, at: number, to: number): number {
    const n = Math.min(this.recordRemaining, to - at);
    if (this.recordType === ContentType.ALERT && this.recordLength === ALERT_LENGTH) {
      for (let i = 0; i < n && this.alertFill < ALERT_LENGTH; i++) this.alertBytes[this.alertFill++] = bytes[at + i] ?? 0;
      if (this.alertFill === ALERT_LENGTH && this.recordRemaining === n) this.listener.alert(this.alertBytes[0] ?? 0, this.alertBytes[1] ?? 0);
    } else if (this.recordType === ContentType.HANDSHAKE && this.helloBuffer !== null) {
      this.collectHello(bytes, at, at + n);
    }
    this.recordRemaining -= n;
    return at + n;
  }

  /** Appends handshake bytes until the first message is whole (its length comes from its header). */
  private collectHello(bytes: Uint8Array, from: number, to: number): void {
    for (let at = from; at < to && this.helloBuffer !== null; at++) {
      if (this.helloFill === this.helloBuffer.length) this.growHello();
      if (this.helloBuffer === null) return;
      this.helloBuffer[this.helloFill++] = bytes[at] ?? 0;
      if (this.helloFill >= HANDSHAKE_HEADER && this.helloFill === HANDSHAKE_HEADER + this.helloBodyLength()) {
        const hello = this.helloBuffer;
        this.helloBuffer = null;
        this.helloSettled = true;
        this.listener.hello(hello, this.helloFill);
      }
    }
  }

  private helloBodyLength(): number {
    const b = this.helloBuffer!;
    return ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
  }

  /** After the 4-byte header the buffer takes the message's size at once (bounded by MAX_HELLO_BYTES). */
  private growHello(): void {
    const total = HANDSHAKE_HEADER + this.helloBodyLength();
    if (this.helloFill < HANDSHAKE_HEADER || total > MAX_HELLO_BYTES) {
      this.loseHello();
      return;
    }
    const grown = new Uint8Array(total);
    grown.set(this.helloBuffer!.subarray(0, this.helloFill));
    this.helloBuffer = grown;
  }

  private loseHello(): void {
    this.helloBuffer = null;
    this.helloSettled = true;
  }

  /** Bytes on the wire the capture did not keep: harmless inside a record body, fatal to a header. */
  private skipUncaptured(count: number): void {
    if (!this.positioned) return;
    if (this.headerFill === 0 && this.recordRemaining >= count) {
      this.recordRemaining -= count;
      if (this.recordType === ContentType.HANDSHAKE && this.helloBuffer !== null) this.loseHello();
      if (this.recordType === ContentType.ALERT) this.alertFill = ALERT_LENGTH + 1; // never complete
      return;
    }
    this.positioned = false;
    if (this.helloBuffer !== null) this.loseHello();
  }
}
