import { describe, expect, it } from 'vitest';
import { CallRecorder } from './CallRecorder.js';

const frame = (value: number) => new Int16Array(160).fill(value);

describe('CallRecorder', () => {
  it('places frames by RTP timestamp: a lost frame stays silence, a late one goes back in its place', () => {
    const recorder = new CallRecorder();
    recorder.start(1000);
    recorder.write(frame(1), { ssrc: 7, timestamp: 5000, arrivalMs: 1000 });
    recorder.write(frame(3), { ssrc: 7, timestamp: 5320, arrivalMs: 1040 });
    recorder.write(frame(2), { ssrc: 7, timestamp: 5160, arrivalMs: 1045 });
    recorder.write(frame(5), { ssrc: 7, timestamp: 5640, arrivalMs: 1080 });
    const pcm = recorder.recording();
    expect(pcm.length).toBe(800);
    expect([pcm[0], pcm[160], pcm[320], pcm[480], pcm[640], pcm[799]]).toEqual([1, 2, 3, 0, 5, 5]);
    expect(recorder.durationMs).toBe(100);
  });

  it('starts the time line at the answer: audio arriving 100 ms later begins after 100 ms of silence', () => {
    const recorder = new CallRecorder();
    recorder.start(500);
    recorder.write(frame(9), { ssrc: 1, timestamp: 0, arrivalMs: 600 });
    const pcm = recorder.recording();
    expect(pcm.length).toBe(800 + 160);
    expect(pcm.subarray(0, 800).every((s) => s === 0)).toBe(true);
    expect(pcm[800]).toBe(9);
  });

  it('survives the 32-bit timestamp wrap and places a new SSRC by its arrival time', () => {
    const recorder = new CallRecorder();
    recorder.write(frame(1), { ssrc: 1, timestamp: 0xffffff60, arrivalMs: 0 });
    recorder.write(frame(2), { ssrc: 1, timestamp: 0, arrivalMs: 20 });
    recorder.write(frame(3), { ssrc: 2, timestamp: 123456, arrivalMs: 100 });
    recorder.write(frame(4), { ssrc: 2, timestamp: 123616, arrivalMs: 120 });
    const pcm = recorder.recording();
    expect([pcm[0], pcm[160], pcm[400], pcm[800], pcm[960]]).toEqual([1, 2, 0, 3, 4]);
  });

  it('re-anchors a stream whose timestamps jump far from its arrival times (a restarted sender)', () => {
    const recorder = new CallRecorder();
    recorder.write(frame(1), { ssrc: 1, timestamp: 1000, arrivalMs: 0 });
    recorder.write(frame(2), { ssrc: 1, timestamp: 1000 + 8000 * 3600, arrivalMs: 20 });
    expect(recorder.recording().length).toBe(320);
    expect(recorder.recording()[160]).toBe(2);
  });

  it('grows past its initial buffer and returns a copy', () => {
    const recorder = new CallRecorder();
    for (let i = 0; i < 500; i++) recorder.write(frame(i % 100), { ssrc: 1, timestamp: i * 160, arrivalMs: i * 20 });
    const pcm = recorder.recording();
    expect(pcm.length).toBe(80_000);
    expect(pcm[79_999]).toBe(99);
    pcm[0] = 1234;
    expect(recorder.recording()[0]).toBe(0);
  });
});
