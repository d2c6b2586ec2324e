/**
 * Any input zctrace reads, as one stream of TracePackets: a CTRACE data set (through the trace reader)
 * or a pcap/pcapng capture (so that the same analysis serves a Linux-side tcpdump). The kind is told
 * by the file's first bytes, never by its name.
 */
import { basename } from 'node:path';
import { openTraceFile } from './file-source.js';
import { openTraceReader, type TraceReadOptions } from '../ctrace/trace-reader.js';
import { probeCaptureFile, readCaptureFile, PROBE_HEAD_BYTES, type CapturedFrame } from '../capture/capture-file-reader.js';
import type { ReadSummary } from '../ctrace/read-summary.js';
import type { TraceInterface, TracePacket } from '../model/trace-packet.js';
import { pullerOf, type BytesReusedListener, type PacketPuller } from './packet-puller.js';

export type InputKind = 'ctrace' | 'pcap' | 'pcapng';

export interface PacketSource {
  readonly path: string;
  readonly kind: InputKind;
  readonly size: number;
  /** Packets in file order; `onProgress` hears the bytes read so far (an estimate for captures). */
  packets(onProgress?: (bytesRead: number) => void): AsyncIterable<TracePacket>;
  /**
   * The same packets through a puller. A source that `tellsBytesReuse` names a buffer to `onBytesReused`
   * before it overwrites it, and its puller's `lastBytesStay` says which packets' bytes wait for that.
   */
  open(onProgress?: (bytesRead: number) => void, onBytesReused?: BytesReusedListener): PacketPuller;
  readonly tellsBytesReuse: boolean;
  /** For a CTRACE input, what the read found (complete once `packets` has been read to the end). */
  readonly traceSummary: ReadSummary | null;
}

/** Interfaces of a capture input, one object per (name, link type), so consumers can compare by identity. */
class CaptureInterfaces {
  private readonly known = new Map<string, TraceInterface>();

  constructor(private readonly fileName: string) {}

  of(frame: CapturedFrame): TraceInterface {
    const name = frame.interfaceName ?? this.fileName;
    const key = `${name}|${frame.linkType}`;
    let iface = this.known.get(key);
    if (iface === undefined) {
      iface = { component: null, name, linkType: frame.linkType, description: `capture file ${this.fileName}` };
      this.known.set(key, iface);
    }
    return iface;
  }
}

/** Bytes a capture file spends on each frame besides its data (pcap's record header; pcapng's is larger). */
const CAPTURE_RECORD_OVERHEAD = 16;
/** A capture's progress is told once per this many frames: often enough for a bar, cheap per frame. */
const CAPTURE_PROGRESS_EVERY = 1024;

async function* captureFilePackets(path: string, size: number, onProgress?: (bytesRead: number) => void): AsyncIterable<TracePacket> {
  const interfaces = new CaptureInterfaces(basename(path));
  let bytesRead = 0;
  let sinceProgress = 0;
  for await (const frame of readCaptureFile(path)) {
    if (onProgress !== undefined) {
      bytesRead += frame.data.length + CAPTURE_RECORD_OVERHEAD;
      if (++sinceProgress === CAPTURE_PROGRESS_EVERY) {
        sinceProgress = 0;
        onProgress(Math.min(bytesRead, size));
      }
    }
    yield {
      timeSec: frame.timeSec,
      timeNsec: frame.timeNsec,
      interface: interfaces.of(frame),
      direction: frame.direction,
      data: frame.data,
      originalLength: frame.originalLength,
      ctrace: null,
    };
  }
  onProgress?.(size); // the whole file has been read
}

export async function openPacketSource(path: string, readOptions: TraceReadOptions): Promise<PacketSource> {
  const file = await openTraceFile(path);
  let head: Uint8Array;
  try {
    head = await file.readHead(PROBE_HEAD_BYTES);
  } finally {
    await file.close();
  }
  const captureKind = probeCaptureFile(head);
  if (captureKind !== null) {
    const size = file.size;
    const packets = (onProgress?: (bytesRead: number) => void): AsyncIterable<TracePacket> => captureFilePackets(path, size, onProgress);
    return { path, kind: captureKind, size, packets, open: (onProgress) => pullerOf(packets(onProgress)), tellsBytesReuse: false, traceSummary: null };
  }
  const reader = await openTraceReader(path, readOptions);
  return {
    path,
    kind: 'ctrace',
    size: reader.size,
    packets: (onProgress) => reader.packets(onProgress),
    open: (onProgress, onBytesReused) => reader.open(onProgress, onBytesReused),
    tellsBytesReuse: true,
    get traceSummary() {
      return reader.summary;
    },
  };
}
