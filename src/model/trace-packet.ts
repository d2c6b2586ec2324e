/**
 * The one packet model every stage after decoding speaks: readers produce TracePackets, writers and
 * analysis consume them. Nothing after this point ever sees CTE bytes.
 */
import type { Component } from './component.js';

/** Direction relative to the traced TCP/IP stack (or OSA port). */
export type Direction = 'inbound' | 'outbound' | 'unknown';

/** Where a packet was seen: one pcapng interface per distinct (component, name, linkType). */
export interface TraceInterface {
  /** The trace component, or null for an interface of a pcap or pcapng input. */
  component: Component | null;
  /** Link, interface or OSA port name as the stack wrote it (EBCDIC decoded, blanks trimmed). */
  name: string;
  /** pcap LINKTYPE_* value (see capture/link-types.ts). */
  linkType: number;
  /** Human description, e.g. "MPC IP AQENET (SYSTCPDA packet trace)". */
  description: string;
}

/** A discard reason code with its table name (or the layer range when the code is unknown). */
export interface DiscardReason {
  code: number;
  /** Table name such as IP_MAC_BRDCST, or null when the code is not in the table. */
  name: string | null;
  /** Layer range from the code ("interface and IP", "TCP", ...). */
  layer: string;
  /** Human description from the table, when known. */
  description: string | null;
}

/** Reassembly facts for a packet the stack wrote as several entries. */
export interface SegmentInfo {
  /** Entries that carried pieces of this packet. */
  received: number;
  /** True when pieces are missing: the packet is shorter than traced (incl_len < orig_len). */
  incomplete: boolean;
}

/** CTRACE header facts carried along with the packet (PTHDR and CTE fields). */
export interface CtraceMeta {
  component: Component;
  /** CTEFMTID: 4 packet trace, 5 data trace, 7 OSAENTA, probe ID for SYSTCPIS. */
  formatId: number;
  /** 1-based ordinal of the (first) CTE of this packet among the valid entries of its file. */
  recordNumber: number;
  /** Byte offset of that entry in the input file. */
  fileOffset: number;
  /** Raw PTH_Flag byte, and the names of the bits set in it (from the layout profile). */
  flagBits: number;
  flagNames: string[];
  deviceType: number | null;
  deviceName: string | null;
  asid: number | null;
  tcb: number | null;
  traceCount: number | null;
  connectionId: number | null;
  interfaceIndex: number | null;
  vlanId: number | null;
  discard: DiscardReason | null;
  segments: SegmentInfo | null;
  /** True when fewer bytes were traced than the packet had (ABBREV, snaplen or a missing segment). */
  truncated: boolean;
  /** Component-specific extras (IDS correlator, job name...) as stable key/value pairs for comments. */
  extra: Record<string, string | number>;
}

export interface TracePacket {
  /** Capture time, integer nanoseconds split in two exact integers (never a float of the whole). */
  timeSec: number;
  /** 0..999_999_999 */
  timeNsec: number;
  interface: TraceInterface;
  direction: Direction;
  /**
   * Bytes present (incl_len = data.length). The view may point into the reader's buffer and is valid only
   * until the next packet is pulled: copy it to keep it.
   */
  data: Uint8Array;
  /** Length of the packet on the wire (orig_len >= data.length). */
  originalLength: number;
  /** The CTRACE facts; null for a packet read from a pcap or pcapng file. */
  ctrace: CtraceMeta | null;
}

/** A packet decoded from a CTRACE entry: its CTRACE facts are always there. */
export type CtracePacket = TracePacket & { ctrace: CtraceMeta };
