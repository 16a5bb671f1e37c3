import { readWavFile, sine } from '../media/index.js';

/** Audio to play in a call, with a label for the call's log. */
export interface LoadedAudio {
  pcm: Int16Array;
  /** `tone 440 Hz, 800 ms` or `greeting.wav (3.2 s)`. */
  label: string;
}

/**
 * Parses `440:800` (frequency in Hz, duration in ms) into a tone spec; an error value names what
 * is wrong with it.
 */
export function parseTone(spec: string): { ok: true; frequency: number; durationMs: number } | { ok: false; message: string } {
  const match = /^(\d+(?:\.\d+)?):(\d+)$/.exec(spec.trim());
  const frequency = Number(match?.[1]);
  const durationMs = Number(match?.[2]);
  if (match === null || !(frequency > 0 && frequency < 4000) || !(durationMs > 0 && durationMs <= 600_000)) {
    return { ok: false, message: `a tone is <frequency Hz>:<duration ms> with 0 < frequency < 4000 and 0 < duration <= 600000, e.g. 440:800; got '${spec}'` };
  }
  return { ok: true, frequency, durationMs };
}

/** The audio a command plays: a tone (`--tone 440:800`) or a WAV file of any PCM flavour (`--play file.wav`), or nothing. */
export async function loadAudio(source: { tone?: string; play?: string }): Promise<{ ok: true; audio: LoadedAudio | undefined } | { ok: false; message: string }> {
  if (source.tone !== undefined) {
    const tone = parseTone(source.tone);
    if (!tone.ok) return tone;
    return { ok: true, audio: { pcm: sine(tone.frequency, { durationMs: tone.durationMs, amplitude: 0.3 }), label: `tone ${tone.frequency} Hz, ${tone.durationMs} ms` } };
  }
  if (source.play !== undefined) {
    const wav = await readWavFile(source.play);
    if (!wav.ok) return { ok: false, message: wav.error.message };
    return { ok: true, audio: { pcm: wav.value.samples, label: `${source.play} (${(wav.value.samples.length / 8000).toFixed(1)} s)` } };
  }
  return { ok: true, audio: undefined };
}
