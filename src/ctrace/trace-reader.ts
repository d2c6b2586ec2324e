/**
 * Reads one CTRACE data set end to end: file → framing → CTE scan → component decoder → TracePackets.
 * The caller iterates `packets`; `summary` fills in as it goes and is complete when iteration ends.
 */
import { openTraceFile, type TraceFile } from '../input/file-source.js';
import { PacketStream } from './packet-stream.js';
import { detectFraming, deframe } from '../zos/framing.js';
import { CteScanner, scanEntries } from './cte-scanner.js';
import { loadLayoutProfile } from './layout/layout-profile.js';
import { resolveCodePage } from '../zos/ebcdic.js';
import { inferComponent } from './format-ids.js';
import { createComponentDecoder } from './component-decoders.js';
import { noEntriesError, NO_ENTRIES_HEAD_BYTES } from './no-entries.js';
import { ReadSummaryBuilder, type ReadSummary } from './read-summary.js';
import type { Component } from '../model/component.js';
import type { FramingChoice, Framing } from '../zos/logical-chunk.js';
import type { TracePacket } from '../model/trace-packet.js';
import type { CteEntry } from './cte.js';
import type { BytesReusedListener, PacketPuller } from '../input/packet-puller.js';

export interface TraceReadOptions {
  framing: FramingChoice;
  component: Component | 'auto';
  /** A layout profile file overriding the default, or null. */
  layoutPath: string | null;
  codePage: string;
  leapSeconds: number;
}

export const DEFAULT_READ_OPTIONS: TraceReadOptions = {
  framing: 'auto',
  component: 'auto',
  layoutPath: null,
  codePage: '1047',
  leapSeconds: 0,
};

/** How many entries the component vote looks at: enough to outvote a damaged start, cheap to read. */
const COMPONENT_VOTE_ENTRIES = 256;
const READ_CHUNK_SIZE = 1 << 20;

export interface TraceReader {
  readonly path: string;
  readonly size: number;
  readonly framing: Framing;
  readonly component: Component;
  /** The packets in file order; `onProgress` hears the file bytes read so far. */
  packets(onProgress?: (bytesRead: number) => void): AsyncIterable<TracePacket>;
  /**
   * The same packets as a puller (no promise per packet). With `onBytesReused`, packet bytes stay valid
   * until that listener is called, not only until the next packet (see packet-stream.ts).
   */
  open(onProgress?: (bytesRead: number) => void, onBytesReused?: BytesReusedListener): PacketPuller;
  readonly summary: ReadSummary;
}

/** Structurally valid entries of any format: used only to vote on the component. */
async function firstFormatIds(path: string, framing: Framing): Promise<number[]> {
  const file = await openTraceFile(path);
  const ids: number[] = [];
  try {
    const entries = scanEntries(deframe(file.chunks(READ_CHUNK_SIZE), framing), { check: () => null });
    for await (const entry of entries) {
      ids.push(entry.formatId);
      if (ids.length >= COMPONENT_VOTE_ENTRIES) break;
    }
  } finally {
    await file.close();
  }
  return ids;
}

/**
 * The framing asked for, or detected. A framing asked for that detection disagrees with is used, with
 * detection's view in the reason: a wrong --framing then shows in the summary, not only as lost entries.
 */
async function chooseFraming(path: string, choice: FramingChoice): Promise<{ framing: Framing; reason: string }> {
  const file = await openTraceFile(path);
  let detected: { framing: Framing; reason: string };
  try {
    detected = await detectFraming(file);
  } finally {
    await file.close();
  }
  if (choice === 'auto') return detected;
  return { framing: choice, reason: detected.framing === choice ? 'as requested' : `as requested, though detection says ${detected.reason}` };
}

async function chooseComponent(
  path: string,
  framing: Framing,
  choice: Component | 'auto',
  head: Uint8Array,
): Promise<{ component: Component; reason: string }> {
  if (choice !== 'auto') return { component: choice, reason: 'as requested' };
  const ids = await firstFormatIds(path, framing);
  const vote = inferComponent(ids);
  if (vote === null) throw noEntriesError(path, head);
  return { component: vote.component, reason: `format IDs of ${vote.votes} of the first ${ids.length} entries` };
}

export async function openTraceReader(path: string, options: TraceReadOptions): Promise<TraceReader> {
  const profile = loadLayoutProfile(options.layoutPath ?? undefined);
  const codePage = resolveCodePage(options.codePage);
  const probe = await openTraceFile(path);
  const size = probe.size;
  let head: Uint8Array;
  try {
    head = await probe.readHead(NO_ENTRIES_HEAD_BYTES); // kept to say what the file is, should it hold no entry
  } finally {
    await probe.close();
  }
  const framing = await chooseFraming(path, options.framing);
  const component = await chooseComponent(path, framing.framing, options.component, head);
  const decoder = createComponentDecoder(component.component, { profile, codePage, leapSeconds: options.leapSeconds });
  const summary = new ReadSummaryBuilder({
    file: path,
    fileSize: size,
    framing: framing.framing,
    framingReason: framing.reason,
    component: component.component,
    componentReason: component.reason,
    layoutProfile: profile.name,
    codePage: codePage.name,
    leapSeconds: options.leapSeconds,
  });

  /** One pass of the file: framing, scanner and decoder. */
  function open(onProgress?: (bytesRead: number) => void, onBytesReused?: BytesReusedListener): PacketStream {
    let file: TraceFile | null = null;
    const opening = openTraceFile(path).then((opened) => (file = opened));
    const chunks = (async function* () {
      const opened = await opening;
      const read = opened.chunks(READ_CHUNK_SIZE, onProgress, onBytesReused);
      yield* deframe(read, framing.framing, { onAnomaly: (a) => summary.framingAnomaly(a) });
    })();
    return new PacketStream({
      chunks,
      scanner: new CteScanner({ check: (e: CteEntry) => decoder.check(e), onSkip: (r) => summary.skipped(r) }),
      decoder,
      summary,
      cleanup: async () => {
        summary.decoderStats(decoder.stats());
        await opening.catch(() => undefined);
        await (file as TraceFile | null)?.close();
      },
      atEnd: () => {
        if (summary.entries === 0) throw noEntriesError(path, head);
      },
      announcesReuse: onBytesReused !== undefined,
    });
  }

  /** The packets in file order, as an async iterable. */
  function packets(onProgress?: (bytesRead: number) => void): AsyncIterable<TracePacket> {
    return { [Symbol.asyncIterator]: () => open(onProgress) };
  }

  return {
    path,
    size,
    framing: framing.framing,
    component: component.component,
    packets,
    open,
    get summary() {
      return summary.result();
    },
  };
}
