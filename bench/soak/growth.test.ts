import { describe, expect, it } from 'vitest';
import { growthPercent, heapSpaceGrowth, judgeStore, thirds } from './growth.js';

describe('heapSpaceGrowth', () => {
  it('names the spaces whose held size changed, largest change first, and skips samples without spaces', () => {
    const at = (newSpace: number, oldSpace: number, code = 4) => ({ heapSpaces: { new_space: { size: newSpace, used: 1 }, old_space: { size: oldSpace, used: 1 }, code_space: { size: code, used: 1 } } });
    const samples = [at(8, 40), at(8, 41), {}, at(16, 44), at(32, 45), at(32, 46)];
    // Thirds of the five samples with spaces: [8, 40] first, [32, 46] last; code_space never moved.
    expect(heapSpaceGrowth(samples)).toEqual([
      { space: 'new_space', first: 8, last: 32 },
      { space: 'old_space', first: 40, last: 46 },
    ]);
    expect(heapSpaceGrowth([{}, {}, {}])).toEqual([]);
  });
});

describe('thirds and growthPercent', () => {
  it('compares the mean of the last third with the mean of the first', () => {
    expect(thirds([1, 2, 3, 4, 5, 6])).toEqual({ first: [1, 2], last: [5, 6] });
    expect(thirds([1, 2])).toEqual({ first: [1], last: [2] });
    expect(thirds([7])).toBeUndefined();
    expect(growthPercent([100, 101, 99, 100, 104, 106])).toBeCloseTo(((105 - 100.5) / 100.5) * 100, 6);
    expect(growthPercent([200, 150, 100])).toBe(-50);
  });

  it('has no growth to report without two samples or from zero', () => {
    expect(growthPercent([])).toBeUndefined();
    expect(growthPercent([5])).toBeUndefined();
    expect(growthPercent([0, 0, 3])).toBeUndefined();
  });
});

describe('judgeStore', () => {
  it('passes a store within its own bound, however it moved', () => {
    expect(judgeStore({ name: 'journal.entries', values: [100, 5000, 10_000], bound: 10_000 })).toMatchObject({ bounded: true, why: 'within its bound (10000)', max: 10_000 });
  });

  it('passes a store that levels off, and one whose small count moves by a few', () => {
    expect(judgeStore({ name: 'pbx.absorbers', values: [900, 1000, 1100, 950, 1050, 1000] })).toMatchObject({ bounded: true, why: 'levelled off' });
    expect(judgeStore({ name: 'pbx.serverTransactions', values: [0, 2, 1, 0, 5, 8] })).toMatchObject({ bounded: true });
  });

  it('fails a store that keeps growing, and one over its bound, saying so', () => {
    const growing = judgeStore({ name: 'calls.records', values: [100, 200, 300, 400, 500, 600] });
    expect(growing).toMatchObject({ bounded: false, first: 150, last: 550 });
    expect(growing.why).toBe('still growing: 150 → 550 (first third → last third)');
    expect(judgeStore({ name: 'softphones.recordings', values: [10, 40, 80], bound: 50 }).bounded).toBe(false);
  });
});
