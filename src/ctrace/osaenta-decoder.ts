/**
 * SYSTCPOT OSAENTA entries (format 7, PTHidNTA) → Ethernet frames (contract §7).
 *
 * The OSA-Express network traffic analyzer traces frames as its port sees them: MAC header, VLAN tags,
 * ARP and other non-IP frames, and frames the adapter discarded (codes 1-4095). The frame starts at
 * header + PTH_Len; the PTHDR and the OSAENTA extension (the OSA device ID) are read through the layout
 * profile. ABBREV cuts frames to a multiple of 32 bytes: the true length then comes from the IP total
 * length plus the link header, else from the header's packet length field, so orig_len stays right.
 */
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket } from '../model/trace-packet.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { CompiledLayout, FieldSlot } from './layout/layout-compile.js';
import type { ComponentDecoder, ComponentDecoderOptions } from './component-decoders.js';
import { PthdrView } from './pthdr.js';
import { PacketDescriber, type DescribedSource } from './packet-describer.js';
import { StandaloneEntryDecoder } from './standalone-entry-decoder.js';
import { LinkType } from '../capture/link-types.js';
import { ipTotalLength, ipVersionAt } from '../net/ip-header.js';
import {
  ETHERNET_HEADER_LENGTH,
  EtherType,
  MIN_FRAME_LENGTH,
  isVlanTag,
  newEthernetView,
  readEthernetHeader,
  type EthernetView,
} from '../net/ethernet-header.js';

/** CTEFMTID of an OSAENTA frame record, PTHidNTA (contract §2.2, IBM). */
export const OSAENTA_FORMAT_ID = 7;

const OSAENTA_SOURCE: DescribedSource = Object.freeze({ component: 'SYSTCPOT', linkType: LinkType.ETHERNET, label: 'SYSTCPOT OSAENTA trace' });

/** Comment key of the OSA device ID (contract §7: shown as 00-01-00-02). */
export const OSA_DEVICE_KEY = 'osa_device';
/** Distinct device IDs remembered as text; a damaged trace with more is formatted afresh each time. */
const DEVICE_TEXT_CACHE_LIMIT = 1024;

export interface OsaentaStats {
  /** Frames handed out. */
  packets: number;
  /** Frames with fewer bytes than their original length (ABBREV). */
  truncatedPackets: number;
  /** Frames carrying at least one 802.1Q/802.1ad tag. */
  vlanTaggedFrames: number;
  /** ARP and other frames that hold no IPv4/IPv6 packet. */
  nonIpFrames: number;
  /** Frames whose header packet length (PTH_Plen) disagrees with the length the frame's IP header gives. */
  lengthFieldDisagreements: number;
  /** Entries whose PTH_Len is shorter than the profile's PTHDR: the later fields are absent. */
  shortHeaders: number;
  /** Entries whose PTH_Len is unusable, or whose bytes after it are not an Ethernet frame: skipped. */
  badHeaders: number;
  /** Frames timed by CTETIME because PTH_Time was absent or implausible. */
  captureTimeFallbacks: number;
  /** Entries of another format ID: counted, not converted. */
  entriesNotConverted: number;
}

/**
 * Why the bytes at [start, end) are not a frame, or null when they are: shorter than an Ethernet header,
 * a type/length field that is neither (1501..1535), or an IP EtherType over a different IP version.
 */
function frameProblem(bytes: Uint8Array, start: number, end: number, eth: EthernetView): string | null {
  if (end - start < ETHERNET_HEADER_LENGTH) return `frame of ${Math.max(0, end - start)} bytes is shorter than an Ethernet header`;
  if (!readEthernetHeader(bytes, start, end, eth)) {
    const field = eth.payloadOffset - 2 - start;
    if (isVlanTag(eth.typeOrLength)) return `frame ends inside its VLAN tags or has more than a frame carries (tag at frame offset ${field})`;
    return `frame type/length 0x${eth.typeOrLength.toString(16).padStart(4, '0')} at frame offset ${field} is neither an EtherType nor an 802.3 length`;
  }
  const expected = eth.typeOrLength === EtherType.IPV4 ? 4 : eth.typeOrLength === EtherType.IPV6 ? 6 : 0;
  const version = ipVersionAt(bytes, eth.payloadOffset, end);
  if (expected !== 0 && eth.payloadOffset < end && version !== expected) return `EtherType IPv${expected} over IP version nibble ${version}`;
  return null;
}

/**
 * The scanner's check for OSAENTA entries (contract §2.3, §7): a usable PTH_Len and, after it, bytes that
 * read as an Ethernet frame. Entries of other formats are left to be counted.
 */
