/**
 * A seeded mutation fuzzer over the sample data sets (the component samples and the scenario samples):
 * bit flips, byte runs, truncation, splices, deleted ranges and edits of the length fields the reader
 * trusts most (CTELENP, CTELENE, CTEOFF, PTH_Len, the IP total length, RDWs). Every mutated input is read,
 * written and analysed in-process (the report's JSON each time, its HTML now and then); no exception may
 * escape but a ZctraceError (the one-line, exit-coded kind). A subset goes through tshark, and a smaller
 * one through the command line, whose output must read back cleanly and whose failures must be one
 * documented line.
 *
 * ZCTRACE_FUZZ_ITERATIONS=N runs more (default 2000); ZCTRACE_FUZZ_SEED=S starts from another seed.
 * A failure names the seed and iteration that reproduce it and keeps the mutated input.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPacketSource } from '../src/input/packet-source.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { createCaptureWriter } from '../src/capture/capture-writer.js';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { ZctraceError } from '../src/errors.js';
import { AnalysisPipeline } from '../src/analysis/analysis-pipeline.js';
import { DEFAULT_THRESHOLDS } from '../src/analysis/thresholds.js';
import { renderJson } from '../src/report/render-json.js';
import { renderHtml } from '../src/report/render-html.js';
import type { Report } from '../src/report/report-model.js';
import { runCli } from './support/cli.js';
import { assertReadClean, runTool } from './support/tshark.js';
import { Random } from './support/seeded-random.js';

const SAMPLE_DIRS = [new URL('../samples/', import.meta.url).pathname, new URL('../samples/scenarios/', import.meta.url).pathname];
const ITERATIONS = Number(process.env['ZCTRACE_FUZZ_ITERATIONS'] ?? 2000);
const BASE_SEED = Number(process.env['ZCTRACE_FUZZ_SEED'] ?? 0x5eed);
/** Every this many iterations the written file is also read by tshark. */
const TSHARK_EVERY = 25;
/** Every this many iterations the input also goes through the command line. */
const CLI_EVERY = 250;
/** Exit codes a bad input may end with (README "Exit codes"): done, input unusable, not supported. */
const INPUT_EXIT_CODES = [0, 3, 6];

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
function setU16(b: Uint8Array, at: number, value: number): void {
  if (at < 0 || at + 1 >= b.length) return;
  b[at] = (value >> 8) & 0xff;
  b[at + 1] = value & 0xff;
}

/**
 * Where entries start, found the way the contract describes them (CTELENP, CTEOFF 16, CTELENE equal to
 * CTELENP), independently of the reader under test.
 */
function entryStarts(b: Uint8Array): number[] {
  const starts: number[] = [];
  for (let p = 0; p + 18 <= b.length; ) {
    const length = u16(b, p);
    if (length >= 18 && u16(b, p + 2) === 16 && p + length <= b.length && u16(b, p + length - 2) === length) {
      starts.push(p);
      p += length;
    } else {
      p++;
    }
  }
  return starts;
}

/** RDWs of a descriptor chain from the start (rdw downloads), as far as it holds. */
function descriptorChain(b: Uint8Array): number[] {
  const at: number[] = [];
  for (let p = 0; p + 4 <= b.length && b[p + 3] === 0 && u16(b, p) >= 5; p += u16(b, p)) at.push(p);
  return at;
}

type Mutation = (bytes: Uint8Array, random: Random, donors: readonly Uint8Array[]) => { bytes: Uint8Array; what: string };

/** Values that break length checks: zero, one, tiny, around the limits, off by one. */
function nastyLength(random: Random, actual: number): number {
  return random.pick([0, 1, 17, 18, 19, actual - 1, actual + 1, actual * 2, 0x7fff, 0xfffe, 0xffff, random.below(0x10000)]) & 0xffff;
}

