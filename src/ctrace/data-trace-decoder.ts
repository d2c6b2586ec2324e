/**
 * SYSTCPDA data trace entries (format 5, PTHIdDat; contract §4) → packets on a "socket data (job NAME)"
 * interface: socket data into and out of the physical file system, as the application sent or received it
 * (for AT-TLS, the clear text), behind synthesized headers (socket-stream-synthesizer.ts).
 *
 * The entry is a PTHDR whose PTH_Name holds the socket's job name, domain, type, protocol and state (the
 * layout profile's `dataTrace` fields), PTH_Src/Dst/SPort/DPort its endpoints, PTH_Cid its connection ID and
 * PTH_Flag the direction and AT-TLS bits; the data follows at PTH_Len. Every offset comes from the profile.
 *
 * What the packet comment adds (packet-comment.ts extras, in this order):
 *   data=socket job=<name> sock=<domain>,<type>,<protocol> cid=<XXXXXXXX> state=start|data|end
 *   tls=clear|confidential   (AT-TLS records only)
 *   withheld=<n>             (socket data bytes the trace holds back: all of a confidential record's,
 *                             or those past what was traced)
 */
import type { CodePage } from '../zos/ebcdic.js';
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket, TraceInterface } from '../model/trace-packet.js';
import type { CompiledLayout, FieldSlot, LayoutProfile } from './layout/layout-profile.js';
import type { RecordDecoder, RecordDecoderOptions } from './record-decoder.js';
import { PthdrView } from './pthdr.js';
import { PacketDescriber } from './packet-describer.js';
import { LinkType } from '../capture/link-types.js';
import { ipProtocols, socketDomains, socketStates, SocketState, socketTypes, SocketType } from './data-trace-codes.js';
import { DEFAULT_SOCKET_STREAM_LIMITS, SocketRecord, SocketStreamSynthesizer, type SocketStreamLimits, type SocketStreamStats } from './socket-stream-synthesizer.js';
import { IpProtocol } from '../net/ip-protocols.js';

/** CTEFMTID of the data (socket) trace, PTHIdDat (contract §2.2, IBM). */
export const DATA_TRACE_FORMAT_ID = 5;

/** PTH_Flag bit names (layout profile) of the two AT-TLS markings. */
const CONFIDENTIAL_BIT = 'confidential';
const CLEAR_TEXT_BIT = 'clear-text';
/** IPv6 "No Next Header": a raw socket's data whose protocol is unknown is shown, not interpreted. */
const NO_NEXT_HEADER = IpProtocol.IPV6_NO_NEXT;
const NO_JOB_NAME = '(no job name)';
/** Distinct job interfaces remembered; beyond this (damage) they are described afresh each time. */
const INTERFACE_CACHE_LIMIT = 4096;
/** How the name of every socket-data interface begins ("socket data (job NAME)"): analyzers tell them from links by it. */
export const SOCKET_DATA_INTERFACE_PREFIX = 'socket data (';

export interface DataTraceStats extends SocketStreamStats {
  /** Packets made from data trace records. */
  socketDataPackets: number;
  /** Records whose data AT-TLS withheld (confidential). */
  socketConfidentialRecords: number;
  /** Socket data bytes the trace held back (confidential, or not traced). */
  socketBytesWithheld: number;
  /** Records with a state code the table does not know (carried as data). */
  socketUnknownStates: number;
  /** Records without the endpoints a packet needs (header too short, or the profile drops them): not converted. */
  socketRecordsWithoutEndpoints: number;
  /** Records whose PTH_Len is unusable: not converted. */
  socketBadHeaders: number;
}

/** Where the socket fields end: a header shorter than this cannot be a data trace header. */
function socketFieldsEnd(layout: CompiledLayout): number {
  return Object.values(layout.dataTrace).reduce((end: number, slot: FieldSlot | null) => Math.max(end, slot?.end ?? 0), 0);
}

