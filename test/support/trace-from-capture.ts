/**
 * Turns real captured frames (pcap/pcapng read by our capture reader) into a SYSTCPDA packet trace data
 * set, as the z/OS stack would have written it had it been one end of the conversation: the link-layer
 * header goes (packet trace is raw IP), the PTHDR gets link name, device type, direction, addresses and
 * ports, and the entries are packed into trace buffers and framed the way a download delivers them.
 * Tests use it to check that zctrace gives back exactly the packets that were captured.
 */
import { readCaptureFile, type CapturedFrame } from '../../src/capture/capture-file-reader.js';
import { LinkType } from '../../src/capture/link-types.js';
import { buildPacketEntry, buildSegmentedEntries, type PacketEntrySpec, type PthdrValues } from './packet-trace-builder.js';
import { cutRecords, frameBdw, frameRaw, frameRdw, packBuffers, concatBytes } from './cte-builder.js';

/** The four shapes a downloaded data set can have; `spanned` is RDW with VBS segments. */
export type SampleFraming = 'raw' | 'rdw' | 'bdw' | 'spanned';
export const SAMPLE_FRAMINGS: readonly SampleFraming[] = ['raw', 'rdw', 'bdw', 'spanned'];

/** The IP packet inside a frame, without the link header (Ethernet, 802.1Q tags) or Ethernet padding. */
export function ipPacketOf(frame: CapturedFrame): Uint8Array {
  if (frame.data.length !== frame.originalLength) throw new Error(`frame ${frame.frameNumber} was cut by the capture; use whole frames`);
  let at = 0;
  if (frame.linkType === LinkType.ETHERNET) {
    at = 12;
    while (((frame.data[at]! << 8) | frame.data[at + 1]!) === 0x8100) at += 4;
    at += 2;
  } else if (frame.linkType !== LinkType.RAW) {
    throw new Error(`frame ${frame.frameNumber}: link type ${frame.linkType} not handled`);
  }
  const ip = frame.data.subarray(at);
  const ipLength = ip[0]! >> 4 === 4 ? (ip[2]! << 8) | ip[3]! : 40 + ((ip[4]! << 8) | ip[5]!);
  return ip.subarray(0, ipLength);
}

export interface IpFacts {
  version: 4 | 6;
  source: string;
  destination: string;
  protocol: number;
  sourcePort: number;
  destinationPort: number;
}

function v6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** Addresses, protocol and ports, read independently of the product's IP code. */
export function ipFacts(ip: Uint8Array): IpFacts {
  const version = ip[0]! >> 4;
  const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  if (version === 4) {
    const headerLength = (ip[0]! & 0x0f) * 4;
    const protocol = ip[9]!;
    const hasPorts = (protocol === 6 || protocol === 17) && ip.length >= headerLength + 4;
    return {
      version: 4,
      source: Array.from(ip.subarray(12, 16)).join('.'),
      destination: Array.from(ip.subarray(16, 20)).join('.'),
      protocol,
      sourcePort: hasPorts ? view.getUint16(headerLength) : 0,
      destinationPort: hasPorts ? view.getUint16(headerLength + 2) : 0,
    };
  }
  if (version !== 6) throw new Error(`IP version ${version}`);
  const protocol = ip[6]!;
  const hasPorts = (protocol === 6 || protocol === 17) && ip.length >= 44;
  return {
    version: 6,
    source: v6Text(ip.subarray(8, 24)),
    destination: v6Text(ip.subarray(24, 40)),
    protocol,
    sourcePort: hasPorts ? view.getUint16(40) : 0,
    destinationPort: hasPorts ? view.getUint16(42) : 0,
  };
}

export interface TracedFrame {
  frame: CapturedFrame;
  ip: Uint8Array;
  facts: IpFacts;
  outbound: boolean;
}

export interface TraceFromCaptureOptions {
  /** The traced stack's own addresses (text as ipFacts gives them): packets from them are outbound. */
  localAddresses: string[];
  /** Link name and device type per packet; default OSAQDIO4 (39) for IPv4, OSAQDIO6 (53) for IPv6. */
  link?(traced: TracedFrame): { name: string; deviceType: number };
  /** Extra entry settings for one packet: discard code, ABBREV truncation, segmentation. */
  decorate?(traced: TracedFrame, index: number): Partial<PacketEntrySpec> & { segmentPieces?: number[] };
  asid?: number;
  tcb?: number;
}

const OUTBOUND_BIT = 32;

function defaultLink(traced: TracedFrame): { name: string; deviceType: number } {
  return traced.facts.version === 4 ? { name: 'OSAQDIO4', deviceType: 39 } : { name: 'OSAQDIO6', deviceType: 53 };
}

/** The CTEs (one, or several when segmented) the stack would write for each frame, in frame order. */
export function packetEntriesFromFrames(frames: CapturedFrame[], options: TraceFromCaptureOptions): Uint8Array[] {
  const local = new Set(options.localAddresses);
  const entries: Uint8Array[] = [];
  frames.forEach((frame, index) => {
    const ip = ipPacketOf(frame);
    const facts = ipFacts(ip);
    const traced: TracedFrame = { frame, ip, facts, outbound: local.has(facts.source) };
    const link = (options.link ?? defaultLink)(traced);
    const { segmentPieces, fields: extraFields, ...extra } = options.decorate?.(traced, index) ?? {};
    const fields: PthdrValues = {
      headerVersion: 1,
      deviceType: link.deviceType,
      flags: traced.outbound ? OUTBOUND_BIT : 0,
      linkName: link.name,
      captureTime: { sec: frame.timeSec, nsec: frame.timeNsec },
      sourceAddress: facts.source,
      destinationAddress: facts.destination,
      sourcePort: facts.sourcePort,
      destinationPort: facts.destinationPort,
      traceCount: index + 1,
      protocol: facts.protocol,
      asid: options.asid ?? 0x3e,
      tcb: options.tcb ?? 0x007ff0e8,
      ...extraFields,
    };
    const spec: PacketEntrySpec = { packet: ip, fields, padByte: ip.length % 2 === 1, ...extra };
    if (segmentPieces === undefined) entries.push(buildPacketEntry(spec));
    else entries.push(...buildSegmentedEntries(spec, segmentPieces));
  });
  return entries;
}

/** Frames of a capture file, whole, in file order. */
export async function readFrames(path: string): Promise<CapturedFrame[]> {
  const frames: CapturedFrame[] = [];
  for await (const frame of readCaptureFile(path)) frames.push({ ...frame, data: frame.data.slice() });
  return frames;
}

export interface DataSetOptions {
  /** Trace buffer size (64 KiB on z/OS). */
  bufferSize?: number;
  /** Data bytes per logical record: 32752 by default (LRECL 32756 less the RDW, so a record fits BLKSIZE 32760). */
  recordLength?: number;
  /** VBS segment size for `spanned`. */
  spanSegmentLength?: number;
}

/** Entries packed into trace buffers, cut into records and framed as a download of that kind delivers them. */
export function buildDataSet(entries: Uint8Array[], framing: SampleFraming, options: DataSetOptions = {}): Uint8Array {
  const stream = concatBytes(packBuffers(entries, options.bufferSize ?? 65536));
  const records = cutRecords(stream, options.recordLength ?? 32752);
  switch (framing) {
    case 'raw':
      return frameRaw(records);
    case 'rdw':
      return frameRdw(records);
    case 'bdw':
      return frameBdw(records);
    case 'spanned':
      return frameRdw(records, { spanSegmentLength: options.spanSegmentLength ?? 8000 });
  }
}
