import { describe, expect, it } from 'vitest';
import { takePcmFrame } from './pcmFrames.js';

describe('takePcmFrame', () => {
  it('hands out frames that never overlap, so a kept frame keeps its samples', () => {
    // Enough frames to cross several slabs.
    const kept = Array.from({ length: 500 }, (_, i) => {
      const frame = takePcmFrame(160);
      frame.fill(i);
      return frame;
    });
    kept.forEach((frame, i) => {
      expect(frame.length).toBe(160);
      expect(frame.every((sample) => sample === i)).toBe(true);
    });
  });

  it('gives a frame too big for a slab an array of its own', () => {
    const big = takePcmFrame(48_000);
    expect(big.length).toBe(48_000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(96_000);
  });
});