/**
 * The scanner's check for data trace entries (contract §2.3): a usable PTH_Len that covers the socket fields,
 * a known socket domain and a known socket type. State codes are not checked: they are the project's guess.
 */
export function createDataTraceEntryCheck(profile: LayoutProfile): EntryCheck {
  const layout = profile.compiled;
  const view = new PthdrView(layout);
  const fieldsEnd = socketFieldsEnd(layout);
  const socket = layout.dataTrace;
  return (entry) => {
    if (entry.formatId !== DATA_TRACE_FORMAT_ID) return null;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) return 'data trace header length (PTH_Len) unusable';
    if (view.headerLength < fieldsEnd) return `data trace header of ${view.headerLength} bytes is too short for its socket fields`;
    const domain = view.uint(socket.domain);
    if (domain !== null && !socketDomains.isKnown(domain)) return `socket domain ${domain} unknown`;
    const type = view.uint(socket.socketType);
    if (type !== null && !socketTypes.isKnown(type)) return `socket type ${type} unknown`;
    return null;
  };
}

/**
 * The profile as the describer should see a data trace header: PTH_Name is the socket fields, not a link
 * name, and socket data passes through no device, so neither is read as such.
 */
function socketLayout(layout: CompiledLayout): CompiledLayout {
  return Object.freeze({ ...layout, pthdr: Object.freeze({ ...layout.pthdr, linkName: null, deviceType: null }) });
}

