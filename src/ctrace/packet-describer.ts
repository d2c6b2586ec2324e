/**
 * Turns one packet trace header (PTHDR_T, read through a PthdrView) into the TracePacket around its
 * bytes: time, interface, direction, flags, discard reason and the CTRACE facts (contract §3). The bytes
 * and lengths are filled in by the decoder once the packet is whole.
 */
import type { CodePage } from '../zos/ebcdic.js';
import type { CteEntry } from './cte.js';
import type { CompiledLayout } from './layout/layout-compile.js';
import type { Direction, TraceInterface, CtracePacket } from '../model/trace-packet.js';
import type { Component } from '../model/component.js';
import type { PthdrView } from './pthdr.js';
import { isPlausibleTod, stckToUnixTime } from '../zos/stck.js';
import { LinkType } from '../capture/link-types.js';
import { deviceTypeName, discardReason } from './code-tables.js';
import { flagNamesOf } from './pthdr.js';
import { IpFields, ipFieldsPresent } from '../net/ip-header.js';
import { RawFieldCache } from './raw-field-cache.js';

/**
 * PTH_Time is taken a few µs before CTETIME. When the two differ by more than this many TOD high words
 * (one is 2^20 µs, about 1.05 s; 60 is about a minute), the profile's offset points at something else
 * and CTETIME is the better time.
 */
const CAPTURE_TIME_MAX_SKEW_TOD_HIGH = 60;

/** Interface shown when the header has no link name. */
const NO_LINK_NAME = '(no link name)';
/** Distinct interfaces remembered; damaged names beyond this are described afresh each time. */
const INTERFACE_CACHE_LIMIT = 4096;

const EMPTY = new Uint8Array(0);

/** What kind of record the described packets come from: names the component, link type and interface label. */
export interface DescribedSource {
  component: Component;
  /** pcap LINKTYPE_* of the packet bytes (raw IP, Ethernet frames...). */
  linkType: number;
  /** Interface description, after the device name when there is one: "MPC IP AQENET (SYSTCPDA packet trace)". */
  label: string;
}

export const PACKET_TRACE_SOURCE: DescribedSource = Object.freeze({ component: 'SYSTCPDA', linkType: LinkType.RAW, label: 'SYSTCPDA packet trace' });

export class PacketDescriber {
  /** Frozen flag-name lists by PTH_Flag value, shared by every packet with that value. */
  private readonly flagNameCache = new Map<number, string[]>();
  private readonly interfaces = new Map<string, TraceInterface>();
  /** The same interfaces by the link name's raw bytes and the device type: no decoding per packet. */
  private readonly interfacesByRawName = new RawFieldCache<TraceInterface>(INTERFACE_CACHE_LIMIT);
  /** Packets timed by CTETIME because PTH_Time was absent or implausible. */
  captureTimeFallbacks = 0;

  constructor(
    private readonly layout: CompiledLayout,
    private readonly codePage: CodePage,
    private readonly leapSeconds: number,
    private readonly source: DescribedSource = PACKET_TRACE_SOURCE,
  ) {}

  /**
   * The packet for the header `view` points at, without its bytes: `data` is empty and `originalLength`
   * holds the header's own length claim (PTH_Plen, else PTH_Tlen, else 0) until the decoder fills both.
   */
  describe(entry: CteEntry, view: PthdrView): CtracePacket {
    const f = this.layout.pthdr;
    const deviceType = view.uint(f.deviceType);
    const deviceName = deviceType === null ? null : deviceTypeName(deviceType);
    const flags = view.uint(f.flags);
    const code = view.uint(f.discardCode);
    const vlanId = view.uint(f.vlanId);
    const time = this.time(entry, view);
    return {
      timeSec: time.sec,
      timeNsec: time.nsec,
      interface: this.interfaceOf(view, deviceType, deviceName),
      direction: this.direction(flags),
      data: EMPTY,
      originalLength: view.uint(f.packetLength) || view.uint(f.tracedLength) || 0,
      ctrace: {
        component: this.source.component,
        formatId: entry.formatId,
        recordNumber: entry.entryNumber,
        fileOffset: entry.fileOffset,
        flagBits: flags ?? 0,
        flagNames: flags === null ? [] : this.flagNames(flags),
        deviceType,
        deviceName,
        asid: view.uint(f.asid),
        tcb: view.uint(f.tcb),
        traceCount: view.uint(f.traceCount),
        connectionId: view.uint(f.connectionId),
        interfaceIndex: view.uint(f.interfaceIndex),
        vlanId: vlanId === 0 ? null : vlanId,
        // A zero code means no discard, even with the discarded bit set: there is no reason to report.
        discard: code === null || code === 0 ? null : discardReason(code),
        segments: null,
        truncated: false,
        extra: {},
      },
    };
  }