const MUTATIONS: Record<string, Mutation> = {
  bitFlips(bytes, random) {
    const count = 1 + random.below(8);
    for (let i = 0; i < count; i++) bytes[random.below(bytes.length)]! ^= 1 << random.below(8);
    return { bytes, what: `${count} bit flips` };
  },
  byteRun(bytes, random) {
    const at = random.below(bytes.length);
    const length = 1 + random.below(64);
    const value = random.pick([0x00, 0xff, 0x40, random.below(256)]);
    bytes.fill(value, at, at + length);
    return { bytes, what: `run of ${length} x ${value} at ${at}` };
  },
  truncate(bytes, random) {
    const length = random.below(bytes.length);
    return { bytes: bytes.subarray(0, length), what: `truncated to ${length}` };
  },
  splice(bytes, random, donors) {
    const donor = random.pick(donors);
    const from = random.below(donor.length);
    const piece = donor.subarray(from, from + 1 + random.below(4096));
    const at = random.below(bytes.length);
    const out = new Uint8Array(bytes.length + piece.length);
    out.set(bytes.subarray(0, at));
    out.set(piece, at);
    out.set(bytes.subarray(at), at + piece.length);
    return { bytes: out, what: `spliced ${piece.length} bytes in at ${at}` };
  },
  deleteRange(bytes, random) {
    const at = random.below(bytes.length);
    const length = Math.min(1 + random.below(4096), bytes.length - at);
    const out = new Uint8Array(bytes.length - length);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(at + length), at);
    return { bytes: out, what: `deleted ${length} bytes at ${at}` };
  },
  lengthField(bytes, random) {
    const starts = entryStarts(bytes);
    if (starts.length === 0) return MUTATIONS['bitFlips']!(bytes, random, []);
    const p = random.pick(starts);
    const length = u16(bytes, p);
    const pthLen = u16(bytes, p + 16);
    const fields: Record<string, number> = { CTELENP: p, CTELENE: p + length - 2, CTEOFF: p + 2, PTH_Len: p + 16, 'IP length': p + 16 + pthLen + 2 };
    const field = random.pick(Object.keys(fields));
    const at = fields[field]!;
    const value = nastyLength(random, u16(bytes, at));
    setU16(bytes, at, value);
    return { bytes, what: `${field} of the entry at ${p} set to ${value}` };
  },
  descriptor(bytes, random) {
    const chain = descriptorChain(bytes);
    if (chain.length === 0) return MUTATIONS['lengthField']!(bytes, random, []);
    const p = random.pick(chain);
    const value = nastyLength(random, u16(bytes, p));
    if (random.next() < 0.5) setU16(bytes, p, value);
    else bytes[p + random.pick([2, 3])] = random.pick([1, 2, 3, 4, 0xff]);
    return { bytes, what: `descriptor at ${p} changed` };
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

interface Outcome {
  packets: number;
  /** The ZctraceError that ended the read, if one did. */
  error: ZctraceError | null;
  output: string | null;
  /** The analysis of the packets read, when the read completed. */
  report: Report | null;
}

/**
 * Reads the input as convert would, writes every packet and analyses it as report would; only
 * ZctraceErrors may come out.
 */
async function readWriteAndAnalyse(input: string, output: string, format: 'pcapng' | 'pcap'): Promise<Outcome> {
  let packets = 0;
  try {
    const source = await openPacketSource(input, DEFAULT_READ_OPTIONS);
    const writer = await createCaptureWriter(output, { format, timePrecision: 'ns', userAppl: 'zctrace fuzz', leapSeconds: 0 });
    const analysis = new AnalysisPipeline(DEFAULT_THRESHOLDS);
    try {
      for await (const packet of source.packets()) {
        // The packet model's promises (trace-packet.ts): whole nanoseconds, a length on the wire.
        expect(Number.isInteger(packet.timeNsec) && packet.timeNsec >= 0 && packet.timeNsec < 1e9, `time ${packet.timeSec}.${packet.timeNsec}`).to.equal(true);
        expect(Number.isInteger(packet.originalLength) && packet.originalLength >= 0, `original length ${packet.originalLength}`).to.equal(true);
        analysis.observe(packet, 0);
        const pending = writer.write(packet);
        if (pending !== undefined) await pending;
        packets++;
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writer.close();
    const report = analysis.finish([{ path: input, kind: source.kind, summary: source.traceSummary }]);
    return { packets, error: null, output, report };
  } catch (error) {
    if (error instanceof ZctraceError) return { packets, error, output: null, report: null };
    throw error;
  }
}

async function countFrames(path: string): Promise<number> {
  let frames = 0;
  for await (const frame of readCaptureFile(path)) if (frame.frameNumber > 0) frames++;
  return frames;
}

describe(`fuzz: ${ITERATIONS} mutated sample data sets (seed ${BASE_SEED})`, function () {
  this.timeout(Math.max(600_000, ITERATIONS * 500));
  let dir: string;
  let samples: { name: string; bytes: Uint8Array }[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-fuzz-'));
    samples = SAMPLE_DIRS.flatMap((sampleDir) =>
      readdirSync(sampleDir)
        .filter((name) => name.endsWith('.bin'))
        .sort()
        .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(sampleDir, name))) })),
    );
    expect(samples.length).to.be.at.least(20);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('no exception but ZctraceError escapes, and every file written reads back', async () => {
    const donors = samples.map((s) => s.bytes);
    const outcomes = { written: 0, refused: 0, cliRuns: 0, tsharkReads: 0, reports: 0 };
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const seed = (BASE_SEED + iteration) >>> 0;
      const random = new Random(seed);
      const sample = random.pick(samples);
      let bytes: Uint8Array = sample.bytes.slice();
      const applied: string[] = [];
      for (let n = 1 + random.below(3); n > 0 && bytes.length > 0; n--) {
        const name = random.pick(MUTATION_NAMES);
        const result = MUTATIONS[name]!(bytes, random, donors);
        bytes = result.bytes;
        applied.push(`${name}: ${result.what}`);
      }
      const input = join(dir, 'input.bin');
      writeFileSync(input, bytes);
      const format = iteration % 2 === 0 ? 'pcapng' : 'pcap';
      const output = join(dir, `output.${format}`);
      rmSync(output, { force: true });
      const reproduce = `ZCTRACE_FUZZ_SEED=${BASE_SEED} iteration ${iteration} (seed ${seed}) on ${sample.name}: ${applied.join('; ')}`;
      try {
        const outcome = await readWriteAndAnalyse(input, output, format);
        if (outcome.output === null) {
          outcomes.refused++;
          expect(existsSync(output), 'a failed run leaves no output').to.equal(false);
        } else {
          outcomes.written++;
          expect(await countFrames(output)).to.equal(outcome.packets);
          if (iteration % TSHARK_EVERY === 0) {
            assertReadClean(runTool('tshark', ['-r', output]), `tshark ${output}`);
            outcomes.tsharkReads++;
          }
        }
        if (outcome.report !== null) {
          outcomes.reports++;
          expect(outcome.report.overview.packets).to.equal(outcome.packets);
          expect(JSON.parse(renderJson(outcome.report)).overview.packets).to.equal(outcome.packets);
          if (iteration % TSHARK_EVERY === 0) expect(renderHtml(outcome.report)).to.match(/<\/html>\s*$/);
        }
        if (iteration % CLI_EVERY === 0) {
          outcomes.cliRuns++;
          const cliOutput = join(dir, 'cli.pcapng');
          rmSync(cliOutput, { force: true });
          const run = runCli(['convert', input, '-o', cliOutput, '-q'], { timeoutMs: 120_000 });
          expect(run.status, run.stderr).to.be.oneOf(INPUT_EXIT_CODES);
          expect(run.stderr).to.not.match(/^\s+at |internal error/m);
          if (run.status === 0) assertReadClean(runTool('tshark', ['-r', cliOutput]), `tshark ${cliOutput}`);
          else {
            expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
            expect(existsSync(cliOutput)).to.equal(false);
          }
        }
      } catch (error) {
        const kept = join(tmpdir(), `zctrace-fuzz-failure-${seed}.bin`);
        writeFileSync(kept, bytes);
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        throw new Error(`fuzz failure: ${reproduce}\ninput kept as ${kept}\n${detail}`, { cause: error });
      }
    }
    expect(outcomes.written, 'most mutations still leave packets to write').to.be.greaterThan(ITERATIONS / 2);
    expect(outcomes.tsharkReads).to.be.greaterThan(0);
    expect(outcomes.reports, 'every complete read is analysed').to.equal(outcomes.written);
  });
});
