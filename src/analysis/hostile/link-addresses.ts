/**
 * The addresses a traced stack answers to, as far as a trace tells: the sources of the packets it sends
 * (learned link by link, a bounded number each) and any addresses the user states. Which destinations
 * of a received packet are fine for such a stack: one of its addresses, the limited broadcast,
 * multicast, or the directed broadcast of SOME subnet holding one of its addresses. The subnet mask is
 * not in the trace, so every prefix length from /8 to /30 is allowed: 172.29.96.255 and 172.29.127.255
 * pass for 172.29.96.20 (its /24 and /19 broadcasts), 172.29.191.255 fails every one of them.
 * Addresses are the 32-bit words PacketLayers holds (IPv4: word 0 only); nothing is allocated per packet.
 */

const LIMITED_BROADCAST = 0xffffffff;
/** The shortest and longest prefix whose directed broadcast is taken for a real subnet's (/31 and /32 have none). */
const SHORTEST_PREFIX = 8;
const LONGEST_PREFIX = 30;

/** Leading bits two addresses share (32 when equal). */
function sharedLeadingBits(a: number, b: number): number {
  return Math.clz32((a ^ b) >>> 0);
}

/** One bits at the low end of an address (its host part when it is a directed broadcast). */
function trailingOnes(address: number): number {
  const next = (address + 1) | 0; // the trailing ones become trailing zeros
  if (next === 0) return 32;
  return 31 - Math.clz32(next & -next);
}

/** True when `destination` is the directed broadcast of some /8../30 subnet that holds `own`. */
export function isDirectedBroadcastFor(destination: number, own: number): boolean {
  // Prefix p works when the first p bits match (p <= shared) and the other 32 - p are all ones (p >= 32 - ones).
  const lowest = Math.max(SHORTEST_PREFIX, 32 - trailingOnes(destination >>> 0));
  const highest = Math.min(LONGEST_PREFIX, sharedLeadingBits(destination >>> 0, own >>> 0));
  return lowest <= highest;
}

/** A source address no stack sends from as its own: 0/8, loopback, multicast, class E and broadcast. */
function unusableIpv4Source(address: number): boolean {
  const first = address >>> 24;
  return first === 0 || first === 127 || first >= 224;
}

/** The unspecified address, loopback or multicast: never a stack's address on a link. */
function unusableIpv6Source(w0: number, w1: number, w2: number, w3: number): boolean {
  if (w0 >>> 24 === 0xff) return true;
  return w0 === 0 && w1 === 0 && w2 === 0 && (w3 === 0 || w3 === 1);
}

/** A bounded set of addresses of one family and kind: IPv4 as numbers, IPv6 as four words each. */
export class AddressList {
  /**
   * IPv4 addresses as signed 32-bit numbers (`| 0`), which V8 keeps as small integers: looked up for
   * every packet, an unsigned key from 128.0.0.0 up would be a heap number made for each lookup.
   */
  readonly ipv4 = new Set<number>();
  /** The same IPv4 addresses in a list, to walk without an iterator. */
  readonly ipv4List: number[] = [];
  /** IPv6 addresses, four words each, flat. */
  readonly ipv6: number[] = [];
  /** The IPv4 address added or met last (once there is one): a stack sends from few, so most packets stop here. */
  private lastIpv4 = 0;
  private hasLastIpv4 = false;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.ipv4.size + this.ipv6.length / 4;
  }

  /** Adds an address of either version unless present or the list is full; true when it was added. */
  add(version: number, w0: number, w1: number, w2: number, w3: number): boolean {
    return version === 4 ? this.addIpv4(w0) : this.addIpv6(w0, w1, w2, w3);
  }

  has(version: number, w0: number, w1: number, w2: number, w3: number): boolean {
    return version === 4 ? this.ipv4.has(w0 | 0) : this.hasIpv6(w0, w1, w2, w3);
  }

  /** Adds an address unless present or the list is full; true when it was added. */
  addIpv4(address: number): boolean {
    const key = address | 0;
    if (this.hasLastIpv4 && key === this.lastIpv4) return false;
    const present = this.ipv4.has(key);
    if (present || this.ipv4.size >= this.limit) {
      if (present) this.rememberIpv4(key);
      return false;
    }
    this.ipv4.add(key);
    this.ipv4List.push(address >>> 0);
    this.rememberIpv4(key);
    return true;
  }

  private rememberIpv4(key: number): void {
    this.lastIpv4 = key;
    this.hasLastIpv4 = true;
  }

  addIpv6(w0: number, w1: number, w2: number, w3: number): boolean {
    if (this.ipv6.length / 4 >= this.limit || this.hasIpv6(w0, w1, w2, w3)) return false;
    this.ipv6.push(w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0);
    return true;
  }

  hasIpv6(w0: number, w1: number, w2: number, w3: number): boolean {
    const words = this.ipv6;
    for (let i = 0; i < words.length; i += 4) {
      if (words[i] === w0 >>> 0 && words[i + 1] === w1 >>> 0 && words[i + 2] === w2 >>> 0 && words[i + 3] === w3 >>> 0) return true;
    }
    return false;
  }
}

/**
 * The stack's addresses: every link's learned ones together with the stated ones. A stack takes a packet
 * for any of its home addresses (a VIPA included) on any link, so a destination is judged against all of
 * them, while a link without any address of its own (learned or stated) is not judged at all.
 */
export class StackAddresses {
  /** Every address learned on any link, and the stated ones. */
  readonly home: AddressList;
  readonly stated: AddressList;

  constructor(stated: readonly Uint8Array[], limit: number) {
    this.stated = new AddressList(stated.length);
    this.home = new AddressList(limit + stated.length);
    for (const bytes of stated) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.length === 4) {
        this.stated.addIpv4(view.getUint32(0));
        this.home.addIpv4(view.getUint32(0));
      } else {
        const words = [0, 4, 8, 12].map((at) => view.getUint32(at)) as [number, number, number, number];
        this.stated.addIpv6(...words);
        this.home.addIpv6(...words);
      }
    }
  }

  /** Learns the source of a sent packet as an address of `link` (and of the stack), unless it cannot be one. */
  learnIpv4(link: AddressList, source: number): void {
    if (unusableIpv4Source(source >>> 0)) return;
    if (link.addIpv4(source)) this.home.addIpv4(source);
  }

  learnIpv6(link: AddressList, w0: number, w1: number, w2: number, w3: number): void {
    if (unusableIpv6Source(w0, w1, w2, w3)) return;
    if (link.addIpv6(w0, w1, w2, w3)) this.home.addIpv6(w0, w1, w2, w3);
  }

  /** True when the stack has some address to judge `link`'s received packets by. */
  knows(link: AddressList): boolean {
    return link.size > 0 || this.stated.size > 0;
  }

  /** The limited broadcast, multicast, a home address or a directed broadcast of a home address's subnet. */
  acceptsIpv4(destination: number): boolean {
    const address = destination >>> 0;
    if (address === LIMITED_BROADCAST || address >>> 28 === 0xe || this.home.ipv4.has(destination | 0)) return true;
    const home = this.home.ipv4List;
    for (let i = 0; i < home.length; i++) if (isDirectedBroadcastFor(address, home[i]!)) return true;
    return false;
  }

  /** Multicast (ff00::/8) or a home address; IPv6 has no broadcast. */
  acceptsIpv6(w0: number, w1: number, w2: number, w3: number): boolean {
    return w0 >>> 24 === 0xff || this.home.hasIpv6(w0, w1, w2, w3);
  }
}
