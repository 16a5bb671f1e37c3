import { describe, expect, it } from 'vitest';
import { FakeMediaClock } from './FakeMediaClock.js';
import { FramePacer } from './FramePacer.js';
import { FRAME_SAMPLES, framesOf, pcmFrames } from './frameSource.js';

describe('FramePacer', () => {
  it('sends frame n at start + n × 20 ms', () => {
    const clock = new FakeMediaClock();
    const sent: Array<[number, number]> = [];
    const pacer = new FramePacer(clock, (n) => sent.push([n, clock.now()]));
    clock.advance(1000);
    pacer.start();
    clock.advance(100);
    expect(sent).toEqual([[0, 1000], [1, 1020], [2, 1040], [3, 1060], [4, 1080], [5, 1100]]);
  });

  it('does not drift when every timer fires late', () => {
    // Each timer fires 7 ms late. Chained setTimeout(20) would send 3600 frames in 97 s, not 72.
    const clock = new FakeMediaClock(7);
    const sent: number[] = [];
    const pacer = new FramePacer(clock, () => sent.push(clock.now()));
    pacer.start();
    clock.advance(72_000);
    expect(sent.length).toBe(3600);
    sent.forEach((at, n) => expect(at - n * 20).toBeLessThanOrEqual(7));
  });

  it('catches up after a short stall and skips what is too old after a long one', () => {
    const clock = new FakeMediaClock();
    const sent: number[] = [];
    const pacer = new FramePacer(clock, (n) => sent.push(n), 20, 10);
    pacer.start();
    clock.stall(100); // frames 1..5 are due
    clock.advance(0);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5]);
    clock.stall(1000); // frames 6..55 are due; only the last 10 are worth sending
    clock.advance(0);
    expect(sent.slice(6)).toEqual([46, 47, 48, 49, 50, 51, 52, 53, 54, 55]);
    expect(pacer.skipped).toBe(40);
  });

  it('stops sending when stopped and leaves no timer behind', () => {
    const clock = new FakeMediaClock();
    let count = 0;
    const pacer = new FramePacer(clock, () => count++);
    pacer.start();
    clock.advance(40);
    pacer.stop();
    clock.advance(1000);
    expect(count).toBe(3);
    expect(clock.pending).toBe(0);
    expect(pacer.running).toBe(false);
  });
});

describe('frame sources', () => {
  it('cuts PCM into 160-sample frames and pads the last with silence', () => {
    const pcm = Int16Array.from({ length: 400 }, (_, i) => i + 1);
    const frames = [...pcmFrames(pcm)];
    expect(frames.map((f) => f.length)).toEqual([FRAME_SAMPLES, FRAME_SAMPLES, FRAME_SAMPLES]);
    expect(frames[2]![79]).toBe(400);
    expect(frames[2]![80]).toBe(0);
  });

  it('takes a buffer or any iterable of frames', () => {
    const frame = new Int16Array(FRAME_SAMPLES).fill(3);
    const fromIterable = framesOf([frame, frame]);
    expect([fromIterable.next().value, fromIterable.next().value, fromIterable.next().done]).toEqual([frame, frame, true]);
    expect(framesOf(new Int16Array(320)).next().value).toHaveLength(FRAME_SAMPLES);
  });
});
