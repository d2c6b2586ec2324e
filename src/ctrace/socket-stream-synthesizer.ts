/**
 * Turns socket data records (SYSTCPDA data trace, contract §4) into packets Wireshark can dissect and follow:
 * the record's bytes behind synthesized IPv6 + TCP headers (UDP for datagram sockets, the bare protocol for
 * raw ones), with sequence and acknowledgment numbers that stay consistent per connection, so
 * `tshark -z follow,tcp` rebuilds what the application sent and received, each way.
 *
 * Why IPv6 always, IPv4 endpoints as IPv4-mapped addresses (::ffff:a.b.c.d, exactly as PTH_Src/PTH_Dst hold
 * them): Wireshark ties TCP segments into one conversation by address and port only, whatever the capture
 * interface. A data trace usually runs next to a packet trace of the same connections, often to see AT-TLS
 * clear text beside the encrypted wire packets; with plain IPv4 headers the invented sequence numbers would
 * mix with the real ones in one stream, and Wireshark would report false retransmissions and lost segments
 * on both (tried with tshark 4.0). A mapped address is another address type to Wireshark, so the socket
 * stream stays a conversation of its own. (An IPv6 connection traced both ways still shares one stream.)
 * LINKTYPE_WIRESHARK_UPPER_PDU was the other choice: it keeps addresses and ports but carries no TCP
 * header, so `follow,tcp` has nothing to follow.
 *
 * The packets are not wire traffic and must never look like lost or repeated wire traffic:
 * - data: ACK+PSH carrying the bytes shown; the sender's sequence number advances by exactly those bytes.
 * - flow end: FIN+ACK (with data, if the record has any); the connection's state is dropped.
 * - a record with nothing to show (flow start, data withheld by AT-TLS, an empty record): an IPv6 packet
 *   between the same addresses with Next Header 59 ("no next header") and no payload. Any TCP segment
 *   would do harm here: an empty one repeated is a duplicate ACK to Wireshark, one claiming the withheld
 *   length is a lost segment that stalls `follow` (tried with tshark 4.0). So withheld bytes never enter
 *   the stream, and the bytes after them still follow on; the packet comment says what was withheld.
 * No SYN is invented: the trace says nothing about a handshake, and without one Wireshark assumes no window
 * scaling, so it never reports a full window.
 *
 * State is one small object per open connection, keyed by connection ID (the ports when the header has
 * none), at most `maxStreams` of them: dropped at flow end, after `idleSeconds` without a record, or the
 * least recently used first when full. A connection seen again after that starts new sequence numbers.
 */
import type { Direction } from '../model/trace-packet.js';
import { Ipv6PacketBuilder, maxPayloadLength, type TransportFields } from '../net/ipv6-packet-builder.js';
import { TcpFlags } from '../net/tcp-header.js';
import { SocketState } from './data-trace-codes.js';
import { IpProtocol } from '../net/ip-protocols.js';

/** IPv6 "No Next Header" (RFC 8200 §4.7): what a record with no data to show becomes. */
const NO_NEXT_HEADER = 59;
const ADDRESS_BYTES = 16;
/** Advertised window of every synthesized segment: never zero, never a window update. */
const WINDOW = 0xffff;
/**
 * Initial sequence numbers fall in [BASE, BASE + SPAN): far from 0 and from wrapping for the first 2 GiB of
 * a stream, because Wireshark takes a next-expected sequence number of 0 to mean "none seen yet".
 */
const INITIAL_SEQUENCE_BASE = 0x1000_0000;
const INITIAL_SEQUENCE_SPAN = 0x6000_0000;
/** Keys for connections without a connection ID sit above every 32-bit connection ID. */
const PORT_KEY_BASE = 0x1_0000_0000;

export interface SocketStreamLimits {
  /** Connections whose sequence numbers are remembered at once. */
  maxStreams: number;
  /** Trace seconds without a record after which a connection is forgotten. */
  idleSeconds: number;
}

export const DEFAULT_SOCKET_STREAM_LIMITS: SocketStreamLimits = Object.freeze({ maxStreams: 16_384, idleSeconds: 2 * 3600 });

/** How the socket's data is carried. */
export type SocketTransport = 'tcp' | 'udp' | 'bare';

