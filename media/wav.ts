import { readFile, writeFile } from 'node:fs/promises';
import wavefile from 'wavefile';
import { fail, ok, type Result } from './errors.js';
import { resample } from './resample.js';
import { SAMPLE_RATE } from './tones.js';

/** What `readWav` found in the file, before conversion to 8 kHz mono 16-bit. */
export interface WavSourceFormat {
  /** WAVE format tag: 1 integer PCM, 3 float, 6 A-law, 7 μ-law, 17 IMA ADPCM, 65534 extensible. */
  readonly audioFormat: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
}

export interface DecodedWav {
  /** 16-bit mono at 8 kHz, channels averaged. */
  readonly samples: Int16Array;
  readonly source: WavSourceFormat;
}

interface FmtChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Encodes 16-bit mono PCM (8 kHz unless told otherwise) as a RIFF/WAVE file. */
export function writeWav(samples: Int16Array, sampleRate = SAMPLE_RATE): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  return wav.toBuffer();
}

/**
 * Reads a WAV file of any PCM flavour (8/16/24/32-bit integer, 32/64-bit float, A-law, μ-law,
 * IMA ADPCM; any rate; any channel count) and converts it to what RTP needs: 8 kHz mono 16-bit.
 */
export function readWav(bytes: Uint8Array): Result<DecodedWav> {
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (error) {
    return fail('wav-unreadable', error instanceof Error ? error.message : String(error));
  }
  const fmt = wav.fmt as FmtChunk;
  const source: WavSourceFormat = {
    audioFormat: fmt.audioFormat,
    sampleRate: fmt.sampleRate,
    channels: fmt.numChannels,
    bitsPerSample: fmt.bitsPerSample,
  };
  if (source.channels < 1 || source.sampleRate < 1) {
    return fail('wav-unreadable', `${source.channels} channels at ${source.sampleRate} Hz`);
  }
  try {
    if (fmt.audioFormat === 6) wav.fromALaw();
    else if (fmt.audioFormat === 7) wav.fromMuLaw();
    else if (fmt.audioFormat === 17) wav.fromIMAADPCM();
    else if (![1, 3, 65534].includes(fmt.audioFormat)) {
      return fail('wav-unsupported-format', `format tag ${fmt.audioFormat}`);
    }
    wav.toBitDepth('32f');
  } catch (error) {
    return fail('wav-unsupported-format', error instanceof Error ? error.message : String(error));
  }
  const raw = wav.getSamples(false, Float64Array) as Float64Array | Float64Array[];
  const channels = Array.isArray(raw) ? raw : [raw];
  const frames = channels[0]?.length ?? 0;
  const mono = new Float64Array(frames);
  for (const channel of channels) for (let i = 0; i < frames; i++) mono[i]! += channel[i]! / channels.length;
  const resampled = resample(mono, source.sampleRate, SAMPLE_RATE);
  const samples = new Int16Array(resampled.length);
  for (let i = 0; i < resampled.length; i++) {
    samples[i] = Math.max(-32768, Math.min(32767, Math.round(resampled[i]! * 32768)));
  }
  return ok({ samples, source });
}

/** Reads and converts a WAV file; a missing or unreadable file is an error value. */
export async function readWavFile(path: string): Promise<Result<DecodedWav>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return fail('wav-unreadable', `${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return readWav(bytes);
}

/** Writes 16-bit mono PCM as a WAV file; file-system errors reject as they come from `fs`. */
export async function writeWavFile(path: string, samples: Int16Array, sampleRate = SAMPLE_RATE): Promise<void> {
  await writeFile(path, writeWav(samples, sampleRate));
}
