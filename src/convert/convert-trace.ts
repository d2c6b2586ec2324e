/**
 * The convert job as a library call: read one or more inputs (CTRACE data sets, pcap, pcapng), keep the
 * packets the filter selects, merge them in time order and write them to one capture file or several
 * (see capture-outputs.ts). Files appear under their final names only when everything succeeded.
 */
import type { TraceReadOptions } from '../ctrace/trace-reader.js';
import type { CaptureFormat } from '../capture/capture-writer.js';
import { createProgress } from '../input/progress.js';
import { openInputSet, type InputReport } from '../input/input-set.js';
import type { PacketFilter } from '../filter/packet-filter.js';
import { CaptureOutputs, type SplitOptions, type WrittenFile } from './capture-outputs.js';
import { PRODUCT_NAME_AND_VERSION } from '../version.js';

export type { CaptureFormat };

export interface ConvertRequest {
  inputs: readonly string[];
  output: string;
  format: CaptureFormat;
  precision: 'us' | 'ns';
  snaplen: number | null;
  read: TraceReadOptions;
  filter: PacketFilter | null;
  split: SplitOptions;
  showProgress: boolean;
}

export interface ConvertResult {
  inputs: InputReport[];
  /** Packets written, all files together. */
  packets: number;
  files: WrittenFile[];
}

export async function convertTrace(request: ConvertRequest): Promise<ConvertResult> {
  const inputs = await openInputSet(request.inputs, request.read, request.filter);
  const progress = createProgress('converting', inputs.totalSize, request.showProgress);
  const outputs = await CaptureOutputs.open(request.output, request.split, {
    format: request.format,
    timePrecision: request.precision,
    ...(request.snaplen === null ? {} : { snaplen: request.snaplen }),
    userAppl: PRODUCT_NAME_AND_VERSION,
    leapSeconds: request.read.leapSeconds,
  });
  let packets = 0;
  try {
    await inputs.forEach((packet) => {
      packets++;
      return outputs.write(packet); // a promise only when the output asks us to wait (a drain, a new part)
    }, (n) => progress.update(n));
  } catch (error) {
    await outputs.abort();
    throw error;
  }
  const files = await outputs.close();
  progress.finish();
  return { inputs: inputs.reports(), packets, files };
}
