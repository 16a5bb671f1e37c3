import { describe, expect, it } from 'vitest';
import { PCMA, PCMU } from './g711.js';
import { concatPcm, silence, sine } from './tones.js';
import { VoiceActivityDetector, thresholdToDbfs, type TurnDetection, type VadEvent } from './VoiceActivityDetector.js';

/** Feeds `pcm` in 20 ms frames stamped from `startMs`. */
function run(turnDetection: TurnDetection, pcm: Int16Array, startMs = 0): VadEvent[] {
  const vad = new VoiceActivityDetector(turnDetection);
  const events: VadEvent[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) events.push(...vad.process(pcm.subarray(i, i + 160), startMs + i / 8));
  return events;
}

// amplitude 0.3 → -13.5 dBFS RMS; amplitude 0.01 → -43 dBFS (a quiet line).
const loud = (ms: number) => sine(300, { amplitude: 0.3, durationMs: ms });
const quiet = (ms: number) => sine(300, { amplitude: 0.01, durationMs: ms });

describe('thresholdToDbfs', () => {
  it('is linear in dB from -70 dBFS at 0 to -10 dBFS at 1, clamped', () => {
    expect(thresholdToDbfs(0)).toBe(-70);
    expect(thresholdToDbfs(0.5)).toBe(-40);
    expect(thresholdToDbfs(0.9)).toBeCloseTo(-16, 10);
    expect(thresholdToDbfs(1)).toBe(-10);
    expect(thresholdToDbfs(-3)).toBe(-70);
    expect(thresholdToDbfs(7)).toBe(-10);
  });
});

describe('VoiceActivityDetector', () => {
  const settings = { threshold: 0.9, prefix_padding_ms: 100, silence_duration_ms: 500 };

  it('fires speech-start at the first voiced frame and speech-end exactly silence_duration_ms after the burst', () => {
    const events = run(settings, concatPcm([silence(200), loud(1000), silence(1500)]), 10_000);
    expect(events).toEqual([
      { type: 'speech-start', atMs: 10_100, detectedAtMs: 10_220 },
      { type: 'speech-end', atMs: 11_200, detectedAtMs: 11_700, speechStartMs: 10_100 },
    ]);
  });

  it('gives the same events for encoded frames (processPayload) as for the same frames decoded', () => {
    const pcm = concatPcm([silence(200), loud(400), silence(700), quiet(300), loud(200), silence(600)]);
    for (const codec of [PCMU, PCMA]) {
      const encoded = codec.encode(pcm);
      const decodedVad = new VoiceActivityDetector(settings);
      const encodedVad = new VoiceActivityDetector(settings);
      const fromDecoded: VadEvent[] = [];
      const fromEncoded: VadEvent[] = [];
      for (let i = 0; i + 160 <= encoded.length; i += 160) {
        fromDecoded.push(...decodedVad.process(codec.decode(encoded.subarray(i, i + 160)), i / 8));
        fromEncoded.push(...encodedVad.processPayload(encoded.subarray(i, i + 160), codec, i / 8));
      }
      expect(fromDecoded.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end']);
      expect(fromEncoded).toEqual(fromDecoded);
    }
  });

  it('does not pad speech-start back past the first frame it was fed', () => {
    const events = run({ ...settings, prefix_padding_ms: 400 }, concatPcm([silence(100), loud(200), silence(600)]), 5000);
    expect(events[0]).toEqual({ type: 'speech-start', atMs: 5000, detectedAtMs: 5120 });
  });

  it('keeps the turn open across pauses shorter than silence_duration_ms', () => {
    const events = run(settings, concatPcm([loud(300), silence(480), loud(300), silence(600)]));
    expect(events.map((e) => [e.type, e.atMs, e.detectedAtMs])).toEqual([
      ['speech-start', 0, 20],
      ['speech-end', 1080, 1580],
    ]);
  });

  it('rounds a silence duration that is not a whole number of frames up to the next frame', () => {
    const events = run({ ...settings, silence_duration_ms: 510 }, concatPcm([loud(100), silence(800)]));
    expect(events[1]).toMatchObject({ type: 'speech-end', atMs: 100, detectedAtMs: 620 });
  });

  it('ignores audio below the threshold and hears it once the threshold is lowered', () => {
    const pcm = concatPcm([quiet(500), silence(600)]);
    expect(run({ ...settings, threshold: 0.9 }, pcm)).toEqual([]);
    expect(run({ ...settings, threshold: 0.3 }, pcm).map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
  });

  it('counts frames missing from the timestamps (lost packets) as silence', () => {
    const vad = new VoiceActivityDetector(settings);
    const frame = loud(20);
    expect(vad.process(frame, 0).map((e) => e.type)).toEqual(['speech-start']);
    expect(vad.speaking).toBe(true);
    expect(vad.process(silence(20), 600)).toEqual([{ type: 'speech-end', atMs: 20, detectedAtMs: 620, speechStartMs: 0 }]);
    expect(vad.speaking).toBe(false);
  });

  it('is deterministic: the same input gives the same events', () => {
    const pcm = concatPcm([loud(140), silence(300), quiet(200), loud(60), silence(900), loud(40), silence(600)]);
    const first = run(settings, pcm);
    expect(first.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end', 'speech-start', 'speech-end']);
    expect(run(settings, pcm)).toEqual(first);
  });

  it('uses the documented defaults (0.5 → -40 dBFS, 300 ms, 500 ms)', () => {
    const vad = new VoiceActivityDetector();
    expect([vad.thresholdDbfs, vad.prefixPaddingMs, vad.silenceDurationMs]).toEqual([-40, 300, 500]);
  });

  it('forgets speech in progress on reset', () => {
    const vad = new VoiceActivityDetector(settings);
    vad.process(loud(20), 0);
    vad.reset();
    expect(vad.speaking).toBe(false);
    expect(vad.process(silence(20), 2000)).toEqual([]);
  });
});