export function createOsaentaEntryCheck(profile: LayoutProfile): EntryCheck {
  const view = new PthdrView(profile.compiled);
  const eth = newEthernetView();
  return (entry) => {
    if (entry.formatId !== OSAENTA_FORMAT_ID) return null;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) return 'OSAENTA header length (PTH_Len) unusable';
    return frameProblem(entry.bytes, view.packetStart, view.end, eth);
  };
}

/** "00-01-00-02": the device ID's bytes in hex, dash separated. */
function deviceIdText(value: number, size: number): string {
  const parts: string[] = [];
  for (let i = size - 1; i >= 0; i--) parts.push((Math.floor(value / 256 ** i) % 256).toString(16).toUpperCase().padStart(2, '0'));
  return parts.join('-');
}

class OsaentaDecoder extends StandaloneEntryDecoder<OsaentaStats> {
  readonly check: EntryCheck;
  protected readonly counters: OsaentaStats = {
    packets: 0,
    truncatedPackets: 0,
    vlanTaggedFrames: 0,
    nonIpFrames: 0,
    lengthFieldDisagreements: 0,
    shortHeaders: 0,
    badHeaders: 0,
    captureTimeFallbacks: 0,
    entriesNotConverted: 0,
  };
  private readonly layout: CompiledLayout;
  private readonly view: PthdrView;
  private readonly eth = newEthernetView();
  protected readonly describer: PacketDescriber;
  private readonly deviceTexts = new Map<number, string>();

  constructor(options: ComponentDecoderOptions) {
    super();
    this.layout = options.profile.compiled;
    this.view = new PthdrView(this.layout);
    this.describer = new PacketDescriber(this.layout, options.codePage, options.leapSeconds, OSAENTA_SOURCE);
    this.check = createOsaentaEntryCheck(options.profile);
  }

  decode(entry: CteEntry): CtracePacket | null {
    const { view, counters } = this;
    if (entry.formatId !== OSAENTA_FORMAT_ID) {
      counters.entriesNotConverted++;
      return null;
    }
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd) || frameProblem(entry.bytes, view.packetStart, view.end, this.eth) !== null) {
      counters.badHeaders++;
      return null;
    }
    if (view.headerLength < this.layout.pthdrEnd) counters.shortHeaders++;
    const packet = this.describer.describe(entry, view);
    const start = view.packetStart;
    packet.data = entry.bytes.subarray(start, view.end);
    packet.originalLength = this.originalLength(entry.bytes, start, view.end);
    this.addFrameFacts(packet);
    return packet;
  }

  /**
   * The frame's length on the wire: link header + IP total length when the frame holds an IP header, else
   * the header's packet length field; never less than the bytes present (Ethernet padding counts).
   */
  private originalLength(bytes: Uint8Array, start: number, end: number): number {
    const { eth } = this;
    const isIp = eth.typeOrLength === EtherType.IPV4 || eth.typeOrLength === EtherType.IPV6;
    const ipLength = isIp ? ipTotalLength(bytes, eth.payloadOffset, end) : -1;
    const fromIp = ipLength >= 0 ? eth.payloadOffset - start + ipLength : -1;
    const fromHeader = this.view.uint(this.layout.pthdr.packetLength) ?? 0;
    if (fromIp >= 0 && fromHeader > 0 && fromHeader !== fromIp && fromHeader !== Math.max(fromIp, MIN_FRAME_LENGTH)) {
      this.counters.lengthFieldDisagreements++;
    }
    return Math.max(end - start, fromIp >= 0 ? fromIp : fromHeader);
  }

  /** VLAN from the frame's own tag, the OSA device ID, and the counters. */
  private addFrameFacts(packet: CtracePacket): void {
    const { eth, counters } = this;
    const ctrace = packet.ctrace;
    if (eth.vlanId !== null) {
      ctrace.vlanId = eth.vlanId;
      counters.vlanTaggedFrames++;
    }
    if (eth.typeOrLength !== EtherType.IPV4 && eth.typeOrLength !== EtherType.IPV6) counters.nonIpFrames++;
    const device = this.deviceId(this.layout.osaenta.deviceId);
    if (device !== null) ctrace.extra[OSA_DEVICE_KEY] = device;
    ctrace.truncated = packet.data.length < packet.originalLength;
    if (ctrace.truncated) counters.truncatedPackets++;
    counters.packets++;
  }

  private deviceId(slot: FieldSlot | null): string | null {
    const value = this.view.uint(slot);
    if (value === null || slot === null) return null;
    let text = this.deviceTexts.get(value);
    if (text === undefined) {
      text = deviceIdText(value, slot.size);
      if (this.deviceTexts.size < DEVICE_TEXT_CACHE_LIMIT) this.deviceTexts.set(value, text);
    }
    return text;
  }
}

export function createOsaentaDecoder(options: ComponentDecoderOptions): ComponentDecoder {
  return new OsaentaDecoder(options);
}