/** One data trace record as the synthesizer needs it; the decoder fills it in place. */
export class SocketRecord {
  /** The entry's bytes; the addresses and the data are read from here. */
  bytes: Uint8Array = new Uint8Array(0);
  /** Offsets of the 16-byte source (PTH_Src) and destination (PTH_Dst) addresses in `bytes`. */
  sourceAt = 0;
  destinationAt = 0;
  sourcePort = 0;
  destinationPort = 0;
  transport: SocketTransport = 'tcp';
  /** IP protocol number of a bare payload (raw sockets). */
  protocol: number = IpProtocol.TCP;
  /** PTH_Cid, or -1 when the header has none. */
  connectionId = -1;
  direction: Direction = 'unknown';
  /** SocketState code (unknown codes count as data). */
  state: number = SocketState.DATA;
  /** The socket data shown: bytes [dataStart, dataEnd). */
  dataStart = 0;
  dataEnd = 0;
  timeSec = 0;
}

export interface SocketStreamStats {
  /** TCP connections whose sequence numbers were started. */
  socketStreamsOpened: number;
  /** Dropped at a flow-end record. */
  socketStreamsClosed: number;
  /** Forgotten after being idle, or to make room. */
  socketStreamsEvicted: number;
  /** A connection ID seen again with other endpoints: started afresh. */
  socketStreamsReplaced: number;
}

/** Both ends of one TCP connection and the next sequence number each way. */
class TcpStream {
  readonly localAddress = new Uint8Array(ADDRESS_BYTES);
  readonly remoteAddress = new Uint8Array(ADDRESS_BYTES);
  localPort = 0;
  remotePort = 0;
  /** Next sequence number from the local end, and from the remote end. */
  localSeq = 0;
  remoteSeq = 0;
  lastSeenSec = 0;

  /** True when the record's endpoints are this connection's, in either order. */
  matches(r: SocketRecord): boolean {
    const forward =
      r.sourcePort === this.localPort &&
      r.destinationPort === this.remotePort &&
      sameAddress(r.bytes, r.sourceAt, this.localAddress) &&
      sameAddress(r.bytes, r.destinationAt, this.remoteAddress);
    return (
      forward ||
      (r.sourcePort === this.remotePort &&
        r.destinationPort === this.localPort &&
        sameAddress(r.bytes, r.sourceAt, this.remoteAddress) &&
        sameAddress(r.bytes, r.destinationAt, this.localAddress))
    );
  }

  /** Whether the record's data goes from the local end. */
  sentLocally(r: SocketRecord): boolean {
    if (r.direction !== 'unknown') return r.direction === 'outbound';
    return r.sourcePort === this.localPort && sameAddress(r.bytes, r.sourceAt, this.localAddress);
  }
}

function sameAddress(bytes: Uint8Array, at: number, address: Uint8Array): boolean {
  for (let i = 0; i < ADDRESS_BYTES; i++) if (bytes[at + i] !== address[i]) return false;
  return true;
}

/** A deterministic, well spread initial sequence number per connection key, opening and direction. */
function initialSequence(key: number, opening: number, local: boolean): number {
  let h = Math.imul((key % PORT_KEY_BASE) ^ Math.imul(opening, 0x9e37_79b9), 0x85eb_ca6b);
  h ^= local ? 0x5bd1_e995 : 0x27d4_eb2f;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2_ae35);
  return INITIAL_SEQUENCE_BASE + ((h >>> 0) % INITIAL_SEQUENCE_SPAN);
}

export class SocketStreamSynthesizer {
  /** Open connections, least recently used first (Map keeps insertion order; a record re-inserts). */
  private readonly streams = new Map<number, TcpStream>();
  private readonly builder = new Ipv6PacketBuilder();
  private readonly transport: TransportFields = { protocol: 0, bare: false, sourcePort: 0, destinationPort: 0, seq: 0, ack: 0, tcpFlags: 0, window: WINDOW };
  private readonly counters: SocketStreamStats = { socketStreamsOpened: 0, socketStreamsClosed: 0, socketStreamsEvicted: 0, socketStreamsReplaced: 0 };

  constructor(private readonly limits: SocketStreamLimits = DEFAULT_SOCKET_STREAM_LIMITS) {}

  get stats(): Readonly<SocketStreamStats> {
    return this.counters;
  }

  /** The packet for one record: a view into the synthesizer's buffer, valid until the next call. */
  synthesize(record: SocketRecord): Uint8Array {
    this.forgetIdle(record.timeSec);
    const t = this.transport;
    t.protocol = record.transport === 'tcp' ? IpProtocol.TCP : record.transport === 'udp' ? IpProtocol.UDP : record.protocol;
    t.bare = record.transport === 'bare';
    return record.transport === 'tcp' ? this.tcpSegment(record) : this.datagram(record);
  }

  /** UDP or a raw socket's protocol: every record stands alone, from source to destination as traced. */
  private datagram(r: SocketRecord): Uint8Array {
    if (r.dataEnd <= r.dataStart) return this.marker(r.bytes, r.sourceAt, r.bytes, r.destinationAt);
    const t = this.transport;
    t.sourcePort = r.sourcePort;
    t.destinationPort = r.destinationPort;
    return this.builder.build(r.bytes, r.sourceAt, r.bytes, r.destinationAt, t, r.bytes, r.dataStart, r.dataEnd);
  }

