import { expect } from 'chai';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTraceFile } from '../src/input/file-source.js';
import { detectFraming } from '../src/zos/framing.js';
import { ZctraceError } from '../src/errors.js';
import { buildCte, cutRecords, frameRdw, packBuffers, concatBytes } from './support/cte-builder.js';

async function expectError(promise: Promise<unknown>, code: string): Promise<ZctraceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ZctraceError);
    expect((error as ZctraceError).code).to.equal(code);
    return error as ZctraceError;
  }
  throw new Error(`expected a ${code} error`);
}

describe('trace file source', () => {
  let dir = '';
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 7 + 3) & 0xff);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zctrace-file-source-'));
    await writeFile(join(dir, 'data.bin'), bytes);
    await writeFile(join(dir, 'empty.bin'), new Uint8Array(0));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a missing file as IO with its path', async () => {
    const path = join(dir, 'missing.bin');
    const error = await expectError(openTraceFile(path), 'IO');
    expect(error.oneLine()).to.match(new RegExp(`^${path}: cannot open the file: ENOENT`));
  });

  it('reports an empty file as EMPTY and a directory as IO', async () => {
    await expectError(openTraceFile(join(dir, 'empty.bin')), 'EMPTY');
    await expectError(openTraceFile(dir), 'IO');
  });

  it('streams the whole file in order, with offsets and progress', async () => {
    const file = await openTraceFile(join(dir, 'data.bin'));
    const copies: Uint8Array[] = [];
    const offsets: number[] = [];
    const progress: number[] = [];
    for await (const chunk of file.chunks(4096, (n) => progress.push(n))) {
      offsets.push(chunk.fileOffset);
      copies.push(chunk.bytes.slice());
    }
    await file.close();
    expect(file.size).to.equal(bytes.length);
    expect(offsets).to.deep.equal([0, 4096, 8192]);
    expect(progress).to.deep.equal([4096, 8192, 10_000]);
    expect(Buffer.compare(concatBytes(copies), bytes)).to.equal(0);
  });

  it('stops cleanly when the caller breaks off', async () => {
    const file = await openTraceFile(join(dir, 'data.bin'));
    for await (const chunk of file.chunks(7)) {
      expect(chunk.fileOffset).to.equal(0);
      break;
    }
    await file.close();
  });

  it('reads at positions, synchronously or not, and shortens reads at end of file', async () => {
    const file = await openTraceFile(join(dir, 'data.bin'));
    expect([...(await file.readHead(3))]).to.deep.equal([3, 10, 17]);
    expect([...(await file.readAt(9998, 10))]).to.deep.equal([bytes[9998], bytes[9999]]);
    const target = new Uint8Array(4);
    expect(file.readIntoSync(target, 100)).to.equal(4);
    expect([...target]).to.deep.equal([...bytes.subarray(100, 104)]);
    await expectError(file.readAt(10_001, 1), 'IO');
    expect(() => file.chunks(0)).to.throw(ZctraceError);
    await file.close();
  });

  it('reads beyond 4 GiB (sparse file)', async () => {
    const path = join(dir, 'sparse.bin');
    const far = 4.5 * 2 ** 30 + 3;
    const handle = await open(path, 'w');
    await handle.truncate(5 * 2 ** 30);
    await handle.write(new Uint8Array([0xc1, 0xc2, 0xc3]), 0, 3, far);
    await handle.close();
    const file = await openTraceFile(path);
    expect(file.size).to.equal(5 * 2 ** 30);
    expect([...(await file.readAt(far - 1, 5))]).to.deep.equal([0, 0xc1, 0xc2, 0xc3, 0]);
    const target = new Uint8Array(3);
    file.readIntoSync(target, far);
    expect([...target]).to.deep.equal([0xc1, 0xc2, 0xc3]);
    await file.close();
    await rm(path);
  });

  it('feeds framing detection with a real file', async () => {
    const entries = Array.from({ length: 40 }, (_, i) =>
      buildCte({ formatId: 4, timeSec: 1_600_000_000 + i, timeNsec: 0, data: new Uint8Array(100).fill(0x45) }),
    );
    const path = join(dir, 'rdw.bin');
    await writeFile(path, frameRdw(cutRecords(concatBytes(packBuffers(entries, 2048)), 700)));
    const file = await openTraceFile(path);
    const detection = await detectFraming(file);
    await file.close();
    expect(detection.framing).to.equal('rdw');
  });
});
