import { describe, expect, it } from 'vitest';
import { goertzel } from './goertzel.js';
import { rmsDbfs } from './rmsDbfs.js';
import { DTMF_FREQUENCIES, concatPcm, dtmfTone, multiTone, silence, sine } from './tones.js';

describe('tone generators', () => {
  it('makes a sine of the asked length, amplitude and frequency', () => {
    const tone = sine(1000, { amplitude: 0.5, durationMs: 250 });
    expect(tone.length).toBe(2000);
    expect(Math.max(...tone)).toBeGreaterThan(16000);
    expect(Math.max(...tone)).toBeLessThanOrEqual(16384);
    expect(goertzel(tone, 1000)).toBeCloseTo(0.5, 2);
    expect(goertzel(tone, 1300)).toBeLessThan(0.005);
    expect(rmsDbfs(tone)).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
  });

  it('sums the frequencies of a multi-tone, each at the given amplitude', () => {
    const ringback = multiTone([440, 480], { amplitude: 0.25, durationMs: 500 });
    expect(goertzel(ringback, 440)).toBeCloseTo(0.25, 2);
    expect(goertzel(ringback, 480)).toBeCloseTo(0.25, 2);
    expect(goertzel(ringback, 620)).toBeLessThan(0.005);
  });

  it('clips instead of wrapping when tones add past full scale', () => {
    const loud = multiTone([500, 500], { amplitude: 0.9, durationMs: 20 });
    expect(Math.max(...loud)).toBe(32767);
    expect(Math.min(...loud)).toBe(-32768);
  });

  it('makes DTMF pairs for every digit, lower-case letters included', () => {
    for (const [digit, [low, high]] of Object.entries(DTMF_FREQUENCIES)) {
      const tone = dtmfTone(digit.toLowerCase(), { durationMs: 100 });
      expect(goertzel(tone, low)).toBeGreaterThan(0.25);
      expect(goertzel(tone, high)).toBeGreaterThan(0.25);
    }
    expect(() => dtmfTone('x', { durationMs: 100 })).toThrow(RangeError);
  });

  it('makes silence and joins buffers end to end', () => {
    const joined = concatPcm([sine(1000, { durationMs: 10 }), silence(20)]);
    expect(joined.length).toBe(240);
    expect(joined.subarray(80).every((s) => s === 0)).toBe(true);
    expect(rmsDbfs(silence(20))).toBe(-Infinity);
  });
});

describe('goertzel', () => {
  it('tells tones 40 Hz apart in 100 ms of audio', () => {
    const tone = sine(620, { amplitude: 0.5, durationMs: 100 });
    expect(goertzel(tone, 620)).toBeGreaterThan(0.45);
    expect(goertzel(tone, 660)).toBeLessThan(0.05);
  });

  it('reads nothing in silence or an empty buffer', () => {
    expect(goertzel(silence(100), 1000)).toBe(0);
    expect(goertzel(new Int16Array(0), 1000)).toBe(0);
  });
});
