/**
 * An output file that appears under its final name only when complete. Bytes go to a temp file
 * `.<name>.zctrace-tmp-<pid>` in the same directory (same file system, so the final rename is atomic),
 * through 1 MiB buffers so a packet costs a memory copy, not a system call. A failed or interrupted run
 * removes the temp file: a nightly job never finds half a capture under the expected name.
 */
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ZctraceError } from '../errors.js';

/** Big enough that system calls are rare (one per ~10k small packets), small enough to keep two around. */
export const OUTPUT_BUFFER_BYTES = 1 << 20;

export interface OutputFile {
  /** The final path the file gets on commit. */
  readonly path: string;
  /** Bytes taken by `write` so far: the size the file will have once committed. */
  readonly bytesAccepted: number;
  /**
   * Copy `bytes` into the output (the caller may reuse them at once). Returns a promise only when the
   * writer is ahead of the disk: await it before writing more, so memory stays bounded.
   */
  write(bytes: Uint8Array): Promise<void> | void;
  /** Flush, close and rename onto the final path; returns the file size. */
  commit(): Promise<{ bytes: number }>;
  /** Close and delete the temp file. Safe to call twice, and after a failed commit. */
  abort(): Promise<void>;
}

export interface OutputFileOptions {
  /** fsync before the rename, so a crash right after cannot leave an empty file under the final name. */
  durable?: boolean;
}

/** Why the system refused, in words a batch-job owner understands; other codes print as the errno name. */
const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

function ioError(path: string, action: string, error: unknown): ZctraceError {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'unknown error';
  return new ZctraceError('IO', `cannot ${action}: ${IO_REASONS[code] ?? code}`, path);
}

/**
 * Combine two write results: the later wait covers the earlier (writes drain in order); the earlier must
 * not reject unheard, its failure is also the later one's.
 */
export function lastPending(earlier: Promise<void> | void, later: Promise<void> | void): Promise<void> | void {
  if (earlier === undefined) return later;
  if (later === undefined) return earlier;
  earlier.catch(() => undefined);
  return later;
}

/** Outputs not yet committed or aborted: what an interrupt must clean up. */
const openOutputs = new Set<FileOutput>();

/** Other things an interrupt must undo (the finished parts of a split output), until they unregister. */
const pendingCleanups = new Set<{ abort(): Promise<void> }>();

/** Registers `cleanup` for abortAllOpenOutputs; the returned function unregisters it. */
export function abortOnInterrupt(cleanup: { abort(): Promise<void> }): () => void {
  pendingCleanups.add(cleanup);
  return () => pendingCleanups.delete(cleanup);
}

/** Abort every open output (the CLI's SIGINT/SIGTERM handler and its error path call this). */
export async function abortAllOpenOutputs(): Promise<void> {
  await Promise.all([...openOutputs, ...pendingCleanups].map((output) => output.abort()));
}

/** The temp name beside `path`: hidden, tagged with our pid so two runs never collide. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.zctrace-tmp-${process.pid}`);
}

export async function openOutputFile(path: string, options: OutputFileOptions = {}): Promise<OutputFile> {
  await refuseDirectory(path);
  const tempPath = tempPathFor(path);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, 'w', 0o666);
  } catch (error) {
    throw ioError(path, 'create output', error);
  }
  const output = new FileOutput(path, tempPath, handle, options.durable ?? false);
  openOutputs.add(output);
  return output;
}

/** A directory under the final name would only fail at the rename, after all the work: fail now. */
async function refuseDirectory(path: string): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new ZctraceError('IO', 'cannot create output: is a directory', path);
}

type OutputState = 'open' | 'committing' | 'committed' | 'aborted';

class FileOutput implements OutputFile {
  private current: Buffer = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  private used = 0;
  /** Full buffers ready for reuse once the disk has taken them. */
  private readonly spare: Buffer[] = [];
  /** The chain of pending disk writes; it never rejects (failures land in `failure`). */
  private flushing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure: ZctraceError | null = null;
  private written = 0;
  private accepted = 0;
  private state: OutputState = 'open';

  constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly durable: boolean,
  ) {}

  get bytesAccepted(): number {
    return this.accepted;
  }

  write(bytes: Uint8Array): Promise<void> | void {
    if (this.state !== 'open') throw new ZctraceError('IO', `cannot write output: already ${this.state}`, this.path);
    if (this.failure !== null) throw this.failure;
    this.accepted += bytes.length;
    if (bytes.length <= OUTPUT_BUFFER_BYTES - this.used) {
      this.current.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    return this.writeSpilling(bytes);
  }

  /** `bytes` do not fit: hand the full buffer to the disk, then place them. */
  private writeSpilling(bytes: Uint8Array): Promise<void> | void {
    // Double buffering: keep filling the next buffer while one write runs; when an older write is still
    // running, the caller waits for it, so at most three buffers exist however fast packets come.
    const older = this.inFlight > 0 ? this.flushing : null;
    this.handOff();
    if (bytes.length > OUTPUT_BUFFER_BYTES) {
      this.enqueue(Buffer.from(bytes), bytes.length, false); // rare: one record larger than a buffer
    } else {
      this.current.set(bytes, 0);
      this.used = bytes.length;
    }
    return older === null ? undefined : this.after(older);
  }

  /** Queue the filled part of the current buffer and start a fresh one. */
  private handOff(): void {
    if (this.used === 0) return;
    this.enqueue(this.current, this.used, true);
    this.current = this.spare.pop() ?? Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
    this.used = 0;
  }

  private enqueue(buffer: Buffer, length: number, reusable: boolean): void {
    this.inFlight += 1;
    this.flushing = this.flushing.then(async () => {
      try {
        if (this.failure === null && this.state !== 'aborted') await this.writeFully(buffer, length);
      } catch (error) {
        this.failure ??= ioError(this.path, 'write output', error);
      } finally {
        this.inFlight -= 1;
        if (reusable) this.spare.push(buffer);
      }
    });
  }

  private async writeFully(buffer: Buffer, length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.handle.write(buffer, done, length - done);
      done += bytesWritten;
    }
    this.written += length;
  }

  /** Resolves when `writes` are on disk; rejects with the first write failure. */
  private async after(writes: Promise<void>): Promise<void> {
    await writes;
    if (this.failure !== null) throw this.failure;
  }

  async commit(): Promise<{ bytes: number }> {
    if (this.state !== 'open') throw new ZctraceError('IO', `cannot commit output: already ${this.state}`, this.path);
    this.state = 'committing';
    try {
      this.handOff();
      await this.after(this.flushing);
      if (this.durable) await this.handle.sync();
      await this.handle.close();
      if (this.state !== 'committing') throw new ZctraceError('IO', 'cannot commit output: aborted', this.path);
      await rename(this.tempPath, this.path);
    } catch (error) {
      await this.abort();
      throw error instanceof ZctraceError ? error : ioError(this.path, 'write output', error);
    }
    this.state = 'committed';
    openOutputs.delete(this);
    return { bytes: this.written };
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    this.state = 'aborted';
    openOutputs.delete(this);
    await this.flushing;
    await this.handle.close().catch(() => undefined); // already closed when a commit failed late
    await unlink(this.tempPath).catch(() => undefined);
  }
}
