import { goertzel, identifyPrompts, rmsDbfs, type PromptName } from '../../media/index.js';
import type { AudioMatch } from './steps.js';

const SAMPLE_RATE = 8000;
const WINDOW = 800; // 100 ms
/** Quieter than this, over the whole recording, is silence: G.711 silence is far below. */
const SILENCE_DBFS = -50;
/** A tone counts as heard when it is this share of the window's level in two windows. */
const TONE_SHARE = 0.5;

/** What a recording holds: the prompts it contains, whether it is silent, and a tone check. */
export function describeRecording(samples: Int16Array): { prompts: PromptName[]; levelDbfs: number; seconds: number } {
  return { prompts: identifyPrompts(samples), levelDbfs: Math.round(rmsDbfs(samples) * 10) / 10, seconds: Math.round((samples.length / SAMPLE_RATE) * 100) / 100 };
}

/** Whether `samples` hold what `match` names: a prompt, silence, any sound, or a tone of that frequency. */
export function audioMatches(samples: Int16Array, match: AudioMatch): boolean {
  if (match === 'silence') return rmsDbfs(samples) < SILENCE_DBFS;
  if (match === 'sound') return rmsDbfs(samples) >= SILENCE_DBFS;
  if (typeof match === 'object') return toneWindows(samples, match.tone) >= 2;
  return identifyPrompts(samples).includes(match);
}

/** How many 100 ms windows the tone dominates. */
function toneWindows(samples: Int16Array, frequency: number): number {
  let count = 0;
  for (let start = 0; start + WINDOW <= samples.length; start += WINDOW / 2) {
    const slice = samples.subarray(start, start + WINDOW);
    const db = rmsDbfs(slice);
    if (db < SILENCE_DBFS) continue;
    const peak = Math.SQRT2 * 10 ** (db / 20);
    if (goertzel(slice, frequency) >= TONE_SHARE * peak) count++;
  }
  return count;
}

export function describeMatch(match: AudioMatch): string {
  return typeof match === 'object' ? `a ${match.tone} Hz tone` : match === 'silence' || match === 'sound' ? match : `the ${match} prompt`;
}
