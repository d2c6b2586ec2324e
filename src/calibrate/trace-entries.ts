/**
 * The raw trace entries of a data set, as IBM's formatter walks them: the same reader stack as
 * `convert` (file → framing → CTE scan), but the scan accepts every structurally valid entry whatever its
 * format, and asks nothing of the PTHDR. Calibration questions the PTHDR offsets, so it must not let
 * them decide which entries exist (nor, therefore, how the entries are numbered).
 */
import { openTraceFile } from '../input/file-source.js';
import { detectFraming, deframe } from '../zos/framing.js';
import { scanEntries } from '../ctrace/cte-scanner.js';
import { ZctraceError } from '../errors.js';
import type { CteEntry } from '../ctrace/cte.js';
import type { Framing, FramingChoice } from '../zos/logical-chunk.js';

const READ_CHUNK_SIZE = 1 << 20;

export interface TraceEntrySource {
  readonly path: string;
  readonly framing: Framing;
  readonly framingReason: string;
  /**
   * Every entry in file order, numbered from 1. Each entry's bytes are valid until the next one is pulled.
   * Can be walked more than once.
   */
  entries(): AsyncIterable<CteEntry>;
}

async function chooseFraming(path: string, choice: FramingChoice): Promise<{ framing: Framing; reason: string }> {
  if (choice !== 'auto') return { framing: choice, reason: 'as requested' };
  const file = await openTraceFile(path);
  try {
    return await detectFraming(file);
  } finally {
    await file.close();
  }
}

export async function openTraceEntries(path: string, framingChoice: FramingChoice): Promise<TraceEntrySource> {
  const { framing, reason } = await chooseFraming(path, framingChoice);

  async function* entries(): AsyncGenerator<CteEntry> {
    const file = await openTraceFile(path);
    let count = 0;
    try {
      const logical = deframe(file.chunks(READ_CHUNK_SIZE), framing);
      for await (const entry of scanEntries(logical, { check: () => null })) {
        count++;
        yield entry;
      }
    } finally {
      await file.close();
    }
    if (count === 0) {
      throw new ZctraceError('NO_ENTRIES', 'no valid trace entry found (is this a CTRACE data set downloaded in binary?)', path, 0);
    }
  }

  return { path, framing, framingReason: reason, entries };
}
