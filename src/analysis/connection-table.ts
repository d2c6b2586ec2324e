/**
 * The live connections of one kind (TCP connections, UDP flows), found by their two (address, port)
 * endpoints in either direction. The key is a number hashed from the address words and ports (the same
 * for both directions), so a lookup builds no string; collisions chain through nextInBucket. Connections
 * sit on use-ordered lists, so the idle ones (and the least recently used, past the cap) are forgotten:
 * memory follows the connections in use, never the packets. A closed connection (a TCP FIN or RST seen)
 * waits on a list of its own, for a shorter time: long enough to tell a reused port from a new one.
 */
import type { AddressWords } from './address.js';

/** The endpoints of a packet, as PacketLayers (and the TCP view) hold them. */
export interface EndpointView extends AddressWords {
  sourcePort: number;
  destinationPort: number;
}

export interface ConnectionLimits {
  /** Forget a connection after this many seconds without a packet. */
  idleTimeoutSec: number;
  /** Forget a closed connection after this many seconds without a packet. */
  closedTimeoutSec: number;
  /** Never track more connections than this; the least recently used goes first, closed ones before open ones. */
  maxConnections: number;
}

/** What the table keeps about every connection: its endpoints (A: the first sender seen) and its links. */
export class TrackedConnection {
  ipVersion = 4;
  /**
   * Addresses as big-endian 32-bit words (IPv4: word 0 only), kept signed (`| 0`): V8 then stores them as
   * small integers, where unsigned words from 128.0.0.0 up would make every word of every connection a
   * heap number of its own.
   */
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  portA = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  portB = 0;
  /** Number in order of creation (for TCP: Wireshark's tcp.stream). */
  streamIndex = 0;
  /** Time of the last packet, for idle eviction. */
  lastSeenSec = 0;
  /** Table links. */
  hash = 0;
  nextInBucket: TrackedConnection | null = null;
  olderInUse: TrackedConnection | null = null;
  newerInUse: TrackedConnection | null = null;
  onClosedList = false;
}

/** One side's share of the key: words and port mixed (MurmurHash3's finaliser constants). */
function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w3, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ port, 0x27d4eb2d);
  return h ^ (h >>> 15);
}

/**
 * The same number for both directions of a connection. Kept to 30 bits so V8 stores it as a small
 * integer: a wider key would box a heap number on every lookup.
 */
function connectionHash(v: EndpointView): number {
  const source = endpointHash(v.source0, v.source1, v.source2, v.source3, v.sourcePort);
  const destination = endpointHash(v.destination0, v.destination1, v.destination2, v.destination3, v.destinationPort);
  return ((source + destination) ^ v.ipVersion) & 0x3fffffff;
}

function sourceIsA(c: TrackedConnection, v: EndpointView): boolean {
  return v.sourcePort === c.portA && (v.source0 | 0) === c.a0 && (v.source1 | 0) === c.a1 && (v.source2 | 0) === c.a2 && (v.source3 | 0) === c.a3;
}

function sourceIsB(c: TrackedConnection, v: EndpointView): boolean {
  return v.sourcePort === c.portB && (v.source0 | 0) === c.b0 && (v.source1 | 0) === c.b1 && (v.source2 | 0) === c.b2 && (v.source3 | 0) === c.b3;
}

function destinationIsA(c: TrackedConnection, v: EndpointView): boolean {
  return v.destinationPort === c.portA && (v.destination0 | 0) === c.a0 && (v.destination1 | 0) === c.a1 && (v.destination2 | 0) === c.a2 && (v.destination3 | 0) === c.a3;
}

function destinationIsB(c: TrackedConnection, v: EndpointView): boolean {
  return v.destinationPort === c.portB && (v.destination0 | 0) === c.b0 && (v.destination1 | 0) === c.b1 && (v.destination2 | 0) === c.b2 && (v.destination3 | 0) === c.b3;
}

/** True when the packet belongs to `c` (either direction). */
function matches(c: TrackedConnection, v: EndpointView): boolean {
  if (c.ipVersion !== v.ipVersion) return false;
  return (sourceIsA(c, v) && destinationIsB(c, v)) || (sourceIsB(c, v) && destinationIsA(c, v));
}

/** True when the packet goes from A to B (the direction of the connection's first packet). */
export function sentByA(c: TrackedConnection, v: EndpointView): boolean {
  return sourceIsA(c, v) && destinationIsB(c, v);
}

/** A use-ordered list, oldest first. */
class UseList {
  oldest: TrackedConnection | null = null;
  newest: TrackedConnection | null = null;

  append(c: TrackedConnection): void {
    c.olderInUse = this.newest;
    c.newerInUse = null;
    if (this.newest !== null) this.newest.newerInUse = c;
    this.newest = c;
    if (this.oldest === null) this.oldest = c;
  }

