import { describe, expect, it } from 'vitest';
import { cryptoSource, seededSource } from './RandomSource.js';

describe('seededSource', () => {
  it('draws the same bytes and floats for the same seed, and others for another seed', () => {
    const a = seededSource(7);
    const b = seededSource(7);
    expect(a.bytes(13).toString('hex')).toBe(b.bytes(13).toString('hex'));
    expect(a.float()).toBe(b.float());
    expect(seededSource(8).bytes(13).toString('hex')).not.toBe(seededSource(7).bytes(13).toString('hex'));
  });

  it('gives each fork a stream of its own: one fork drawing more does not shift another', () => {
    const quiet = seededSource(7).fork('pbx');
    const busy = seededSource(7);
    busy.fork('listener').bytes(1000);
    expect(busy.fork('pbx').bytes(8).toString('hex')).toBe(quiet.bytes(8).toString('hex'));
    expect(seededSource(7).fork('a').bytes(8).toString('hex')).not.toBe(seededSource(7).fork('b').bytes(8).toString('hex'));
  });

  it('gives a second fork of the same name a new stream, the same on every run (a listener deployed again gets new Call-IDs)', () => {
    const first = seededSource(7);
    const again = seededSource(7);
    const a1 = first.fork('listener:x').bytes(8).toString('hex');
    const a2 = first.fork('listener:x').bytes(8).toString('hex');
    expect(a2).not.toBe(a1);
    expect([again.fork('listener:x').bytes(8).toString('hex'), again.fork('listener:x').bytes(8).toString('hex')]).toEqual([a1, a2]);
  });

  it('spreads its bytes over every value', () => {
    const counts = new Array<number>(256).fill(0);
    for (const byte of seededSource(1).bytes(256 * 200)) counts[byte]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(120);
    expect(Math.max(...counts)).toBeLessThan(290);
  });
});

describe('cryptoSource', () => {
  it('never repeats and says it is not seeded', () => {
    const source = cryptoSource();
    expect(source.seeded).toBe(false);
    expect(source.bytes(16).equals(source.fork('x').bytes(16))).toBe(false);
    const f = source.float();
    expect(f >= 0 && f < 1).toBe(true);
  });
});
