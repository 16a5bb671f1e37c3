import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { goertzel } from './goertzel.js';
import { resample } from './resample.js';
import { sine } from './tones.js';
import { readWav, readWavFile, writeWav, writeWavFile } from './wav.js';

function sineFloat(frequency: number, rate: number, seconds: number, amplitude: number): Float64Array {
  return Float64Array.from({ length: Math.round(rate * seconds) }, (_, n) => amplitude * Math.sin((2 * Math.PI * frequency * n) / rate));
}

function toInt16(samples: ArrayLike<number>, scale = 32767): Int16Array {
  return Int16Array.from(samples, (x) => Math.round(x * scale));
}

function fromScratch(channels: number, rate: number, bitDepth: string, samples: ArrayLike<number>[] | ArrayLike<number>): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, rate, bitDepth, samples);
  return wav.toBuffer();
}

describe('resample (windowed sinc)', () => {
  it('keeps an in-band tone at its frequency and level, 48 kHz → 8 kHz', () => {
    const out = resample(sineFloat(1000, 48000, 0.5, 0.5), 48000, 8000);
    expect(out.length).toBe(4000);
    expect(goertzel(toInt16(out), 1000)).toBeCloseTo(0.5, 2);
  });

  it('removes content above the new Nyquist frequency instead of folding it into the band', () => {
    // Picking every 6th sample would turn 6 kHz into a full-level 2 kHz tone.
    const out = toInt16(resample(sineFloat(6000, 48000, 0.5, 0.5), 48000, 8000));
    expect(goertzel(out, 2000)).toBeLessThan(0.005);
  });

  it('upsamples 8 kHz → 16 kHz without changing the tone', () => {
    const out = resample(sineFloat(700, 8000, 0.25, 0.5), 8000, 16000);
    expect(out.length).toBe(4000);
    expect(goertzel(toInt16(out), 700, 16000)).toBeCloseTo(0.5, 2);
  });
});

describe('WAV', () => {
  it('writes 8 kHz 16-bit mono PCM that reads back sample for sample', () => {
    const tone = sine(440, { durationMs: 200 });
    const bytes = writeWav(tone);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(22, true)).toBe(1); // channels
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint16(34, true)).toBe(16);
    const read = readWav(bytes);
    expect(read.ok && [...read.value.samples]).toEqual([...tone]);
  });

  it.each([
    ['44.1 kHz stereo 24-bit', () => { const s = sineFloat(1000, 44100, 0.5, 0.5); const c = Int32Array.from(s, (x) => Math.round(x * 8388607)); return fromScratch(2, 44100, '24', [c, c]); }, 44100, 2],
    ['48 kHz mono 32-bit float', () => fromScratch(1, 48000, '32f', sineFloat(1000, 48000, 0.5, 0.5)), 48000, 1],
    ['11.025 kHz mono 8-bit', () => fromScratch(1, 11025, '8', Uint8Array.from(sineFloat(1000, 11025, 0.5, 0.5), (x) => Math.round(128 + x * 127))), 11025, 1],
    ['16 kHz mono 16-bit', () => fromScratch(1, 16000, '16', toInt16(sineFloat(1000, 16000, 0.5, 0.5))), 16000, 1],
  ])('reads %s as 8 kHz mono 16-bit', (_name, make, rate, channels) => {
    const read = readWav(make());
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.source).toMatchObject({ sampleRate: rate, channels });
    expect(read.value.samples.length).toBe(4000);
    expect(goertzel(read.value.samples, 1000)).toBeGreaterThan(0.45);
    expect(goertzel(read.value.samples, 1000)).toBeLessThan(0.55);
  });

  it('averages the channels of a stereo file', () => {
    const left = toInt16(sineFloat(500, 8000, 0.2, 0.4));
    const right = toInt16(sineFloat(1500, 8000, 0.2, 0.4));
    const read = readWav(fromScratch(2, 8000, '16', [left, right]));
    if (!read.ok) throw new Error(read.error.message);
    expect(goertzel(read.value.samples, 500)).toBeCloseTo(0.2, 2);
    expect(goertzel(read.value.samples, 1500)).toBeCloseTo(0.2, 2);
  });

  it('reads μ-law and A-law WAV files', () => {
    for (const convert of ['toMuLaw', 'toALaw'] as const) {
      const wav = new wavefile.WaveFile();
      wav.fromScratch(1, 8000, '16', toInt16(sineFloat(800, 8000, 0.25, 0.5)));
      wav[convert]();
      const read = readWav(wav.toBuffer());
      if (!read.ok) throw new Error(read.error.message);
      expect(read.value.source.audioFormat).toBe(convert === 'toMuLaw' ? 7 : 6);
      expect(goertzel(read.value.samples, 800)).toBeCloseTo(0.5, 1);
    }
  });

  it('returns garbage and unsupported encodings as error values', () => {
    const garbage = readWav(new TextEncoder().encode('this is not a wave file at all'));
    expect(!garbage.ok && garbage.error.code).toBe('wav-unreadable');
    const gsm = writeWav(sine(440, { durationMs: 20 }));
    new DataView(gsm.buffer, gsm.byteOffset).setUint16(20, 49, true); // GSM 6.10
    const unsupported = readWav(gsm);
    expect(!unsupported.ok && unsupported.error.code).toBe('wav-unsupported-format');
  });

  it('writes and reads files, and reports a missing file as a value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omnisip-wav-'));
    try {
      const tone = sine(1000, { durationMs: 100 });
      await writeWavFile(join(dir, 'tone.wav'), tone);
      const read = await readWavFile(join(dir, 'tone.wav'));
      expect(read.ok && [...read.value.samples]).toEqual([...tone]);
      const missing = await readWavFile(join(dir, 'missing.wav'));
      expect(!missing.ok && missing.error.code).toBe('wav-unreadable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
