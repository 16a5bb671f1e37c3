import { describe, expect, it } from 'vitest';
import { randomFromPool } from './randomPool.js';
import { generateBranch, generateTag } from '../sip/message/identifiers.js';

describe('randomFromPool', () => {
  it('never hands out the same bytes twice, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(randomFromPool(8).toString('hex'));
    expect(seen.size).toBe(3000);
  });

  it('gives copies that later draws do not overwrite', () => {
    const first = randomFromPool(16);
    const copy = Buffer.from(first);
    for (let i = 0; i < 600; i++) randomFromPool(16);
    expect(first.equals(copy)).toBe(true);
  });

  it('keeps identifiers in their RFC 3261 shape', () => {
    expect(generateBranch()).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(generateTag()).toMatch(/^[0-9a-f]{16}$/);
    expect(() => randomFromPool(5000)).toThrow(RangeError);
  });
});
