/**
 * Text lines of one direction of a TCP connection (an FTP control channel), rebuilt across segments in
 * sequence order: retransmitted bytes are not read twice, a gap drops the line it cut, and a line longer
 * than MAX_LINE_BYTES keeps its head only. Memory is one fixed buffer per direction, whatever the traffic.
 */

/** RFC 959 sets no line limit; real replies and commands stay far below this, a flood cannot pass it. */
export const MAX_LINE_BYTES = 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Receives each complete line; `complete` is false for a line whose bytes were not all seen. */
export type LineHandler = (line: string, complete: boolean) => void;

export class LineAssembler {
  private expectedSeq = 0;
  private synced = false;
  private readonly buffer = new Uint8Array(MAX_LINE_BYTES);
  private length = 0;
  /** The line in progress lost bytes (too long, a gap, or bytes the capture did not keep). */
  private damaged = false;

  constructor(private readonly onLine: LineHandler) {}

  /** A SYN with sequence number `seq`: the stream's first byte is seq + 1. */
  syn(seq: number): void {
    this.expectedSeq = (seq + 1) >>> 0;
    this.synced = true;
    this.length = 0;
    this.damaged = false;
  }

  /**
   * One segment: `seq` of its first payload byte, the captured bytes [start, end) of `bytes`, and its
   * payload length on the wire (more than end − start when the capture was cut short).
   */
  feed(seq: number, bytes: Uint8Array, start: number, end: number, wireLength: number): void {
    if (wireLength <= 0) return;
    if (!this.synced) {
      this.expectedSeq = seq;
      this.synced = true;
    }
    let skip = (this.expectedSeq - seq) | 0;
    if (skip >= wireLength) return; // all seen before: a retransmission
    if (skip < 0) {
      // Bytes between the last segment and this one were never captured.
      this.dropPartialLine();
      skip = 0;
    }
    for (let at = start + skip; at < end; at++) this.push(bytes[at] ?? 0);
    if (end - start < wireLength) this.dropPartialLine(); // the capture kept only the head of the segment
    this.expectedSeq = (seq + wireLength) >>> 0;
  }

  private push(byte: number): void {
    if (byte === LF) {
      this.emit();
      return;
    }
    if (this.length < MAX_LINE_BYTES) this.buffer[this.length++] = byte;
    else this.damaged = true;
  }

  /** A partial line is handed on marked incomplete (its reply code may still tell something). */
  private dropPartialLine(): void {
    if (this.length > 0) {
      this.damaged = true;
      this.emit();
    }
    this.damaged = true; // the next bytes may start mid-line
    this.length = 0;
  }

  private emit(): void {
    let length = this.length;
    if (length > 0 && this.buffer[length - 1] === CR) length--;
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(this.buffer[i] ?? 0);
    const complete = !this.damaged;
    this.length = 0;
    this.damaged = false;
    this.onLine(text, complete);
  }
}
