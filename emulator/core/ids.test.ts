import { describe, expect, it } from 'vitest';
import { seededSource } from '../../random/index.js';
import { Ids } from './ids.js';

describe('Ids', () => {
  it('draws the prefix and 24 characters of [a-z0-9], one per random byte (byte mod 36), the same for every run with a seed', () => {
    const ids = new Ids(seededSource(7));
    const reference = seededSource(7);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < 200; i++) {
      const expected = `agent_${[...reference.bytes(24)].map((b) => alphabet[b % 36]).join('')}`;
      expect(ids.next('agent')).toBe(expected);
    }
    expect(new Ids(seededSource(7)).next('sipconn')).toMatch(/^sipconn_[a-z0-9]{24}$/);
  });

  it('skips ids restored from saved state', () => {
    const first = new Ids(seededSource(3)).next('call');
    const ids = new Ids(seededSource(3));
    ids.reserve([first]);
    const next = ids.next('call');
    expect(next).not.toBe(first);
    expect(next).toMatch(/^call_[a-z0-9]{24}$/);
  });
});
