/**
 * The one face every capture writer shows the pipeline, and the factory that picks one. Writers take
 * TracePackets in order and stream them to a safe output file (see output-file.ts): the file appears under
 * its name only on close(), and abort() leaves nothing behind.
 */
import { openOutputFile } from './output-file.js';
import { ZctraceError } from '../errors.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import type { TracePacket } from '../model/trace-packet.js';

export interface WriteSummary {
  /** Packets written. */
  packets: number;
  /** Size of the finished file. */
  bytes: number;
  /** Distinct interfaces (component, name, link type) the packets came from; pcapng IDBs written. */
  interfaces: number;
}

/** What a format can carry, so a caller can warn before metadata is dropped (pcap has no comments). */
export interface WriterSupport {
  comments: boolean;
  direction: boolean;
  interfaceNames: boolean;
  mixedLinkTypes: boolean;
}

export interface CaptureWriter {
  readonly supports: WriterSupport;
  /** Bytes written so far, headers included: the file's size if it were closed now. */
  readonly bytesWritten: number;
  /**
   * Write one packet (its bytes are copied before this returns). A returned promise means "the disk is
   * behind": await it before the next write.
   */
  write(packet: TracePacket): void | Promise<void>;
  /** Finish the file and give it its final name. */
  close(): Promise<WriteSummary>;
  /** Stop and delete everything written. */
  abort(): Promise<void>;
}

export type CaptureFormat = 'pcapng' | 'pcap';

export interface CaptureWriterOptions {
  format: CaptureFormat;
  /** pcap only (pcapng always records nanoseconds, if_tsresol = 9). */
  timePrecision: 'us' | 'ns';
  /** Keep at most this many bytes of each packet; the original length is still recorded. */
  snaplen?: number;
  /** Written as shb_userappl (pcapng). */
  userAppl: string;
  /** The TOD leap-second offset the times were corrected by: stated in the pcapng section comment. */
  leapSeconds?: number;
}

/**
 * The largest record Wireshark reads for the link types we write (its WTAP_MAX_PACKET_SIZE_STANDARD,
 * also libpcap's MAXIMUM_SNAPLEN): bigger records make it call the file corrupt, so we cut there.
 */
export const MAX_SNAPLEN = 262_144;

/** The snaplen written in headers and applied to packets. */
export function effectiveSnaplen(requested: number | undefined): number {
  if (requested === undefined) return MAX_SNAPLEN;
  if (!Number.isInteger(requested) || requested <= 0) throw new ZctraceError('USAGE', `snaplen must be a positive whole number, not ${requested}`);
  return Math.min(requested, MAX_SNAPLEN);
}

export async function createCaptureWriter(path: string, options: CaptureWriterOptions): Promise<CaptureWriter> {
  const snaplen = effectiveSnaplen(options.snaplen);
  const output = await openOutputFile(path);
  try {
    if (options.format === 'pcap') return new PcapWriter(output, { snaplen, precision: options.timePrecision });
    return new PcapngWriter(output, { snaplen, userAppl: options.userAppl, leapSeconds: options.leapSeconds ?? null });
  } catch (error) {
    await output.abort();
    throw error;
  }
}