function maskOf(layout: CompiledLayout, name: string): number {
  return layout.flagBits.find((bit) => bit.name === name)?.mask ?? 0;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export interface DataTraceDecoderOptions extends RecordDecoderOptions {
  streamLimits?: SocketStreamLimits;
}

class DataTraceDecoder implements RecordDecoder {
  readonly check: EntryCheck;
  private readonly layout: CompiledLayout;
  private readonly view: PthdrView;
  private readonly describer: PacketDescriber;
  private readonly synthesizer: SocketStreamSynthesizer;
  private readonly record = new SocketRecord();
  private readonly interfaces = new Map<string, TraceInterface>();
  private readonly codePage: CodePage;
  private readonly confidentialMask: number;
  private readonly clearTextMask: number;
  private readonly counters = {
    socketDataPackets: 0,
    socketConfidentialRecords: 0,
    socketBytesWithheld: 0,
    socketUnknownStates: 0,
    socketRecordsWithoutEndpoints: 0,
    socketBadHeaders: 0,
  };

  constructor(options: DataTraceDecoderOptions) {
    this.layout = options.profile.compiled;
    this.view = new PthdrView(this.layout);
    this.codePage = options.codePage;
    this.describer = new PacketDescriber(socketLayout(this.layout), options.codePage, options.leapSeconds);
    this.synthesizer = new SocketStreamSynthesizer(options.streamLimits ?? DEFAULT_SOCKET_STREAM_LIMITS);
    this.check = createDataTraceEntryCheck(options.profile);
    this.confidentialMask = maskOf(this.layout, CONFIDENTIAL_BIT);
    this.clearTextMask = maskOf(this.layout, CLEAR_TEXT_BIT);
  }

  get entriesNotConverted(): number {
    return this.counters.socketRecordsWithoutEndpoints + this.counters.socketBadHeaders;
  }

  stats(): Record<string, number> {
    const stats: DataTraceStats = { ...this.counters, ...this.synthesizer.stats };
    return { ...stats };
  }

  decode(entry: CteEntry): CtracePacket | null {
    const { view, record } = this;
    const f = this.layout.pthdr;
    const socket = this.layout.dataTrace;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) {
      this.counters.socketBadHeaders++;
      return null;
    }
    if (!this.readEndpoints()) {
      this.counters.socketRecordsWithoutEndpoints++;
      return null;
    }
    const packet = this.describer.describe(entry, view);
    const job = view.text(socket.jobName, this.codePage) || NO_JOB_NAME;
    const domain = view.uint(socket.domain);
    const type = view.uint(socket.socketType);
    const protocol = view.uint(socket.protocol) ?? view.uint(f.protocol);
    const state = view.uint(socket.state) ?? SocketState.DATA;
    const flags = packet.ctrace.flagBits;
    const confidential = (flags & this.confidentialMask) !== 0;
    const clearText = (flags & this.clearTextMask) !== 0;

    const present = view.end - view.packetStart;
    // The data's own length claim (PTH_Plen, else PTH_Tlen); bytes past what is present were held back.
    const claimed = Math.max(view.uint(f.packetLength) || view.uint(f.tracedLength) || 0, present);
    const shown = confidential ? 0 : present;
    const withheld = claimed - shown;

    record.bytes = entry.bytes;
    record.connectionId = view.uint(f.connectionId) ?? -1;
    record.direction = packet.direction;
    record.state = state;
    record.dataStart = view.packetStart;
    record.dataEnd = view.packetStart + shown;
    record.timeSec = packet.timeSec;
    this.chooseTransport(type, protocol);

    packet.interface = this.interfaceFor(job);
    packet.data = this.synthesizer.synthesize(record);
    packet.originalLength = packet.data.length;

    const extra = packet.ctrace.extra;
    extra.data = 'socket';
    extra.job = job;
    extra.sock = `${domain === null ? '-' : socketDomains.name(domain)},${type === null ? '-' : socketTypes.name(type)},${protocol === null ? '-' : ipProtocols.name(protocol)}`;
    if (record.connectionId >= 0) extra.cid = hex8(record.connectionId);
    extra.state = socketStates.name(state);
    if (confidential || clearText) extra.tls = confidential ? 'confidential' : 'clear';
    if (withheld > 0) extra.withheld = withheld;

    if (!socketStates.isKnown(state)) this.counters.socketUnknownStates++;
    if (confidential) this.counters.socketConfidentialRecords++;
    this.counters.socketBytesWithheld += withheld;
    this.counters.socketDataPackets++;
    return packet;
  }

  /** Fills the record's endpoints from PTH_Src/Dst/SPort/DPort; false when the header lacks any of them. */
  private readEndpoints(): boolean {
    const { view, record } = this;
    const f = this.layout.pthdr;
    const source = f.sourceAddress;
    const destination = f.destinationAddress;
    const sourcePort = view.uint(f.sourcePort);
    const destinationPort = view.uint(f.destinationPort);
    if (!view.has(source) || !view.has(destination) || sourcePort === null || destinationPort === null) return false;
    record.sourceAt = view.start + source.offset;
    record.destinationAt = view.start + destination.offset;
    record.sourcePort = sourcePort;
    record.destinationPort = destinationPort;
    return true;
  }

  /** Stream sockets carry TCP, datagram sockets UDP; raw sockets (and unknown types) their protocol bare. */
  private chooseTransport(type: number | null, protocol: number | null): void {
    const record = this.record;
    const stream = type === SocketType.STREAM || (type === null && protocol === IpProtocol.TCP);
    const datagram = type === SocketType.DATAGRAM || (type === null && protocol === IpProtocol.UDP);
    record.transport = stream ? 'tcp' : datagram ? 'udp' : 'bare';
    record.protocol = protocol === null || protocol === 0 ? NO_NEXT_HEADER : protocol;
  }

  private interfaceFor(job: string): TraceInterface {
    const known = this.interfaces.get(job);
    if (known !== undefined) return known;
    const name = `${SOCKET_DATA_INTERFACE_PREFIX}job ${job})`;
    const described: TraceInterface = Object.freeze({
      component: 'SYSTCPDA',
      name,
      linkType: LinkType.RAW,
      description: `${name}: application data from the SYSTCPDA data trace behind synthesized IPv6/TCP/UDP headers, not wire traffic`,
    });
    if (this.interfaces.size < INTERFACE_CACHE_LIMIT) this.interfaces.set(job, described);
    return described;
  }
}

export function createDataTraceDecoder(options: DataTraceDecoderOptions): RecordDecoder {
  return new DataTraceDecoder(options);
}
