/**
 * The convert job as a library call: read a trace data set, write every packet to a capture file.
 * The output appears under its final name only when everything succeeded.
 */
import { openTraceReader, type TraceReadOptions } from '../ctrace/trace-reader.js';
import { createCaptureWriter, type WriteSummary } from '../capture/capture-writer.js';
import { createProgress } from '../input/progress.js';
import type { ReadSummary } from '../ctrace/read-summary.js';
import { PRODUCT_NAME_AND_VERSION } from '../version.js';

export type CaptureFormat = 'pcapng' | 'pcap';

export interface ConvertRequest {
  input: string;
  output: string;
  format: CaptureFormat;
  precision: 'us' | 'ns';
  snaplen: number | null;
  read: TraceReadOptions;
  showProgress: boolean;
}

export interface ConvertResult {
  summary: ReadSummary;
  written: WriteSummary;
}

export async function convertTrace(request: ConvertRequest): Promise<ConvertResult> {
  const reader = await openTraceReader(request.input, request.read);
  const progress = createProgress('converting', reader.size, request.showProgress);
  const writer = await createCaptureWriter(request.output, {
    format: request.format,
    timePrecision: request.precision,
    ...(request.snaplen === null ? {} : { snaplen: request.snaplen }),
    userAppl: PRODUCT_NAME_AND_VERSION,
    leapSeconds: request.read.leapSeconds,
  });
  try {
    for await (const packet of reader.packets((n) => progress.update(n))) {
      const pending = writer.write(packet);
      if (pending !== undefined) await pending; // only when the output asks us to wait for a drain
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const written = await writer.close();
  progress.finish();
  return { summary: reader.summary, written };
}