  /** A record with no data to show: the addresses and nothing else. */
  private marker(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number): Uint8Array {
    const t = this.transport;
    t.protocol = NO_NEXT_HEADER;
    t.bare = true;
    return this.builder.build(from, fromAt, to, toAt, t, from, 0, 0);
  }

  private tcpSegment(r: SocketRecord): Uint8Array {
    const stream = this.streamFor(r);
    const local = stream.sentLocally(r);
    const from = local ? stream.localAddress : stream.remoteAddress;
    const to = local ? stream.remoteAddress : stream.localAddress;
    const t = this.transport;
    // Data beyond one datagram cannot occur (an entry is smaller), but would be left out, never wrapped.
    const shown = Math.min(r.dataEnd - r.dataStart, maxPayloadLength(t));
    const end = r.state === SocketState.END;
    if (shown === 0 && !end) return this.marker(from, 0, to, 0);
    t.sourcePort = local ? stream.localPort : stream.remotePort;
    t.destinationPort = local ? stream.remotePort : stream.localPort;
    t.seq = local ? stream.localSeq : stream.remoteSeq;
    t.ack = local ? stream.remoteSeq : stream.localSeq;
    t.tcpFlags = TcpFlags.ACK | (shown > 0 ? TcpFlags.PSH : 0) | (end ? TcpFlags.FIN : 0);
    const packet = this.builder.build(from, 0, to, 0, t, r.bytes, r.dataStart, r.dataStart + shown);
    const next = (t.seq + shown + (end ? 1 : 0)) >>> 0;
    if (local) stream.localSeq = next;
    else stream.remoteSeq = next;
    if (end) {
      this.streams.delete(this.keyOf(r));
      this.counters.socketStreamsClosed++;
    }
    return packet;
  }

  private keyOf(r: SocketRecord): number {
    if (r.connectionId >= 0) return r.connectionId;
    const low = Math.min(r.sourcePort, r.destinationPort);
    const high = Math.max(r.sourcePort, r.destinationPort);
    return PORT_KEY_BASE + low * 0x1_0000 + high;
  }

  /** The record's connection, most recently used from now on; opened when new or when its ID moved on. */
  private streamFor(r: SocketRecord): TcpStream {
    const key = this.keyOf(r);
    let stream = this.streams.get(key);
    if (stream !== undefined) {
      this.streams.delete(key);
      if (!stream.matches(r)) {
        this.counters.socketStreamsReplaced++;
        stream = undefined;
      }
    }
    if (stream === undefined) stream = this.open(key, r);
    stream.lastSeenSec = r.timeSec;
    this.streams.set(key, stream);
    return stream;
  }

  /**
   * A new connection. Its local end is the sender of an outbound record and the receiver of an inbound
   * one (source and destination taken as the data's, [ASSUMED]); when the direction is unknown, the source.
   */
  private open(key: number, r: SocketRecord): TcpStream {
    if (this.streams.size >= this.limits.maxStreams) this.evictOldest();
    const stream = new TcpStream();
    const sourceIsLocal = r.direction !== 'inbound';
    const localAt = sourceIsLocal ? r.sourceAt : r.destinationAt;
    const remoteAt = sourceIsLocal ? r.destinationAt : r.sourceAt;
    stream.localAddress.set(r.bytes.subarray(localAt, localAt + ADDRESS_BYTES));
    stream.remoteAddress.set(r.bytes.subarray(remoteAt, remoteAt + ADDRESS_BYTES));
    stream.localPort = sourceIsLocal ? r.sourcePort : r.destinationPort;
    stream.remotePort = sourceIsLocal ? r.destinationPort : r.sourcePort;
    const opening = this.counters.socketStreamsOpened++;
    stream.localSeq = initialSequence(key, opening, true);
    stream.remoteSeq = initialSequence(key, opening, false);
    return stream;
  }

  private evictOldest(): void {
    const oldest = this.streams.keys().next();
    if (oldest.done === true) return;
    this.streams.delete(oldest.value);
    this.counters.socketStreamsEvicted++;
  }

  /** Drops connections idle too long; the least recently used come first, so this stops at the first live one. */
  private forgetIdle(nowSec: number): void {
    for (const [key, stream] of this.streams) {
      if (nowSec - stream.lastSeenSec <= this.limits.idleSeconds) return;
      this.streams.delete(key);
      this.counters.socketStreamsEvicted++;
    }
  }
}
