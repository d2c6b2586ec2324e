/**
 * A map that keeps at most `limit` entries, forgetting the least recently used first and telling the
 * owner (so a forgotten session can still be summarised). JavaScript's Map keeps insertion order, so
 * "touch" is a delete and re-insert and the oldest entry is the first one iterated.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(
    private readonly limit: number,
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, marked as the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** The value without changing its place. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > Math.max(1, this.limit)) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value[0]);
      this.onEvict(oldest.value[0], oldest.value[1]);
    }
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** The least recently used entry, or undefined when empty. */
  oldest(): [K, V] | undefined {
    const first = this.entries.entries().next();
    return first.done === true ? undefined : first.value;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  /** Removes and returns every entry, oldest first. */
  drain(): [K, V][] {
    const all = [...this.entries];
    this.entries.clear();
    return all;
  }
}
