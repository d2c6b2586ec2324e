/**
 * Lines to a stream (stdout) with back-pressure: lines are gathered into chunks, and when the stream is
 * behind (a slow pipe, a pager) the producer waits for it to drain, so memory stays bounded however
 * many packets are listed. When the reader goes away (`zctrace list … | head`), `closed` turns true and
 * the producer stops quietly.
 */
import type { Writable } from 'node:stream';

/** Characters gathered before one write: few system calls, little held. */
const CHUNK_CHARS = 64 * 1024;
/** What ends a wait for the stream. */
const WAKE_EVENTS = ['drain', 'close', 'error'] as const;

export class LineSink {
  /** The reader closed the stream (EPIPE): stop producing. */
  closed = false;
  private pending = '';
  private failure: Error | null = null;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else this.failure = error;
    });
  }

  /** Adds one line; a returned promise means "wait before the next line". */
  write(line: string): Promise<void> | void {
    this.pending += `${line}\n`;
    if (this.pending.length >= CHUNK_CHARS) return this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.pending === '' || this.closed) return;
    const chunk = this.pending;
    this.pending = '';
    if (this.stream.write(chunk) || this.closed) return;
    await this.drained();
    if (this.failure !== null) throw this.failure;
  }

  /** Resolves on 'drain', or when the stream closes or fails (what happened is recorded above). */
  private drained(): Promise<void> {
    const stream = this.stream;
    return new Promise((resolve) => {
      const done = (): void => {
        for (const event of WAKE_EVENTS) stream.off(event, done);
        resolve();
      };
      for (const event of WAKE_EVENTS) stream.on(event, done);
    });
  }
}
