import { goertzel } from './goertzel.js';
import { rmsDbfs } from './rmsDbfs.js';
import { SAMPLE_RATE, concatPcm, multiTone, silence } from './tones.js';

export type PromptName = 'greeting' | 'initialSpeech' | 'response' | 'transferring' | 'transferFailed' | 'noAgents';

/**
 * The pitches that identify each prompt. No two prompts share one, and each is at least 25 Hz
 * from the others and from the DTMF, dial-tone and ringback frequencies (350, 440, 697-1633 Hz),
 * so Goertzel over 100 ms windows (20 Hz resolution) can tell which prompt a caller heard.
 * noAgents is the busy tone (480 + 620 Hz), which is what a caller expects to hear.
 */
export const PROMPT_FREQUENCIES: Readonly<Record<PromptName, readonly number[]>> = {
  greeting: [660, 880],
  initialSpeech: [392, 1050],
  response: [523],
  transferring: [587, 740, 988],
  transferFailed: [311],
  noAgents: [480, 620],
};

const RAMP_MS = 5;

/** A tone with 5 ms fades, so that beeps do not click. */
function beep(frequencies: readonly number[], durationMs: number): Int16Array {
  const tone = multiTone(frequencies, { durationMs, amplitude: frequencies.length > 1 ? 0.2 : 0.3 });
  const ramp = (RAMP_MS * SAMPLE_RATE) / 1000;
  for (let i = 0; i < ramp && i < tone.length; i++) {
    tone[i] = Math.round((tone[i]! * i) / ramp);
    tone[tone.length - 1 - i] = Math.round((tone[tone.length - 1 - i]! * i) / ramp);
  }
  return tone;
}

function repeat(times: number, parts: readonly Int16Array[]): Int16Array[] {
  return Array.from({ length: times }, () => parts).flat();
}

/**
 * The agent's audio, made at run time as 8 kHz 16-bit mono PCM: distinct tone patterns a listener
 * (human or `identifyPrompts`) can tell apart.
 */
const generators: Readonly<Record<PromptName, () => Int16Array>> = {
  /** Three short 660 Hz beeps, then a long 880 Hz tone (1.15 s). */
  greeting: () => concatPcm([...repeat(3, [beep([660], 150), silence(100)]), beep([880], 400)]),
  /** An outbound call's first words (`initialSpeech`): a 392 Hz tone, then two 1050 Hz beeps (0.9 s). */
  initialSpeech: () => concatPcm([beep([392], 300), silence(100), beep([1050], 200), silence(100), beep([1050], 200)]),
  /** Two 523 Hz beeps (0.5 s). */
  response: () => concatPcm([beep([523], 200), silence(100), beep([523], 200)]),
  /** A rising 587 / 740 / 988 Hz arpeggio (0.7 s). */
  transferring: () => concatPcm([beep([587], 200), silence(50), beep([740], 200), silence(50), beep([988], 200)]),
  /** Two low 311 Hz tones (0.75 s). */
  transferFailed: () => concatPcm([beep([311], 300), silence(150), beep([311], 300)]),
  /** Busy tone, 480 + 620 Hz, 0.5 s on / 0.5 s off, twice (2 s). */
  noAgents: () => concatPcm(repeat(2, [beep([480, 620], 500), silence(500)])),
};

const cache = new Map<PromptName, Int16Array>();

/**
 * The prompts' audio, generated once and shared: a server answering hundreds of calls plays the
 * same greeting each time. Callers get the same array and must not modify it.
 */
export const prompts: Readonly<Record<PromptName, () => Int16Array>> = Object.fromEntries(
  (Object.keys(generators) as PromptName[]).map((name) => [
    name,
    () => {
      let pcm = cache.get(name);
      if (!pcm) {
        pcm = generators[name]();
        cache.set(name, pcm);
      }
      return pcm;
    },
  ]),
) as Record<PromptName, () => Int16Array>;

const WINDOW_MS = 100;
const HOP_MS = 50;
/** Below this a window is treated as silence, whatever its spectrum. */
const FLOOR_DBFS = -45;
/** A frequency is present when it carries this share of the window's peak level. */
const SHARE = 0.4;
/** ...in at least this many windows, so that one noisy window proves nothing. */
const MIN_WINDOWS = 2;

/**
 * Which prompts `recording` contains, in the order they start. A prompt counts as heard when every
 * one of its frequencies dominates at least two 100 ms windows somewhere in the recording; a
 * recording that went through G.711, packet loss of a few frames or a quieter line still matches.
 *
 * @example expect(identifyPrompts(callerRecording)).toEqual(['greeting'])
 */
export function identifyPrompts(recording: Int16Array): PromptName[] {
  const window = (WINDOW_MS * SAMPLE_RATE) / 1000;
  const hop = (HOP_MS * SAMPLE_RATE) / 1000;
  const firstSeen = new Map<number, number>();
  const windowsSeen = new Map<number, number>();
  const frequencies = [...new Set(Object.values(PROMPT_FREQUENCIES).flat())];
  for (let start = 0; start + window <= recording.length; start += hop) {
    const slice = recording.subarray(start, start + window);
    const db = rmsDbfs(slice);
    if (db < FLOOR_DBFS) continue;
    const peak = Math.SQRT2 * 10 ** (db / 20);
    for (const f of frequencies) {
      if (goertzel(slice, f) < SHARE * peak) continue;
      windowsSeen.set(f, (windowsSeen.get(f) ?? 0) + 1);
      if (!firstSeen.has(f)) firstSeen.set(f, start);
    }
  }
  const heard: Array<[PromptName, number]> = [];
  for (const [name, freqs] of Object.entries(PROMPT_FREQUENCIES) as Array<[PromptName, readonly number[]]>) {
    if (freqs.every((f) => (windowsSeen.get(f) ?? 0) >= MIN_WINDOWS)) {
      heard.push([name, Math.min(...freqs.map((f) => firstSeen.get(f)!))]);
    }
  }
  return heard.sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

/** True when `recording` contains the prompt `name` (see `identifyPrompts`). */
export function promptHeard(recording: Int16Array, name: PromptName): boolean {
  return identifyPrompts(recording).includes(name);
}
