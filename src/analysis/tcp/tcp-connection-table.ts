/**
 * The live TCP connections, found by their two (address, port) endpoints in either direction. The key is
 * a number hashed from the address words and ports (the same for both directions), so a lookup builds no
 * string; collisions chain through TcpConnection.nextInBucket. Connections also sit on a use-ordered list,
 * so the idle ones (and the oldest, past the cap) are dropped: memory follows connections, not packets.
 */
import type { TcpPacketView } from '../../net/packet-view.js';
import { TcpConnection } from './tcp-conversation.js';

export interface ConnectionLimits {
  /** Forget a connection after this many seconds without a packet. */
  idleTimeoutSec: number;
  /** Never track more connections than this; the least recently used goes first. */
  maxConnections: number;
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
function connectionHash(view: TcpPacketView): number {
  const source = endpointHash(view.source0, view.source1, view.source2, view.source3, view.tcp.sourcePort);
  const destination = endpointHash(view.destination0, view.destination1, view.destination2, view.destination3, view.tcp.destinationPort);
  return ((source + destination) ^ view.ipVersion) & 0x3fffffff;
}

function sourceIsA(c: TcpConnection, v: TcpPacketView): boolean {
  return v.tcp.sourcePort === c.portA && v.source0 === c.a0 && v.source1 === c.a1 && v.source2 === c.a2 && v.source3 === c.a3;
}

function sourceIsB(c: TcpConnection, v: TcpPacketView): boolean {
  return v.tcp.sourcePort === c.portB && v.source0 === c.b0 && v.source1 === c.b1 && v.source2 === c.b2 && v.source3 === c.b3;
}

function destinationIsA(c: TcpConnection, v: TcpPacketView): boolean {
  return v.tcp.destinationPort === c.portA && v.destination0 === c.a0 && v.destination1 === c.a1 && v.destination2 === c.a2 && v.destination3 === c.a3;
}

function destinationIsB(c: TcpConnection, v: TcpPacketView): boolean {
  return v.tcp.destinationPort === c.portB && v.destination0 === c.b0 && v.destination1 === c.b1 && v.destination2 === c.b2 && v.destination3 === c.b3;
}

/** True when the segment belongs to `c` (either direction). */
function matches(c: TcpConnection, v: TcpPacketView): boolean {
  if (c.ipVersion !== v.ipVersion) return false;
  return (sourceIsA(c, v) && destinationIsB(c, v)) || (sourceIsB(c, v) && destinationIsA(c, v));
}

/** True when the segment goes from A to B (the direction of the connection's first packet). */
export function sentByA(c: TcpConnection, v: TcpPacketView): boolean {
  return sourceIsA(c, v) && destinationIsB(c, v);
}

export class TcpConnectionTable {
  private readonly buckets = new Map<number, TcpConnection>();
  private oldest: TcpConnection | null = null;
  private newest: TcpConnection | null = null;
  private streams = 0;
  /** Connections tracked now, and dropped so far (idle or over the cap). */
  size = 0;
  evicted = 0;

  constructor(private readonly limits: ConnectionLimits) {}

  /** The tracked connection this segment belongs to, or null. */
  find(view: TcpPacketView): TcpConnection | null {
    for (let c = this.buckets.get(connectionHash(view)) ?? null; c !== null; c = c.nextInBucket) {
      if (matches(c, view)) return c;
    }
    return null;
  }

  /** A new connection for this segment (its source becomes endpoint A), replacing any tracked one. */
  open(view: TcpPacketView, nowSec: number): TcpConnection {
    const existing = this.find(view);
    if (existing !== null) this.remove(existing);
    const c = new TcpConnection();
    c.ipVersion = view.ipVersion;
    c.a0 = view.source0;
    c.a1 = view.source1;
    c.a2 = view.source2;
    c.a3 = view.source3;
    c.portA = view.tcp.sourcePort;
    c.b0 = view.destination0;
    c.b1 = view.destination1;
    c.b2 = view.destination2;
    c.b3 = view.destination3;
    c.portB = view.tcp.destinationPort;
    c.hash = connectionHash(view);
    c.streamIndex = this.streams++;
    c.nextInBucket = this.buckets.get(c.hash) ?? null;
    this.buckets.set(c.hash, c);
    c.lastSeenSec = nowSec;
    this.append(c);
    this.size++;
    return c;
  }

  /** Marks `c` as just used at `nowSec`, then drops what is idle or over the cap. */
  touch(c: TcpConnection, nowSec: number): void {
    c.lastSeenSec = Math.max(c.lastSeenSec, nowSec);
    if (this.newest !== c) {
      this.unlink(c);
      this.append(c);
    }
    this.evictIdle(c.lastSeenSec);
  }

  private evictIdle(nowSec: number): void {
    for (let c = this.oldest; c !== null && c !== this.newest; c = this.oldest) {
      const idle = nowSec - c.lastSeenSec > this.limits.idleTimeoutSec;
      if (!idle && this.size <= this.limits.maxConnections) return;
      this.remove(c);
      this.evicted++;
    }
  }

  private remove(c: TcpConnection): void {
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
    this.unlink(c);
    this.size--;
  }

  private append(c: TcpConnection): void {
    c.olderInUse = this.newest;
    c.newerInUse = null;
    if (this.newest !== null) this.newest.newerInUse = c;
    this.newest = c;
    if (this.oldest === null) this.oldest = c;
  }

  private unlink(c: TcpConnection): void {
    if (c.olderInUse !== null) c.olderInUse.newerInUse = c.newerInUse;
    else if (this.oldest === c) this.oldest = c.newerInUse;
    if (c.newerInUse !== null) c.newerInUse.olderInUse = c.olderInUse;
    else if (this.newest === c) this.newest = c.olderInUse;
    c.olderInUse = null;
    c.newerInUse = null;
  }
}
