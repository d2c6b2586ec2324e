import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutputFile, abortAllOpenOutputs, tempPathFor, OUTPUT_BUFFER_BYTES } from '../src/capture/output-file.js';
import { ZctraceError } from '../src/errors.js';

/** Bytes whose every position is recognisable, so a lost or doubled chunk shows. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

async function expectIoError(promise: Promise<unknown>, oneLine: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(ZctraceError);
  expect((error as ZctraceError).code).to.equal('IO');
  expect((error as ZctraceError).oneLine()).to.equal(oneLine);
}

describe('output-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-output-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes through a hidden temp file beside the target and renames it on commit', async () => {
    const path = join(dir, 'trace.pcapng');
    const output = await openOutputFile(path);
    await output.write(pattern(10, 1));
    expect(existsSync(path)).to.equal(false);
    expect(readdirSync(dir)).to.deep.equal([`.trace.pcapng.zctrace-tmp-${process.pid}`]);
    const { bytes } = await output.commit();
    expect(bytes).to.equal(10);
    expect(readdirSync(dir)).to.deep.equal(['trace.pcapng']);
    expect(readFileSync(path)).to.deep.equal(Buffer.from(pattern(10, 1)));
  });

  it('keeps every byte in order across buffer boundaries, including a write bigger than a buffer', async () => {
    const path = join(dir, 'big.bin');
    const output = await openOutputFile(path);
    const pieces = [pattern(1000, 1), pattern(OUTPUT_BUFFER_BYTES - 500, 2), pattern(3 * OUTPUT_BUFFER_BYTES + 7, 3), pattern(1, 4)];
    for (let round = 0; round < 3; round += 1) {
      for (const piece of pieces) await output.write(piece);
    }
    const { bytes } = await output.commit();
    const expected = Buffer.concat([...pieces, ...pieces, ...pieces]);
    expect(bytes).to.equal(expected.length);
    expect(readFileSync(path).equals(expected)).to.equal(true);
  });

  it('copies on write: the caller may reuse its buffer at once', async () => {
    const path = join(dir, 'reuse.bin');
    const output = await openOutputFile(path);
    const scratch = new Uint8Array(3);
    for (let i = 0; i < 5; i += 1) {
      scratch.fill(i);
      await output.write(scratch);
    }
    await output.commit();
    expect([...readFileSync(path)]).to.deep.equal([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it('replaces an existing file only at commit', async () => {
    const path = join(dir, 'old.pcap');
    writeFileSync(path, 'previous run');
    const output = await openOutputFile(path);
    await output.write(pattern(4, 9));
    expect(readFileSync(path, 'utf8')).to.equal('previous run');
    await output.commit();
    expect(readFileSync(path)).to.deep.equal(Buffer.from(pattern(4, 9)));
  });

  it('abort leaves neither the file nor the temp file, and can be repeated', async () => {
    const path = join(dir, 'gone.pcapng');
    const output = await openOutputFile(path);
    await output.write(pattern(2 * OUTPUT_BUFFER_BYTES, 5));
    await output.abort();
    await output.abort();
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('abortAllOpenOutputs removes the outputs still open and keeps committed ones', async () => {
    const done = await openOutputFile(join(dir, 'done.pcap'));
    const open1 = await openOutputFile(join(dir, 'a.pcap'));
    const open2 = await openOutputFile(join(dir, 'b.pcap'));
    await done.write(pattern(8, 0));
    await open1.write(pattern(8, 1));
    await open2.write(pattern(8, 2));
    await done.commit();
    await abortAllOpenOutputs();
    expect(readdirSync(dir)).to.deep.equal(['done.pcap']);
    expect(() => open1.write(pattern(1, 0))).to.throw(ZctraceError, /aborted/);
  });

  it('refuses an output in a missing directory with one IO line naming the path', async () => {
    const path = join(dir, 'no-such-dir', 'x.pcapng');
    await expectIoError(openOutputFile(path), `${path}: cannot create output: no such directory`);
  });

  it('refuses an output path that is a directory', async () => {
    const path = join(dir, 'sub');
    mkdirSync(path);
    await expectIoError(openOutputFile(path), `${path}: cannot create output: is a directory`);
    expect(readdirSync(dir)).to.deep.equal(['sub']);
  });

  it('refuses an output below a regular file', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const path = join(file, 'x.pcap');
    await expectIoError(openOutputFile(path), `${path}: cannot create output: a part of the path is not a directory`);
  });

  it('a failed rename leaves nothing behind and reports the final path', async () => {
    const path = join(dir, 'target.pcap');
    const output = await openOutputFile(path);
    await output.write(pattern(16, 1));
    mkdirSync(path); // a directory appears under the final name while we write
    writeFileSync(join(path, 'keep'), 'x'); // non-empty, so rename cannot replace it
    const failure = await output.commit().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(ZctraceError);
    expect((failure as ZctraceError).file).to.equal(path);
    expect(existsSync(tempPathFor(path))).to.equal(false);
  });

  it('asks the caller to wait when it runs ahead, and memory stays bounded', async () => {
    const path = join(dir, 'stream.bin');
    const output = await openOutputFile(path);
    const chunk = pattern(100, 3);
    const total = 64 << 20;
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    let waits = 0;
    for (let written = 0; written < total; written += chunk.length) {
      const pending = output.write(chunk);
      if (pending !== undefined) {
        waits += 1;
        await pending;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }
    }
    const { bytes } = await output.commit();
    expect(bytes).to.equal(Math.ceil(total / 100) * 100);
    expect(waits).to.be.greaterThan(0);
    expect(peak - before).to.be.below(8 * OUTPUT_BUFFER_BYTES);
  });
});
