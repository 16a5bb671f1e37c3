import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  it('stands still until told to move', () => {
    const clock = new VirtualClock(1_000);
    let fired = false;
    clock.setTimeout(() => (fired = true), 10);
    expect(clock.now()).toBe(1_000);
    expect(fired).toBe(false);
    clock.advance(9);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(1_010);
  });

  it('fires timers in due order, with now() equal to each due time, including timers scheduled on the way', () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
    clock.setTimeout(() => {
      seen.push(['a', clock.now()]);
      clock.setTimeout(() => seen.push(['a2', clock.now()]), 5);
    }, 10);
    clock.setTimeout(() => seen.push(['late', clock.now()]), 100);
    clock.advance(50);
    expect(seen).toEqual([['a', 10], ['a2', 15], ['b', 20]]);
    expect(clock.now()).toBe(50);
    expect(clock.pendingTimers()).toEqual({ count: 1, nextAt: 100 });
  });

  it('jumps to the next timer when asked, and reports idle', () => {
    const clock = new VirtualClock(0);
    let count = 0;
    clock.setTimeout(() => count++, 3_600_000);
    expect(clock.advanceToNextTimer()).toBe(true);
    expect(count).toBe(1);
    expect(clock.now()).toBe(3_600_000);
    expect(clock.advanceToNextTimer()).toBe(false);
  });

  it('cancels timers and resets to its start', () => {
    const clock = new VirtualClock(500);
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 1);
    clock.clearTimeout(handle);
    clock.advance(10);
    expect(fired).toBe(false);
    clock.setTimeout(() => (fired = true), 1);
    clock.reset();
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimers().count).toBe(0);
  });

  it('refuses to go backwards', () => {
    expect(() => new VirtualClock(0).advance(-1)).toThrow(RangeError);
  });
});
