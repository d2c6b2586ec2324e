/**
 * Classic pcap writer, little-endian (what x86 tools write, so nothing looks byte-swapped to Wireshark
 * users). The file header waits for the first packet because it fixes the one link type the file may hold;
 * a packet of another link type is refused with a pointer to pcapng. pcap has no interfaces, directions
 * or comments: those CTRACE facts survive only in pcapng.
 */
import { LinkType } from './link-types.js';
import { InterfaceTable, isWritableTime, timeOutOfRange } from './pcapng-writer.js';
import { ZctraceError } from '../errors.js';
import type { CaptureWriter, WriteSummary, WriterSupport } from './capture-writer.js';
import type { OutputFile } from './output-file.js';
import { RecordBatch } from './record-batch.js';
import type { TracePacket } from '../model/trace-packet.js';

/** File header magic: the fraction field counts microseconds or nanoseconds. */
export const PcapMagic = { us: 0xa1b2c3d4, ns: 0xa1b23c4d } as const;
export const PCAP_VERSION = { major: 2, minor: 4 } as const;
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

/** The link type an empty file declares: the raw IP of a SYSTCPDA packet trace, our commonest input. */
const EMPTY_FILE_LINK_TYPE = LinkType.RAW;

export interface PcapWriterOptions {
  snaplen: number;
  precision: 'us' | 'ns';
}

const LINK_TYPE_NAMES = new Map<number, string>(Object.entries(LinkType).map(([name, value]) => [value, name]));

/** "ETHERNET (1)", or just the number for a link type outside our table. */
export function linkTypeLabel(linkType: number): string {
  const name = LINK_TYPE_NAMES.get(linkType);
  return name === undefined ? `link type ${linkType}` : `${name} (${linkType})`;
}

function mixedLinkTypes(packet: TracePacket, ordinal: number, fileLinkType: number, path: string): ZctraceError {
  const iface = packet.interface;
  return new ZctraceError(
    'UNSUPPORTED',
    `pcap holds one link type: packet ${ordinal} is ${linkTypeLabel(iface.linkType)} on ${iface.component ?? 'capture'} ${iface.name}, ` +
      `earlier packets are ${linkTypeLabel(fileLinkType)}; use pcapng`,
    path,
  );
}

export class PcapWriter implements CaptureWriter {
  readonly supports: WriterSupport = { comments: false, direction: false, interfaceNames: false, mixedLinkTypes: false };
  private readonly interfaces = new InterfaceTable();
  /** Records are built in place here, back to back, and reach the output a batch at a time. */
  private readonly batch: RecordBatch;
  private readonly fractionDivisor: number;
  private linkType: number | null = null;
  private packets = 0;

  constructor(
    private readonly output: OutputFile,
    private readonly options: PcapWriterOptions,
  ) {
    this.fractionDivisor = options.precision === 'us' ? 1000 : 1;
    this.batch = new RecordBatch(output);
  }

  get bytesWritten(): number {
    return this.output.bytesAccepted + this.batch.used;
  }

  write(packet: TracePacket): void | Promise<void> {
    const ordinal = this.packets + 1;
    if (!isWritableTime(packet)) throw timeOutOfRange(packet, ordinal, this.output.path);
    if (this.interfaces.find(packet.interface) < 0) this.admitInterface(packet, ordinal);
    this.packets = ordinal;
    const data = packet.data;
    const captured = Math.min(data.length, this.options.snaplen);
    const pending = this.batch.reserve(PCAP_RECORD_HEADER_BYTES + captured);
    const at = this.batch.used;
    const view = this.batch.view;
    view.setUint32(at, packet.timeSec, true);
    view.setUint32(at + 4, Math.floor(packet.timeNsec / this.fractionDivisor), true);
    view.setUint32(at + 8, captured, true);
    view.setUint32(at + 12, Math.max(packet.originalLength, data.length), true);
    this.batch.bytes.set(captured === data.length ? data : data.subarray(0, captured), at + PCAP_RECORD_HEADER_BYTES);
    this.batch.used = at + PCAP_RECORD_HEADER_BYTES + captured;
    return pending;
  }

  /** A new interface: the first one fixes the file's link type, later ones must share it. */
  private admitInterface(packet: TracePacket, ordinal: number): void {
    const linkType = packet.interface.linkType;
    if (this.linkType === null) {
      this.writeFileHeader(linkType);
    } else if (linkType !== this.linkType) {
      throw mixedLinkTypes(packet, ordinal, this.linkType, this.output.path);
    }
    this.interfaces.add(packet.interface);
  }

  private writeFileHeader(linkType: number): void {
    this.linkType = linkType;
    const header = Buffer.alloc(PCAP_FILE_HEADER_BYTES);
    header.writeUInt32LE(PcapMagic[this.options.precision], 0);
    header.writeUInt16LE(PCAP_VERSION.major, 4);
    header.writeUInt16LE(PCAP_VERSION.minor, 6);
    header.writeUInt32LE(0, 8); // reserved (was thiszone)
    header.writeUInt32LE(0, 12); // reserved (was sigfigs)
    header.writeUInt32LE(this.options.snaplen, 16);
    header.writeUInt32LE(linkType, 20);
    void this.batch.append(header); // first bytes of the file: always fits the empty batch
  }

  async close(): Promise<WriteSummary> {
    if (this.linkType === null) this.writeFileHeader(EMPTY_FILE_LINK_TYPE);
    await this.batch.flush();
    const { bytes } = await this.output.commit();
    return { packets: this.packets, bytes, interfaces: this.interfaces.size };
  }

  abort(): Promise<void> {
    return this.output.abort();
  }
}
