import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../random/index.js';
import { IntMap } from './IntMap.js';

/** Integers from 0 to `below` - 1 from a seeded generator, so a failure replays. */
function seededInts(seed: number, below: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * below);
}

describe('IntMap: the churning tables of hashes, in typed arrays', () => {
  it('answers as a Map does through 200,000 random sets, gets and deletes on colliding keys', () => {
    const next = seededInts(7, 600);
    const map = new IntMap(4);
    const reference = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      // 600 keys in a table of at most 2,048 slots: long probe runs, wrapping at the end.
      const key = next();
      const op = next() % 3;
      if (op === 0) {
        map.set(key, i);
        reference.set(key, i);
      } else if (op === 1) {
        expect(map.delete(key)).toBe(reference.delete(key));
      } else {
        expect(map.get(key)).toBe(reference.get(key));
      }
      if (i % 20_000 === 0) for (let k = 0; k < 600; k++) expect(map.get(k)).toBe(reference.get(k));
    }
    expect(map.size).toBe(reference.size);
    for (let k = 0; k < 600; k++) expect(map.get(k)).toBe(reference.get(k));
  });

  it('keeps its arrays through churn: one key in and the oldest out, a million times', () => {
    const next = seededInts(11, 2 ** 30);
    const map = new IntMap(16);
    const ring: number[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const key = next();
      map.set(key, i);
      ring.push(key);
      if (ring.length > 5_000) map.delete(ring.shift()!);
    }
    expect(map.size).toBe(new Set(ring).size);
    // 5,000 live keys at a load of at most a half: 16,384 slots, the same as after the first 5,000.
    expect(map.capacity).toBe(16_384);
    expect(map.get(ring.at(-1)!)).toBe(999_999);
  });

  it('holds sequence numbers beyond 32 bits, and refuses a key it cannot hold', () => {
    const map = new IntMap();
    map.set(0x3fffffff, 2 ** 40 + 1);
    expect(map.get(0x3fffffff)).toBe(2 ** 40 + 1);
    expect(() => map.set(-1, 0)).toThrow(/integers from 0/);
    expect(() => map.set(1.5, 0)).toThrow(/integers from 0/);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get(0x3fffffff)).toBeUndefined();
  });
});