  /**
   * When the bytes present stop short of the IP addresses, protocol or ports, the PTHDR copies stand in
   * (contract §3), under the profile's field names.
   */
  addHeaderCopies(packet: CtracePacket, view: PthdrView, bytes: Uint8Array, start: number, end: number): void {
    const present = ipFieldsPresent(bytes, start, end);
    const f = this.layout.pthdr;
    const extra = packet.ctrace.extra;
    const put = (key: string, value: string | number | null): void => {
      if (value !== null) extra[key] = value;
    };
    if ((present & IpFields.ADDRESSES) === 0) {
      put('sourceAddress', view.address(f.sourceAddress));
      put('destinationAddress', view.address(f.destinationAddress));
    }
    if ((present & IpFields.PROTOCOL) === 0) put('protocol', view.uint(f.protocol));
    if ((present & IpFields.PORTS) === 0) {
      put('sourcePort', view.uint(f.sourcePort));
      put('destinationPort', view.uint(f.destinationPort));
    }
  }

  private time(entry: CteEntry, view: PthdrView): { sec: number; nsec: number } {
    const slot = this.layout.pthdr.captureTime;
    if (view.has(slot)) {
      const high = view.todHigh(slot);
      const low = view.todLow(slot);
      if (Math.abs(high - entry.todHigh) <= CAPTURE_TIME_MAX_SKEW_TOD_HIGH && isPlausibleTod(high, low)) {
        return stckToUnixTime(high, low, this.leapSeconds);
      }
    }
    this.captureTimeFallbacks++;
    return stckToUnixTime(entry.todHigh, entry.todLow, this.leapSeconds);
  }

  private direction(flags: number | null): Direction {
    if (flags === null || this.layout.outboundMask === 0) return 'unknown';
    return (flags & this.layout.outboundMask) !== 0 ? 'outbound' : 'inbound';
  }

  private flagNames(flags: number): string[] {
    let names = this.flagNameCache.get(flags);
    if (names === undefined) {
      names = Object.freeze(flagNamesOf(this.layout, flags)) as string[];
      this.flagNameCache.set(flags, names);
    }
    return names;
  }

  private interfaceOf(view: PthdrView, deviceType: number | null, deviceName: string | null): TraceInterface {
    const slot = this.layout.pthdr.linkName;
    const tag = deviceType ?? -1;
    let known = this.interfacesByRawName.get(view, slot, tag);
    if (known === undefined) {
      known = this.interfaceFor(view.text(slot, this.codePage) || NO_LINK_NAME, deviceName);
      this.interfacesByRawName.set(view, slot, tag, known);
    }
    return known;
  }

  private interfaceFor(name: string, deviceName: string | null): TraceInterface {
    const key = `${name}\u0000${deviceName ?? ''}`;
    const known = this.interfaces.get(key);
    if (known !== undefined) return known;
    const { component, linkType, label } = this.source;
    const described: TraceInterface = Object.freeze({
      component,
      name,
      linkType,
      description: deviceName === null ? label : `${deviceName} (${label})`,
    });
    if (this.interfaces.size < INTERFACE_CACHE_LIMIT) this.interfaces.set(key, described);
    return described;
  }
}
