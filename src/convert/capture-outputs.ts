/**
 * Where convert's packets go: one capture file, or several. `--split-by-linktype` gives one file per link
 * type (all.pcap → all.raw.pcap, all.ethernet.pcap), the one way to put mixed link types into pcap;
 * `--max-packets` / `--max-size` cut the output into numbered parts (all_00001.pcapng, all_00002.pcapng…),
 * each a complete file. A new part starts when the current one holds the maximum number of packets or
 * has reached the size, so a part can pass the size by less than one packet (as tcpdump -C does).
 *
 * Every file is written under a temporary name and renamed when it is complete; if the run fails or is
 * interrupted, the parts already finished are deleted too, so no file of a failed run is left behind.
 */
import { unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createCaptureWriter, type CaptureFormat, type CaptureWriter, type CaptureWriterOptions } from '../capture/capture-writer.js';
import { abortOnInterrupt } from '../capture/output-file.js';
import { LinkType } from '../capture/link-types.js';
import { linkTypeLabel } from '../capture/pcap-writer.js';
import { ZctraceError } from '../errors.js';
import type { TracePacket } from '../model/trace-packet.js';

export interface SplitOptions {
  byLinkType: boolean;
  /** Packets per part, or null. */
  maxPackets: number | null;
  /** Bytes after which a part is closed, or null. */
  maxBytes: number | null;
}

export const NO_SPLIT: SplitOptions = { byLinkType: false, maxPackets: null, maxBytes: null };

export interface WrittenFile {
  path: string;
  packets: number;
  bytes: number;
  interfaces: number;
  linkType: number | null;
}

/** Digits of a part number: all_00001.pcapng. */
const PART_NUMBER_DIGITS = 5;

/** File-name tags by link type: raw, ethernet, ipv4, ipv6, wireshark-upper-pdu. */
const LINK_TYPE_TAGS = new Map<number, string>(Object.entries(LinkType).map(([name, value]) => [value, name.toLowerCase().replaceAll('_', '-')]));

function linkTypeTag(linkType: number): string {
  return LINK_TYPE_TAGS.get(linkType) ?? `linktype-${linkType}`;
}

/** The name of one output file: `output` with a link type tag and/or part number before its extension. */
export function outputPartPath(output: string, linkType: number | null, part: number | null): string {
  const name = basename(output);
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const tag = linkType === null ? '' : `.${linkTypeTag(linkType)}`;
  const number = part === null ? '' : `_${String(part).padStart(PART_NUMBER_DIGITS, '0')}`;
  return join(dirname(output), `${stem}${tag}${number}${extension}`);
}

/** The files of one link type (or of all packets): one file, or numbered parts. */
class PartSeries {
  readonly finished: WrittenFile[] = [];
  private current: CaptureWriter | null = null;
  private currentPath = '';
  private currentPackets = 0;
  private parts = 0;

  constructor(
    private readonly output: string,
    private readonly linkType: number | null,
    private readonly split: SplitOptions,
    private readonly writerOptions: CaptureWriterOptions,
  ) {}

  private get numbered(): boolean {
    return this.split.maxPackets !== null || this.split.maxBytes !== null;
  }

  private full(writer: CaptureWriter): boolean {
    if (this.currentPackets === 0) return false; // a part holds at least one packet, however large
    const { maxPackets, maxBytes } = this.split;
    return (maxPackets !== null && this.currentPackets >= maxPackets) || (maxBytes !== null && writer.bytesWritten >= maxBytes);
  }

  write(packet: TracePacket): void | Promise<void> {
    const writer = this.current;
    if (writer === null || this.full(writer)) return this.nextPartThenWrite(packet);
    this.currentPackets++;
    return writer.write(packet);
  }

  private async nextPartThenWrite(packet: TracePacket): Promise<void> {
    await this.open();
    await this.write(packet);
  }

  /** Closes the current part (if any) and starts the next. */
  async open(): Promise<void> {
    await this.closeCurrent();
    this.parts++;
    this.currentPath = outputPartPath(this.output, this.linkType, this.numbered ? this.parts : null);
    this.current = await createCaptureWriter(this.currentPath, this.writerOptions);
    this.currentPackets = 0;
  }

  async closeCurrent(): Promise<void> {
    const writer = this.current;
    if (writer === null) return;
    this.current = null;
    const written = await writer.close();
    this.finished.push({ path: this.currentPath, packets: written.packets, bytes: written.bytes, interfaces: written.interfaces, linkType: this.linkType });
  }

  async abort(): Promise<void> {
    const writer = this.current;
    this.current = null;
    await writer?.abort();
    await Promise.all(this.finished.map((file) => unlink(file.path).catch(() => undefined)));
    this.finished.length = 0;
  }
}

export class CaptureOutputs {
  private readonly series = new Map<number | null, PartSeries>();
  private readonly stopTracking: () => void;
  /** pcap without a split: the one link type the file can hold, once known. */
  private pcapLinkType: number | null = null;
  private packets = 0;

  private constructor(
    private readonly output: string,
    private readonly format: CaptureFormat,
    private readonly split: SplitOptions,
    private readonly writerOptions: CaptureWriterOptions,
  ) {
    this.stopTracking = abortOnInterrupt(this);
  }

  /**
   * Opens the outputs. Without a split by link type the (first) file is created at once, so an output
   * that cannot be written fails before any input is read, and a run without packets still leaves a file.
   */
  static async open(output: string, split: SplitOptions, writerOptions: CaptureWriterOptions): Promise<CaptureOutputs> {
    const outputs = new CaptureOutputs(output, writerOptions.format, split, writerOptions);
    try {
      if (!split.byLinkType) await outputs.seriesFor(null).open();
    } catch (error) {
      await outputs.abort();
      throw error;
    }
    return outputs;
  }

  private seriesFor(linkType: number | null): PartSeries {
    let series = this.series.get(linkType);
    if (series === undefined) {
      series = new PartSeries(this.output, linkType, this.split, this.writerOptions);
      this.series.set(linkType, series);
    }
    return series;
  }

  write(packet: TracePacket): void | Promise<void> {
    this.packets++;
    const linkType = packet.interface.linkType;
    if (this.split.byLinkType) return this.seriesFor(linkType).write(packet);
    if (this.format === 'pcap') this.refuseSecondLinkType(packet, linkType);
    return this.seriesFor(null).write(packet);
  }

  /** pcap holds one link type: say so before the writer would, with the way out. */
  private refuseSecondLinkType(packet: TracePacket, linkType: number): void {
    this.pcapLinkType ??= linkType;
    if (linkType === this.pcapLinkType) return;
    const record = packet.ctrace === null ? '' : ` (trace record ${packet.ctrace.recordNumber})`;
    const iface = packet.interface;
    throw new ZctraceError(
      'UNSUPPORTED',
      `pcap holds one link type: packet ${this.packets}${record} is ${linkTypeLabel(linkType)} on ${iface.component ?? 'capture'} ${iface.name}, ` +
        `earlier packets are ${linkTypeLabel(this.pcapLinkType)}; write pcapng, or one pcap per link type with --split-by-linktype`,
      this.output,
    );
  }

  /** Finishes every file; returns them grouped by link type, parts in order. */
  async close(): Promise<WrittenFile[]> {
    try {
      for (const series of this.series.values()) await series.closeCurrent();
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.stopTracking();
    return [...this.series.values()].flatMap((series) => series.finished);
  }

  /** Deletes everything written, finished parts included. */
  async abort(): Promise<void> {
    this.stopTracking();
    await Promise.all([...this.series.values()].map((series) => series.abort()));
  }
}
