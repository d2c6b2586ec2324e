/**
 * The application analyzers' bounded tables (LruMap): at most `limit` entries, the least recently used
 * forgotten first and handed to the owner, `get` refreshing an entry and `peek` not. Checked against a
 * plain list kept in use order, over a long seeded run of random operations.
 */
import { expect } from 'chai';
import { LruMap } from '../src/analysis/application/lru-map.js';
import { Random } from './support/seeded-random.js';

/** The same table as a list of [key, value], least recently used first: slow and obviously right. */
class ListModel {
  entries: [number, number][] = [];
  evicted: [number, number][] = [];

  constructor(private readonly limit: number) {}

  private take(key: number): [number, number] | undefined {
    const at = this.entries.findIndex(([k]) => k === key);
    return at < 0 ? undefined : this.entries.splice(at, 1)[0];
  }

  get(key: number): number | undefined {
    const entry = this.take(key);
    if (entry !== undefined) this.entries.push(entry);
    return entry?.[1];
  }

  peek(key: number): number | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  set(key: number, value: number): void {
    this.take(key);
    this.entries.push([key, value]);
    while (this.entries.length > this.limit) this.evicted.push(this.entries.shift()!);
  }

  delete(key: number): boolean {
    return this.take(key) !== undefined;
  }
}

describe('LruMap', () => {
  it('agrees with a use-ordered list over 20 000 random operations', () => {
    const random = new Random(20261201);
    const limit = 16;
    const model = new ListModel(limit);
    const evicted: [number, number][] = [];
    const map = new LruMap<number, number>(limit, (key, value) => evicted.push([key, value]));
    for (let step = 0; step < 20_000; step++) {
      const key = random.below(40);
      const operation = random.below(5);
      if (operation === 0) expect(map.get(key), `get ${key} at ${step}`).to.equal(model.get(key));
      else if (operation === 1) expect(map.peek(key), `peek ${key} at ${step}`).to.equal(model.peek(key));
      else if (operation === 2) expect(map.delete(key), `delete ${key} at ${step}`).to.equal(model.delete(key));
      else {
        map.set(key, step);
        model.set(key, step);
      }
      expect(map.size).to.equal(model.entries.length);
      const oldest = map.oldest();
      expect(oldest === null ? null : [oldest.key, oldest.value], `oldest at ${step}`).to.deep.equal(model.entries[0] ?? null);
    }
    expect(evicted).to.deep.equal(model.evicted);
    expect([...map.values()]).to.deep.equal(model.entries.map(([, value]) => value));
    expect(map.drain()).to.deep.equal(model.entries);
    expect(map.size).to.equal(0);
    expect(map.oldest()).to.equal(null);
  });

  it('tells the owner of each entry it forgets, in use order', () => {
    const forgotten: string[] = [];
    const map = new LruMap<string, number>(2, (key) => forgotten.push(key));
    map.set('a', 1);
    map.set('b', 2);
    map.get('a'); // b is now the least recently used
    map.set('c', 3);
    map.peek('a'); // peeking does not refresh: a goes next
    map.set('d', 4);
    expect(forgotten).to.deep.equal(['b', 'a']);
    expect(map.drain()).to.deep.equal([
      ['c', 3],
      ['d', 4],
    ]);
  });
});
