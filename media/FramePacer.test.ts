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

describe('FramePacer on a shared clock', () => {
  it('pacers on one clock share one timer and send in the order they started, each on its own grid', () => {
    const clock = new FakeMediaClock();
    const sent: string[] = [];
    const a = new FramePacer(clock, (n) => sent.push(`a${n}@${clock.now()}`));
    const b = new FramePacer(clock, (n) => sent.push(`b${n}@${clock.now()}`));
    const c = new FramePacer(clock, (n) => sent.push(`c${n}@${clock.now()}`));
    a.start();
    clock.advance(5);
    b.start();
    c.start();
    expect(clock.pending).toBe(1);
    clock.advance(40);
    expect(sent).toEqual(['a0@0', 'b0@5', 'c0@5', 'a1@20', 'b1@25', 'c1@25', 'a2@40', 'b2@45', 'c2@45']);
    a.stop();
    b.stop();
    expect(clock.pending).toBe(1);
    c.stop();
    expect(clock.pending).toBe(0);
  });

  it("sends a frame due within the clock's timer resolution with the wake-up instead of waking again", () => {
    const inner = new FakeMediaClock();
    let timers = 0;
    const clock = { now: () => inner.now(), setTimeout: (cb: () => void, ms: number) => (timers++, inner.setTimeout(cb, ms)), clearTimeout: (h: unknown) => inner.clearTimeout(h), resolutionMs: 1 };
    const sent: Array<[string, number]> = [];
    const a = new FramePacer(clock, (n) => sent.push([`a${n}`, inner.now()]));
    const b = new FramePacer(clock, (n) => sent.push([`b${n}`, inner.now()]));
    a.start();
    inner.advance(0.6);
    b.start();
    inner.advance(20);
    // b1 was due at 20.6: within 1 ms of a1's wake-up at 20, so it went with it.
    expect(sent).toEqual([['a0', 0], ['b0', 0.6], ['a1', 20], ['b1', 20]]);
    expect(timers).toBe(2);
    a.stop();
    b.stop();
  });

  it("a pacer stopped from inside another's frame is not sent again, and one started there joins the schedule", () => {
    const clock = new FakeMediaClock();
    const sent: string[] = [];
    let late: FramePacer | undefined;
    const b = new FramePacer(clock, (n) => sent.push(`b${n}`));
    const a = new FramePacer(clock, (n) => {
      sent.push(`a${n}`);
      if (n === 1) {
        b.stop();
        late = new FramePacer(clock, (k) => sent.push(`l${k}`));
        late.start();
      }
    });
    a.start();
    b.start();
    clock.advance(40);
    expect(sent).toEqual(['a0', 'b0', 'a1', 'l0', 'a2', 'l1']);
    a.stop();
    late!.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('FramePacer on a clock that spreads phases', () => {
  it('starts each pacer in the least-used millisecond of the period, so 40 streams started together send 2 a millisecond, each on its own grid', () => {
    const inner = new FakeMediaClock();
    const clock = { now: () => inner.now(), setTimeout: (cb: () => void, ms: number) => inner.setTimeout(cb, ms), clearTimeout: (h: unknown) => inner.clearTimeout(h), spreadPhases: true };
    const sent: Array<[number, number, number]> = [];
    const pacers = Array.from({ length: 40 }, (_, i) => new FramePacer(clock, (n) => sent.push([i, n, inner.now()])));
    for (const pacer of pacers) pacer.start();
    // The first starts at once, as on any clock, and the 21st, in the same millisecond as the first (then as used as any); the others wait, each under one frame.
    expect(sent).toEqual([
      [0, 0, 0],
      [20, 0, 0],
    ]);
    inner.advance(100);
    const firstAt = pacers.map((_, i) => sent.find(([p, n]) => p === i && n === 0)![2]);
    expect(Math.max(...firstAt)).toBeLessThan(20);
    const perMillisecond = new Map<number, number>();
    for (const at of firstAt) perMillisecond.set(Math.floor(at), (perMillisecond.get(Math.floor(at)) ?? 0) + 1);
    expect([...perMillisecond.values()]).toEqual(new Array(20).fill(2));
    // Each keeps its grid: frame n at its start + n × 20 ms.
    for (const [i, n, at] of sent) expect(at).toBeCloseTo(firstAt[i]! + n * 20, 6);
    pacers.forEach((p) => p.stop());
    expect(inner.pending).toBe(0);
  });

  it('a pacer starting alone, or on a clock that does not spread, sends frame 0 at once', () => {
    const inner = new FakeMediaClock();
    const spreading = { now: () => inner.now(), setTimeout: (cb: () => void, ms: number) => inner.setTimeout(cb, ms), clearTimeout: (h: unknown) => inner.clearTimeout(h), spreadPhases: true };
    const sent: string[] = [];
    const alone = new FramePacer(spreading, (n) => sent.push(`alone${n}`));
    alone.start();
    alone.stop();
    const a = new FramePacer(inner, (n) => sent.push(`a${n}`));
    const b = new FramePacer(inner, (n) => sent.push(`b${n}`));
    a.start();
    b.start();
    expect(sent).toEqual(['alone0', 'a0', 'b0']);
    a.stop();
    b.stop();
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
