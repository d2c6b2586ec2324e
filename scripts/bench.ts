/**
 * `npm run bench`: how fast zctrace is, on this machine, against the tools people would use instead.
 *
 * Builds a synthetic SYSTCPDA packet trace (default 1 million packets, about 275 MB, plus a reference pcap
 * of the same packets) and a larger one (default 4 million) in bench/work/, then measures with the built
 * command (dist/cli.js, run as a user runs it):
 *   - zctrace convert → pcapng and → pcap (the pcap must equal the reference byte for byte),
 *   - zctrace report (analysis, HTML and JSON) when the build has that command,
 *   - editcap converting the reference pcap to pcapng (a C tool doing comparable I/O),
 *   - tshark -q -z expert on the reference pcap (Wireshark's own analysis of the same packets),
 *   - zctrace convert → pcapng of the larger data set, to show memory does not grow with size.
 * Prints packets/s, MB/s, peak RSS and the ratios, checks the floors, and writes bench/results.json.
 *
 * Options: --packets N, --large N (0 skips), --runs N (best of N, default 5: the speed of the shared
 * machine we measure on varies by a third from run to run), --regenerate, --seed N.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, writeSyntheticTrace, type SyntheticTraceFacts } from './bench/synthetic-trace.js';
import { measure, probe, type Measurement } from './bench/measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', 'work');
const RESULTS = join(ROOT, 'bench', 'results.json');
/** The built command; ZCTRACE_BENCH_CLI points at another build (to compare two versions). */
const CLI = process.env['ZCTRACE_BENCH_CLI'] ?? join(ROOT, 'dist', 'cli.js');

/** The floors (issue 5): what "fast and bounded" means, checked on every run. */
const Floors = {
  convertPacketsPerSecond: 500_000,
  /** zctrace convert's packet rate as a share of editcap's. */
  editcapShare: 0.5,
  /** tshark -z expert time over zctrace report time. */
  reportSpeedup: 3,
  peakRssMb: 200,
  /** The large data set may take at most this much more memory than the small one (measurement noise). */
  rssGrowth: 1.15,
};

interface DataSet {
  name: string;
  trace: string;
  pcap: string | null;
  facts: SyntheticTraceFacts;
}

interface Manifest {
  generatorVersion: number;
  packets: number;
  seed: number;
  withPcap: boolean;
  facts: SyntheticTraceFacts;
}

/** A command line as anyone can rerun it: paths from the project root, `node` for this node. */
function portable(command: string): string {
  return command.replace(process.execPath, 'node').replaceAll(ROOT, '');
}

function megabytes(bytes: number): number {
  return bytes / 1e6;
}

