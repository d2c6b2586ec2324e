/**
 * SYSTCPDA Enterprise Extender trace entries (format 6, PTHIdEE; contract §2.2) → raw IP packets on an
 * interface of their own per link, "Enterprise Extender (LINK)", so they never merge into that link's
 * packet trace interface.
 *
 * Enterprise Extender carries SNA (HPR) over UDP/IP. An EE entry is a PTHDR; when the bytes at PTH_Len are
 * a whole IP header (IPv4 with a header checksum that verifies, or IPv6), the datagram is written as it is,
 * sized by its own IP length like a packet trace record (trailing pad dropped, ABBREV truncation kept as
 * incl_len < orig_len). Anything else is counted as not converted, never guessed at. Later segments of a
 * segmented record are counted too: this decoder does not join them.
 */
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket, TraceInterface } from '../model/trace-packet.js';
import type { CompiledLayout, LayoutProfile } from './layout/layout-profile.js';
import type { RecordDecoder, RecordDecoderOptions } from './record-decoder.js';
import { PthdrView } from './pthdr.js';
import { PacketDescriber } from './packet-describer.js';
import { LinkType } from '../capture/link-types.js';
import { IPV4_MIN_HEADER, IPV6_HEADER, ipTotalLength, ipVersionAt } from '../net/ip-header.js';
import { checksumVerifies } from '../net/internet-checksum.js';

/** CTEFMTID of the Enterprise Extender trace, PTHIdEE (contract §2.2, IBM). */
export const ENTERPRISE_EXTENDER_FORMAT_ID = 6;

/** Distinct EE interfaces remembered; beyond this (damage) they are described afresh each time. */
const INTERFACE_CACHE_LIMIT = 4096;

/**
 * The IP length of the datagram at `start` when its header is whole and sound (IPv4: header checksum
 * verifies), else -1.
 */
function soundIpLength(bytes: Uint8Array, start: number, end: number): number {
  const total = ipTotalLength(bytes, start, end);
  if (total < 0) return -1;
  if (ipVersionAt(bytes, start, end) === 6) return end - start >= IPV6_HEADER ? total : -1;
  const headerLength = ((bytes[start] ?? 0) & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER || end - start < headerLength) return -1;
  return checksumVerifies(bytes, start, start + headerLength) ? total : -1;
}

/** The scanner's check: an EE entry needs a usable PTH_Len; what follows it is judged when decoding. */
export function createEeEntryCheck(profile: LayoutProfile): EntryCheck {
  const view = new PthdrView(profile.compiled);
  return (entry) => {
    if (entry.formatId !== ENTERPRISE_EXTENDER_FORMAT_ID) return null;
    return view.reset(entry.bytes, entry.dataOffset, entry.dataEnd) ? null : 'Enterprise Extender header length (PTH_Len) unusable';
  };
}

class EnterpriseExtenderDecoder implements RecordDecoder {
  readonly check: EntryCheck;
  private readonly layout: CompiledLayout;
  private readonly view: PthdrView;
  private readonly describer: PacketDescriber;
  private readonly interfaces = new Map<string, TraceInterface>();
  private readonly counters = {
    /** Packets made from EE records. */
    eePackets: 0,
    /** Of those, fewer bytes traced than the datagram had. */
    eeTruncatedPackets: 0,
    /** Records whose bytes at PTH_Len are not a sound IP datagram: not converted. */
    eeRecordsNotIp: 0,
    /** Later segments of segmented records: not converted. */
    eeSegmentsNotJoined: 0,
    /** Records whose PTH_Len is unusable: not converted. */
    eeBadHeaders: 0,
  };

  constructor(options: RecordDecoderOptions) {
    this.layout = options.profile.compiled;
    this.view = new PthdrView(this.layout);
    this.describer = new PacketDescriber(this.layout, options.codePage, options.leapSeconds);
    this.check = createEeEntryCheck(options.profile);
  }

  get entriesNotConverted(): number {
    const c = this.counters;
    return c.eeRecordsNotIp + c.eeSegmentsNotJoined + c.eeBadHeaders;
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  decode(entry: CteEntry): CtracePacket | null {
    const { view } = this;
    if (!view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) {
      this.counters.eeBadHeaders++;
      return null;
    }
    if ((view.uint(this.layout.pthdr.segmentNumber) ?? 0) !== 0) {
      this.counters.eeSegmentsNotJoined++;
      return null;
    }
    const start = view.packetStart;
    const ipLength = soundIpLength(entry.bytes, start, view.end);
    if (ipLength < 0) {
      this.counters.eeRecordsNotIp++;
      return null;
    }
    const packet = this.describer.describe(entry, view);
    packet.interface = this.interfaceFor(packet.interface.name, packet.ctrace.deviceName);
    const kept = Math.min(view.end - start, ipLength);
    packet.data = entry.bytes.subarray(start, start + kept);
    packet.originalLength = ipLength;
    packet.ctrace.truncated = kept < ipLength;
    if (packet.ctrace.truncated) this.counters.eeTruncatedPackets++;
    this.counters.eePackets++;
    return packet;
  }

  private interfaceFor(link: string, deviceName: string | null): TraceInterface {
    const key = `${link}\u0000${deviceName ?? ''}`;
    const known = this.interfaces.get(key);
    if (known !== undefined) return known;
    const label = 'SYSTCPDA Enterprise Extender trace';
    const described: TraceInterface = Object.freeze({
      component: 'SYSTCPDA',
      name: `Enterprise Extender (${link})`,
      linkType: LinkType.RAW,
      description: deviceName === null ? label : `${deviceName} (${label})`,
    });
    if (this.interfaces.size < INTERFACE_CACHE_LIMIT) this.interfaces.set(key, described);
    return described;
  }
}

export function createEeDecoder(options: RecordDecoderOptions): RecordDecoder {
  return new EnterpriseExtenderDecoder(options);
}
