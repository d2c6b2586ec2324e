/**
 * Writes the report files all or nothing: each goes through a temp name (openOutputFile) and is renamed
 * only once every file has been rendered and written; when any of them fails, those already in place are
 * removed again. A nightly job finds either a complete report set or none. Files are rendered one at a
 * time, so only one rendering is held in memory at once.
 */
import { unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { openOutputFile, type OutputFile } from '../capture/output-file.js';
import { ZctraceError } from '../errors.js';
import type { Report } from './report-model.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';

export interface ReportTargets {
  html: string | null;
  json: string | null;
}

export interface WrittenFile {
  path: string;
  bytes: number;
}

/** Extensions of trace and capture files dropped when a report is named after its input. */
const INPUT_EXTENSIONS = new Set(['.bin', '.trc', '.trace', '.pcap', '.pcapng', '.cap', '.dmp']);

/** `DIR/<input name>.report.html` and `.report.json`: a batch run's outputs named after its first input. */
export function targetsInDirectory(dir: string, firstInput: string): ReportTargets {
  const name = basename(firstInput);
  const stem = INPUT_EXTENSIONS.has(extname(name).toLowerCase()) ? name.slice(0, -extname(name).length) : name;
  return { html: join(dir, `${stem}.report.html`), json: join(dir, `${stem}.report.json`) };
}

/** Refuses targets that would overwrite an input or each other, before any work is done. */
export function checkTargets(targets: ReportTargets, inputs: readonly string[]): void {
  const paths = [targets.html, targets.json].filter((p): p is string => p !== null);
  if (paths.length === 0) throw new ZctraceError('USAGE', 'name an output: -o report.html, --json report.json or --out-dir DIR');
  if (paths.length === 2 && resolve(paths[0]!) === resolve(paths[1]!)) {
    throw new ZctraceError('USAGE', `the HTML and the JSON report cannot both be ${paths[0]}`);
  }
  const inputPaths = new Set(inputs.map((input) => resolve(input)));
  for (const path of paths) {
    if (inputPaths.has(resolve(path))) throw new ZctraceError('USAGE', `the report would overwrite its input ${path}`);
  }
}

/** Bytes encoded at a time: a report of megabytes is never held twice over as one buffer. */
const ENCODE_CHUNK_BYTES = 1 << 20;

/** Writes `text` as UTF-8 through one reused buffer (encodeInto never splits a character). */
async function writeUtf8(output: OutputFile, text: string): Promise<void> {
  const encoder = new TextEncoder();
  const chunk = new Uint8Array(ENCODE_CHUNK_BYTES);
  for (let rest = text; rest.length > 0; ) {
    const { read, written } = encoder.encodeInto(rest, chunk);
    await output.write(chunk.subarray(0, written));
    rest = rest.slice(read);
  }
}

export async function writeReportFiles(report: Report, targets: ReportTargets): Promise<WrittenFile[]> {
  const renderings: { path: string; render: () => string }[] = [];
  if (targets.html !== null) renderings.push({ path: targets.html, render: () => renderHtml(report) });
  if (targets.json !== null) renderings.push({ path: targets.json, render: () => renderJson(report) });
  const outputs: OutputFile[] = [];
  const placed: string[] = [];
  try {
    for (const { path, render } of renderings) {
      const output = await openOutputFile(path);
      outputs.push(output);
      await writeUtf8(output, render());
    }
    const written: WrittenFile[] = [];
    for (const output of outputs) {
      written.push({ path: output.path, ...(await output.commit()) });
      placed.push(output.path);
    }
    return written;
  } catch (error) {
    await Promise.all(outputs.map((output) => output.abort()));
    await Promise.all(placed.map((path) => unlink(path).catch(() => undefined)));
    throw error;
  }
}
