import type { G711Codec } from './g711.js';
import { rmsDbfs, sumOfSquaresDbfs } from './rmsDbfs.js';
import { SAMPLE_RATE } from './tones.js';

/**
 * The agent's `turnDetection` settings, named as the OpenAI Realtime API and the Omniagent
 * `providerSettings.turnDetection` object name them.
 */
export interface TurnDetection {
  /** 0..1; higher needs louder speech. Default 0.5. See `thresholdToDbfs`. */
  threshold?: number;
  /** Audio kept before the detected start of speech. Default 300 ms. */
  prefix_padding_ms?: number;
  /** Silence after speech that ends the caller's turn. Default 500 ms. */
  silence_duration_ms?: number;
}

export type VadEvent =
  | {
      readonly type: 'speech-start';
      /** Start of the first voiced frame minus `prefix_padding_ms` (not before the first frame fed). */
      readonly atMs: number;
      /** End of the first voiced frame: when the detector knew. */
      readonly detectedAtMs: number;
    }
  | {
      /** The caller's turn is over: silent for `silence_duration_ms` after speech. */
      readonly type: 'speech-end';
      /** End of the last voiced frame. */
      readonly atMs: number;
      /** `atMs + silence_duration_ms`, rounded up to a frame boundary. */
      readonly detectedAtMs: number;
      /** The matching speech-start's `atMs`. */
      readonly speechStartMs: number;
    };

export const THRESHOLD_0_DBFS = -70;
export const THRESHOLD_1_DBFS = -10;

/**
 * Maps `threshold` (0..1, clamped) to a frame energy threshold, linear in dB:
 * 0 → -70 dBFS (any hiss is speech), 0.5 → -40 dBFS, 0.9 → -16 dBFS, 1 → -10 dBFS (only a shout).
 * dBFS here is the frame RMS relative to full scale, so a full-scale sine reads -3 dBFS.
 */
export function thresholdToDbfs(threshold: number): number {
  const t = Math.min(1, Math.max(0, threshold));
  return THRESHOLD_0_DBFS + t * (THRESHOLD_1_DBFS - THRESHOLD_0_DBFS);
}

/**
 * Energy-based voice-activity detection, frame by frame (normally 20 ms frames as they come off
 * RTP). Pure and deterministic: the caller supplies each frame's timestamp, there are no timers,
 * and the same frames always give the same events.
 *
 * @example
 * const vad = new VoiceActivityDetector({ threshold: 0.9, prefix_padding_ms: 400, silence_duration_ms: 800 });
 * session.on('audio', (pcm, info) => {
 *   for (const event of vad.process(pcm, info.arrivalMs)) if (event.type === 'speech-end') agent.respond();
 * });
 */
/** What most frames cause: shared, so that 50 frames a second per call allocate nothing. */
const NO_EVENTS: readonly VadEvent[] = Object.freeze([]);

export class VoiceActivityDetector {
  readonly thresholdDbfs: number;
  readonly prefixPaddingMs: number;
  readonly silenceDurationMs: number;
  private firstFrameAtMs: number | undefined;
  private speechStartMs: number | undefined;
  private lastVoicedEndMs = 0;

  constructor(turnDetection: TurnDetection = {}, private readonly sampleRate = SAMPLE_RATE) {
    this.thresholdDbfs = thresholdToDbfs(turnDetection.threshold ?? 0.5);
    this.prefixPaddingMs = Math.max(0, turnDetection.prefix_padding_ms ?? 300);
    this.silenceDurationMs = Math.max(0, turnDetection.silence_duration_ms ?? 500);
  }

  /** True between speech-start and speech-end. */
  get speaking(): boolean {
    return this.speechStartMs !== undefined;
  }

  /** Feeds one frame that starts at `atMs`; returns the events it caused (zero or one). */
  process(frame: Int16Array, atMs: number): readonly VadEvent[] {
    return this.processLevel(rmsDbfs(frame), frame.length, atMs);
  }

  /**
   * `process` for a frame still encoded, as it came off RTP: the same events as for the decoded
   * frame, without decoding it (an agent's turn-taking needs only each frame's level).
   */
  processPayload(payload: Uint8Array, codec: G711Codec, atMs: number): readonly VadEvent[] {
    return this.processLevel(sumOfSquaresDbfs(codec.sumOfSquares(payload), payload.length), payload.length, atMs);
  }

  private processLevel(levelDbfs: number, samples: number, atMs: number): readonly VadEvent[] {
    this.firstFrameAtMs ??= atMs;
    const endMs = atMs + (samples * 1000) / this.sampleRate;
    const voiced = levelDbfs >= this.thresholdDbfs;
    if (voiced) {
      this.lastVoicedEndMs = endMs;
      if (this.speechStartMs !== undefined) return NO_EVENTS;
      this.speechStartMs = Math.max(this.firstFrameAtMs, atMs - this.prefixPaddingMs);
      return [{ type: 'speech-start', atMs: this.speechStartMs, detectedAtMs: endMs }];
    }
    if (this.speechStartMs !== undefined && endMs - this.lastVoicedEndMs >= this.silenceDurationMs) {
      const speechStartMs = this.speechStartMs;
      this.speechStartMs = undefined;
      return [{ type: 'speech-end', atMs: this.lastVoicedEndMs, detectedAtMs: endMs, speechStartMs }];
    }
    return NO_EVENTS;
  }

  /** Forgets any speech in progress, e.g. when the agent starts talking over the caller. */
  reset(): void {
    this.firstFrameAtMs = undefined;
    this.speechStartMs = undefined;
    this.lastVoicedEndMs = 0;
  }
}