  unlink(c: TrackedConnection): void {
    if (c.olderInUse !== null) c.olderInUse.newerInUse = c.newerInUse;
    else if (this.oldest === c) this.oldest = c.newerInUse;
    if (c.newerInUse !== null) c.newerInUse.olderInUse = c.olderInUse;
    else if (this.newest === c) this.newest = c.olderInUse;
    c.olderInUse = null;
    c.newerInUse = null;
  }
}

export class ConnectionTable<C extends TrackedConnection> {
  private readonly buckets = new Map<number, TrackedConnection>();
  private readonly openList = new UseList();
  private readonly closedList = new UseList();
  private streams = 0;
  /** Connections tracked now, and forgotten so far (idle or over the cap). */
  size = 0;
  evicted = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly create: () => C,
    /** True once the connection has closed (its wait is then limits.closedTimeoutSec). */
    private readonly isClosed: (c: C) => boolean = () => false,
    /** Hears of every connection the table lets go (idle, over the cap, or replaced by `open`). */
    private readonly onForget: ((c: C) => void) | null = null,
  ) {}

  /**
   * The tracked connection a packet seen at `nowSec` belongs to, or null. One that waited longer than its
   * list allows is forgotten first: the packet starts a new connection.
   */
  find(view: EndpointView, nowSec: number): C | null {
    for (let c = this.buckets.get(connectionHash(view)) ?? null; c !== null; c = c.nextInBucket) {
      if (!matches(c, view)) continue;
      const timeout = c.onClosedList ? this.limits.closedTimeoutSec : this.limits.idleTimeoutSec;
      if (nowSec - c.lastSeenSec <= timeout) return c as C;
      this.forget(c as C);
      this.evicted++;
      return null;
    }
    return null;
  }

  /** A new connection for this packet (its source becomes endpoint A), replacing any tracked one. */
  open(view: EndpointView, nowSec: number): C {
    const existing = this.find(view, nowSec);
    if (existing !== null) this.forget(existing);
    const c = this.create();
    c.ipVersion = view.ipVersion;
    c.a0 = view.source0 | 0;
    c.a1 = view.source1 | 0;
    c.a2 = view.source2 | 0;
    c.a3 = view.source3 | 0;
    c.portA = view.sourcePort;
    c.b0 = view.destination0 | 0;
    c.b1 = view.destination1 | 0;
    c.b2 = view.destination2 | 0;
    c.b3 = view.destination3 | 0;
    c.portB = view.destinationPort;
    c.hash = connectionHash(view);
    c.streamIndex = this.streams++;
    c.nextInBucket = this.buckets.get(c.hash) ?? null;
    this.buckets.set(c.hash, c);
    c.lastSeenSec = nowSec;
    this.openList.append(c);
    this.size++;
    return c;
  }

  /** Marks `c` as just used at `nowSec` (and moves it to the closed list once closed), then forgets what is due. */
  touch(c: C, nowSec: number): void {
    c.lastSeenSec = Math.max(c.lastSeenSec, nowSec);
    const list = this.listOf(c);
    if (!c.onClosedList && this.isClosed(c)) {
      list.unlink(c);
      c.onClosedList = true;
      this.closedList.append(c);
    } else if (list.newest !== c) {
      list.unlink(c);
      list.append(c);
    }
    this.evict(c, c.lastSeenSec);
  }

  /** Lets every connection go, oldest first (end of input). */
  clear(): void {
    for (const list of [this.closedList, this.openList]) while (list.oldest !== null) this.forget(list.oldest as C);
  }

  private listOf(c: TrackedConnection): UseList {
    return c.onClosedList ? this.closedList : this.openList;
  }

  /** Forgets the idle connections of each list, then the least recently used past the cap; never `current`. */
  private evict(current: C, nowSec: number): void {
    this.evictIdle(this.closedList, current, nowSec - this.limits.closedTimeoutSec);
    this.evictIdle(this.openList, current, nowSec - this.limits.idleTimeoutSec);
    while (this.size > this.limits.maxConnections) {
      const closed = this.closedList.oldest;
      const oldest = closed !== null && closed !== current ? closed : this.openList.oldest !== current ? this.openList.oldest : null;
      if (oldest === null) return;
      this.forget(oldest as C);
      this.evicted++;
    }
  }

  private evictIdle(list: UseList, current: C, seenBefore: number): void {
    for (let c = list.oldest; c !== null && c !== current && c.lastSeenSec < seenBefore; c = list.oldest) {
      this.forget(c as C);
      this.evicted++;
    }
  }

  private forget(c: C): void {
    const head = this.buckets.get(c.hash) ?? null;
    if (head === c) {
      if (c.nextInBucket === null) this.buckets.delete(c.hash);
      else this.buckets.set(c.hash, c.nextInBucket);
    } else {
      let before = head;
      while (before !== null && before.nextInBucket !== c) before = before.nextInBucket;
      if (before !== null) before.nextInBucket = c.nextInBucket;
    }
    c.nextInBucket = null;
    this.listOf(c).unlink(c);
    this.size--;
    this.onForget?.(c);
  }
}
