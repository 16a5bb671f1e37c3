/** Narrow-band telephony: every PCM buffer in omnisip media is 16-bit mono at 8 kHz unless said otherwise. */
export const SAMPLE_RATE = 8000;

export interface ToneOptions {
  /** Peak amplitude per frequency as a fraction of full scale (0..1). Default 0.3 (about -13.5 dBFS). */
  amplitude?: number;
  durationMs: number;
  sampleRate?: number;
}

function sampleCount(durationMs: number, sampleRate: number): number {
  if (!(durationMs >= 0)) throw new RangeError(`omnisip media: duration must be >= 0 ms, got ${durationMs}`);
  return Math.round((durationMs * sampleRate) / 1000);
}

/**
 * The sum of sines at `frequencies`, each at `amplitude`, clipped to 16 bits.
 * @example multiTone([440, 480], { durationMs: 2000 }) // North American ringback
 */
export function multiTone(frequencies: readonly number[], options: ToneOptions): Int16Array {
  const { amplitude = 0.3, durationMs, sampleRate = SAMPLE_RATE } = options;
  const out = new Int16Array(sampleCount(durationMs, sampleRate));
  for (let n = 0; n < out.length; n++) {
    let value = 0;
    for (const f of frequencies) value += Math.sin((2 * Math.PI * f * n) / sampleRate);
    out[n] = Math.max(-32768, Math.min(32767, Math.round(value * amplitude * 32767)));
  }
  return out;
}

export function sine(frequency: number, options: ToneOptions): Int16Array {
  return multiTone([frequency], options);
}

export function silence(durationMs: number, sampleRate = SAMPLE_RATE): Int16Array {
  return new Int16Array(sampleCount(durationMs, sampleRate));
}

/** Joins PCM buffers end to end. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** DTMF row and column frequencies (ITU-T Q.23). */
export const DTMF_FREQUENCIES: Readonly<Record<string, readonly [low: number, high: number]>> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477], A: [697, 1633],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477], B: [770, 1633],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477], C: [852, 1633],
  '*': [941, 1209], '0': [941, 1336], '#': [941, 1477], D: [941, 1633],
};

/** The in-band DTMF tone pair for a digit (0-9, *, #, A-D). */
export function dtmfTone(digit: string, options: ToneOptions): Int16Array {
  const pair = DTMF_FREQUENCIES[digit.toUpperCase()];
  if (!pair) throw new RangeError(`omnisip media: "${digit}" is not a DTMF digit (0-9, *, #, A-D)`);
  return multiTone(pair, options);
}

/** Ringback as heard in North America: 440 + 480 Hz (ITU-T E.180 lists it for the US). */
export const RINGBACK_FREQUENCIES = [440, 480] as const;
