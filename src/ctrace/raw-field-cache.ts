/**
 * Values derived from a header field's raw bytes (a link name decoded into an interface), found again by
 * those bytes: a packet whose link name was seen before costs a hash and a compare, not a decoded string
 * and a string-keyed lookup. Bounded: past `limit` entries new values are not remembered.
 */
import type { FieldSlot } from './layout/layout-compile.js';
import type { PthdrView } from './pthdr.js';

interface Entry<V> {
  bytes: Uint8Array;
  /** A number that also tells values apart (the device type), -1 when none. */
  tag: number;
  value: V;
}

export class RawFieldCache<V> {
  private readonly buckets = new Map<number, Entry<V>[]>();
  private count = 0;
  /** The entry found last: most packets share their link with the packet before. */
  private last: Entry<V> | null = null;

  constructor(private readonly limit: number) {}

  get(view: PthdrView, slot: FieldSlot | null, tag: number): V | undefined {
    const last = this.last;
    if (last !== null && last.tag === tag && view.fieldEquals(slot, last.bytes)) return last.value;
    const bucket = this.buckets.get(view.fieldHash(slot));
    if (bucket === undefined) return undefined;
    for (const entry of bucket) {
      if (entry.tag === tag && view.fieldEquals(slot, entry.bytes)) {
        this.last = entry;
        return entry.value;
      }
    }
    return undefined;
  }

  set(view: PthdrView, slot: FieldSlot | null, tag: number, value: V): void {
    if (this.count >= this.limit) return;
    const hash = view.fieldHash(slot);
    const entry: Entry<V> = { bytes: view.fieldCopy(slot), tag, value };
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) this.buckets.set(hash, [entry]);
    else bucket.push(entry);
    this.count++;
  }
}
