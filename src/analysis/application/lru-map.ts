/**
 * A map that keeps at most `limit` entries, forgetting the least recently used first and telling the
 * owner (so a forgotten session can still be summarised). The entries sit on a use-ordered list, oldest
 * first, so the analyzers' per-packet look at the oldest entry (is it due?) allocates nothing.
 */

/** One entry, linked into the use order. */
export class LruEntry<K, V> {
  older: LruEntry<K, V> | null = null;
  newer: LruEntry<K, V> | null = null;

  constructor(
    readonly key: K,
    public value: V,
  ) {}
}

export class LruMap<K, V> {
  private readonly entries = new Map<K, LruEntry<K, V>>();
  private oldestEntry: LruEntry<K, V> | null = null;
  private newestEntry: LruEntry<K, V> | null = null;

  constructor(
    private readonly limit: number,
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, marked as the most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.moveToNewest(entry);
    return entry.value;
  }

  /** The value without changing its place. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V): void {
    const known = this.entries.get(key);
    if (known !== undefined) {
      known.value = value;
      this.moveToNewest(known);
      return;
    }
    const entry = new LruEntry(key, value);
    this.entries.set(key, entry);
    this.append(entry);
    while (this.entries.size > Math.max(1, this.limit)) {
      const oldest = this.oldestEntry!;
      this.remove(oldest);
      this.onEvict(oldest.key, oldest.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.remove(entry);
    return true;
  }

  /** The least recently used entry, or null when empty. */
  oldest(): LruEntry<K, V> | null {
    return this.oldestEntry;
  }

  /** The values, least recently used first. */
  *values(): IterableIterator<V> {
    for (let entry = this.oldestEntry; entry !== null; entry = entry.newer) yield entry.value;
  }

  /** Removes and returns every entry, oldest first. */
  drain(): [K, V][] {
    const all: [K, V][] = [];
    for (let entry = this.oldestEntry; entry !== null; entry = entry.newer) all.push([entry.key, entry.value]);
    this.entries.clear();
    this.oldestEntry = this.newestEntry = null;
    return all;
  }

  private remove(entry: LruEntry<K, V>): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
  }

  private moveToNewest(entry: LruEntry<K, V>): void {
    if (this.newestEntry === entry) return;
    this.unlink(entry);
    this.append(entry);
  }

  private append(entry: LruEntry<K, V>): void {
    entry.older = this.newestEntry;
    entry.newer = null;
    if (this.newestEntry !== null) this.newestEntry.newer = entry;
    else this.oldestEntry = entry;
    this.newestEntry = entry;
  }

  private unlink(entry: LruEntry<K, V>): void {
    if (entry.older !== null) entry.older.newer = entry.newer;
    else this.oldestEntry = entry.newer;
    if (entry.newer !== null) entry.newer.older = entry.older;
    else this.newestEntry = entry.older;
    entry.older = entry.newer = null;
  }
}
