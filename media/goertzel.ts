import { SAMPLE_RATE } from './tones.js';

/**
 * The amplitude, as a fraction of full scale, of the component at `frequency` in `samples`, by the
 * Goertzel algorithm over a Hann window. A full-scale sine at `frequency` reads about 1.0, the same
 * sine at half amplitude about 0.5, and a tone far from `frequency` close to 0. The Hann window
 * keeps a strong neighbouring tone (say 620 Hz next to 660 Hz) from leaking into the reading.
 *
 * The frequency resolution is about 2 × sampleRate / samples.length: use at least 100 ms of audio
 * (800 samples) to tell apart tones 40 Hz apart.
 *
 * @example goertzel(recording, 1000) > 0.1 // the recording holds a 1 kHz tone
 */
export function goertzel(samples: Int16Array, frequency: number, sampleRate = SAMPLE_RATE): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windowSum += w;
    const s0 = w * samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / windowSum / 32768;
}
