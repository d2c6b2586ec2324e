/**
 * The report job as a library call: the inputs are read exactly as `zctrace convert` reads them (the same
 * input set: filter, time-order window, merge by time), numbered 1..N in that order (so the frame numbers
 * are those of the capture convert writes from the same inputs and filters), analysed in one streaming
 * pass, and turned into the Report.
 */
import type { TraceReadOptions } from '../ctrace/trace-reader.js';
import type { PacketFilter } from '../filter/packet-filter.js';
import type { Report } from '../report/report-model.js';
import type { Thresholds } from './thresholds.js';
import { type InputSet, openInputSet } from '../input/input-set.js';
import { AnalysisPipeline } from './analysis-pipeline.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

export interface AnalyzeOptions {
  thresholds?: Thresholds;
  /** The packets analysed (the shared filter options); absent or null: all of them. */
  filter?: PacketFilter | null;
  /** Hears how far the reading got: bytes read of all inputs together, and their total size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Analyses the packets of an opened input set (see openInputSet) and returns the report. */
export async function analyzeInputSet(inputs: InputSet, options: AnalyzeOptions = {}): Promise<Report> {
  const pipeline = new AnalysisPipeline(options.thresholds ?? DEFAULT_THRESHOLDS);
  const total = inputs.totalSize;
  const onProgress = options.onProgress;
  await inputs.forEach(
    (packet) => pipeline.observe(packet, packet.input),
    onProgress === undefined ? undefined : (bytesRead) => onProgress(bytesRead, total),
  );
  onProgress?.(total, total);
  return pipeline.finish(inputs.reports(), options.filter?.description ?? null);
}

/** Opens `paths` (CTRACE data sets, pcap, pcapng) and analyses them as one stream in time order. */
export async function analyzeInputs(paths: readonly string[], options: AnalyzeOptions & { readOptions: TraceReadOptions }): Promise<Report> {
  const inputs = await openInputSet(paths, options.readOptions, options.filter ?? null);
  return analyzeInputSet(inputs, options);
}