/** The data set of `packets` packets, built once and reused while the generator and its options are unchanged. */
async function dataSet(name: string, packets: number, seed: number, withPcap: boolean, regenerate: boolean): Promise<DataSet> {
  const trace = join(WORK, `${name}.bin`);
  const pcap = withPcap ? join(WORK, `${name}.pcap`) : null;
  const manifestPath = join(WORK, `${name}.json`);
  if (!regenerate && existsSync(manifestPath) && existsSync(trace) && (pcap === null || existsSync(pcap))) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    const same = manifest.generatorVersion === GENERATOR_VERSION && manifest.packets === packets && manifest.seed === seed && manifest.withPcap === withPcap;
    if (same && statSync(trace).size === manifest.facts.traceBytes) return { name, trace, pcap, facts: manifest.facts };
  }
  process.stdout.write(`building ${name}: ${packets} packets ... `);
  const started = Date.now();
  const facts = await writeSyntheticTrace({ packets, tracePath: trace, pcapPath: pcap, seed });
  const manifest: Manifest = { generatorVersion: GENERATOR_VERSION, packets, seed, withPcap, facts };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`${(megabytes(facts.traceBytes)).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { name, trace, pcap, facts };
}

interface Row {
  measurement: Measurement;
  packets: number;
  inputBytes: number;
}

function rate(row: Row): number {
  return row.packets / row.measurement.seconds;
}

function formatRow(row: Row): string {
  const m = row.measurement;
  const cells = [
    m.label.padEnd(44),
    `${m.seconds.toFixed(2)} s`.padStart(9),
    `${Math.round(rate(row)).toLocaleString('en-US')} pkt/s`.padStart(17),
    `${(megabytes(row.inputBytes) / m.seconds).toFixed(0)} MB/s`.padStart(10),
    m.peakRssMb === null ? '       -' : `${m.peakRssMb.toFixed(0)} MB`.padStart(8),
    m.cpuSeconds === null ? '' : `cpu ${m.cpuSeconds.toFixed(2)} s`.padStart(13),
  ];
  return cells.join('  ');
}

/** Equal files, compared by the system's cmp (fast, and independent of our code). */
function sameFile(a: string, b: string): boolean {
  return probe('cmp', ['-s', a, b]).status === 0;
}

function capinfosPackets(path: string): number | null {
  const run = probe('capinfos', ['-M', '-c', path]);
  const match = /Number of packets:\s+(\d+)/.exec(run.stdout);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** The report command of this build, if it has one: the arguments that write HTML and JSON. */
function reportArguments(input: string, html: string, json: string): string[] | null {
  const help = probe(process.execPath, [CLI, 'report', '--help']);
  if (help.status !== 0 || !/--json/.test(help.stdout) || !/--output/.test(help.stdout)) return null;
  return [CLI, 'report', input, '-o', html, '--json', json, '-q'];
}

interface Floor {
  name: string;
  value: number | null;
  limit: string;
  met: boolean | null;
}

function floor(name: string, value: number | null, limit: string, met: (v: number) => boolean): Floor {
  return { name, value, limit, met: value === null ? null : met(value) };
}

function toolVersion(command: string): string {
  return probe(command, ['--version']).stdout.split('\n')[0]?.trim() ?? 'unknown';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      packets: { type: 'string', default: '1000000' },
      large: { type: 'string', default: '4000000' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '20240501' },
      regenerate: { type: 'boolean', default: false },
    },
  });
  const packets = Number(values.packets);
  const largePackets = Number(values.large);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  mkdirSync(WORK, { recursive: true });

  const main = await dataSet(`trace-${packets}`, packets, seed, true, values.regenerate);
  const large = largePackets > 0 ? await dataSet(`trace-${largePackets}`, largePackets, seed, false, values.regenerate) : null;
  const reference = main.pcap!;
  const traceBytes = main.facts.traceBytes;
  const out = (name: string): string => join(WORK, name);
  const node = process.execPath;
  const rows: Record<string, Row> = {};
  const notes: string[] = [];
  const show = (key: string, row: Row): void => {
    rows[key] = row;
    process.stdout.write(`${formatRow(row)}\n`);
  };

  process.stdout.write(`\n${main.name}: ${packets.toLocaleString('en-US')} packets, ${megabytes(traceBytes).toFixed(0)} MB; best of ${runs} runs\n`);
  const pcapngOut = out('convert.pcapng');
  show('convertPcapng', { measurement: measure('zctrace convert → pcapng', node, [CLI, 'convert', main.trace, '-o', pcapngOut, '-q'], { runs, outputs: [pcapngOut] }), packets, inputBytes: traceBytes });
  const pcapngPackets = capinfosPackets(pcapngOut);
  if (pcapngPackets !== packets) notes.push(`convert → pcapng wrote ${pcapngPackets} packets, expected ${packets}`);

  const pcapOut = out('convert.pcap');
  show('convertPcap', { measurement: measure('zctrace convert → pcap', node, [CLI, 'convert', main.trace, '-o', pcapOut, '-q'], { runs, outputs: [pcapOut] }), packets, inputBytes: traceBytes });
  const pcapIdentical = sameFile(pcapOut, reference);
  if (!pcapIdentical) notes.push('convert → pcap differs from the reference pcap');

  const html = out('report.html');
  const json = out('report.json');
  const reportArgs = reportArguments(main.trace, html, json);
  if (reportArgs === null) {
    notes.push('zctrace report: not available in this build (dist/cli.js has no report command with --output and --json)');
    process.stdout.write('zctrace report: not available in this build\n');
  } else {
    show('report', { measurement: measure('zctrace report (analysis + HTML + JSON)', node, reportArgs, { runs, outputs: [html, json] }), packets, inputBytes: traceBytes });
  }

  const editcapOut = out('editcap.pcapng');
  const pcapBytes = main.facts.pcapBytes;
  show('editcap', { measurement: measure('editcap pcap → pcapng', 'editcap', ['-F', 'pcapng', reference, editcapOut], { runs, outputs: [editcapOut] }), packets, inputBytes: pcapBytes });
  show('tsharkExpert', { measurement: measure('tshark -q -z expert', 'tshark', ['-r', reference, '-q', '-z', 'expert'], { runs }), packets, inputBytes: pcapBytes });

  if (large !== null) {
    process.stdout.write(`\n${large.name}: ${largePackets.toLocaleString('en-US')} packets, ${megabytes(large.facts.traceBytes).toFixed(0)} MB\n`);
    const largeOut = out('convert-large.pcapng');
    show('convertPcapngLarge', {
      measurement: measure('zctrace convert → pcapng (large)', node, [CLI, 'convert', large.trace, '-o', largeOut, '-q'], { runs: Math.min(runs, 3), outputs: [largeOut] }),
      packets: largePackets,
      inputBytes: large.facts.traceBytes,
    });
  }

  const editcapRate = rate(rows['editcap']!);
  const report = rows['report'];
  const largeRow = rows['convertPcapngLarge'];
  const smallRss = rows['convertPcapng']!.measurement.peakRssMb;
  const floors: Floor[] = [
    floor('convert → pcapng packets/s', rate(rows['convertPcapng']!), `>= ${Floors.convertPacketsPerSecond}`, (v) => v >= Floors.convertPacketsPerSecond),
    floor('convert → pcap packets/s', rate(rows['convertPcap']!), `>= ${Floors.convertPacketsPerSecond}`, (v) => v >= Floors.convertPacketsPerSecond),
    floor('convert → pcapng rate / editcap rate', rate(rows['convertPcapng']!) / editcapRate, `>= ${Floors.editcapShare}`, (v) => v >= Floors.editcapShare),
    floor('convert → pcap rate / editcap rate', rate(rows['convertPcap']!) / editcapRate, `>= ${Floors.editcapShare}`, (v) => v >= Floors.editcapShare),
    floor('report speed-up over tshark -z expert', report === undefined ? null : rows['tsharkExpert']!.measurement.seconds / report.measurement.seconds, `>= ${Floors.reportSpeedup}`, (v) => v >= Floors.reportSpeedup),
    floor('convert → pcapng peak RSS (MB)', smallRss, `< ${Floors.peakRssMb}`, (v) => v < Floors.peakRssMb),
    floor('convert → pcap peak RSS (MB)', rows['convertPcap']!.measurement.peakRssMb, `< ${Floors.peakRssMb}`, (v) => v < Floors.peakRssMb),
    floor('report peak RSS (MB)', report?.measurement.peakRssMb ?? null, `< ${Floors.peakRssMb}`, (v) => v < Floors.peakRssMb),
    floor(
      `peak RSS ${largePackets / 1e6} M / ${packets / 1e6} M packets`,
      largeRow?.measurement.peakRssMb != null && smallRss !== null ? largeRow.measurement.peakRssMb / smallRss : null,
      `<= ${Floors.rssGrowth}`,
      (v) => v <= Floors.rssGrowth,
    ),
    floor('convert → pcap identical to the reference pcap', pcapIdentical ? 1 : 0, '= 1', (v) => v === 1),
  ];

  process.stdout.write('\nfloors\n');
  for (const f of floors) {
    const verdict = f.met === null ? 'n/a ' : f.met ? 'met ' : 'MISSED';
    process.stdout.write(`  ${verdict.padEnd(6)} ${f.name.padEnd(46)} ${f.value === null ? '-' : Number(f.value.toFixed(2)).toLocaleString('en-US')} (${f.limit})\n`);
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      tshark: toolVersion('tshark'),
      editcap: toolVersion('editcap'),
    },
    dataSets: Object.fromEntries([main, large].filter((d): d is DataSet => d !== null).map((d) => [d.name, d.facts])),
    measurements: Object.fromEntries(
      Object.entries(rows).map(([key, row]) => [
        key,
        {
          ...row.measurement,
          command: portable(row.measurement.command),
          packets: row.packets,
          inputBytes: row.inputBytes,
          packetsPerSecond: Math.round(rate(row)),
          megabytesPerSecond: Number((megabytes(row.inputBytes) / row.measurement.seconds).toFixed(1)),
        },
      ]),
    ),
    floors,
    notes,
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${RESULTS}\n`);
}

await main();
