/**
 * A binary min-heap ordered by a `before` relation: log(n) per push and pop. Serves the k-way merge of
 * inputs and the reorder window, which both repeatedly need "the earliest packet held".
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The smallest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent]!;
      if (!this.before(item, above)) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the smallest item; the heap must not be empty. */
  pop(): T {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    const size = items.length;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = left < size && this.before(items[left]!, last) ? left : -1;
      if (right < size && this.before(items[right]!, smallest < 0 ? last : items[smallest]!)) smallest = right;
      if (smallest < 0) break;
      items[i] = items[smallest]!;
      i = smallest;
    }
    items[i] = last;
    return top;
  }
}
