import { VoiceActivityDetector, type G711Codec, type PromptName, type TurnDetection, type VadEvent } from '../../../media/index.js';
import { asksForHuman, handoffTerms } from './handoffRule.js';

export interface HandoffConfig {
  enabled: boolean;
  transferExtension?: string;
  transferDescription?: string;
}

export interface AgentConfig {
  /** The effective settings: the SIP channel config's providerSettings override the agent's. */
  turnDetection: TurnDetection;
  handoff: HandoffConfig;
}

/** What the agent does; the call handler carries it out (plays audio, sends REFER) and records it. */
export type AgentAction =
  | { type: 'say'; prompt: PromptName; why: string }
  | { type: 'transfer'; extension: string; why: string }
  | { type: 'heard'; what: string; atMs: number };

/** What most audio frames lead to, shared (frozen, so that a push would throw rather than leak). */
const NO_ACTIONS: readonly AgentAction[] = Object.freeze([]);

/**
 * The agent's deterministic behaviour on one call (README, "The agent's behaviour"):
 * greet on answer; after the caller has spoken and then been silent for `silence_duration_ms`
 * (voice-activity detection with the effective `turnDetection`), respond; on DTMF `0` or an
 * utterance asking for a person, say "transferring you" and transfer, but only when the effective
 * human handoff is enabled with a `transferExtension`. With handoff disabled, nothing ever transfers.
 */
export class AgentBehaviour {
  private readonly vad: VoiceActivityDetector;
  private readonly terms: string[];
  private transferring = false;

  constructor(private readonly config: AgentConfig) {
    this.vad = new VoiceActivityDetector(config.turnDetection);
    this.terms = handoffTerms(config.handoff.transferDescription);
  }

  get canHandOff(): boolean {
    return this.config.handoff.enabled && Boolean(this.config.handoff.transferExtension);
  }

  answered(): AgentAction[] {
    return [{ type: 'say', prompt: 'greeting', why: 'call answered' }];
  }

  /** An outbound call was answered: the agent opens with `initialSpeech` when given, else its greeting. */
  calleeAnswered(initialSpeech: string | undefined): AgentAction[] {
    if (initialSpeech === undefined) return [{ type: 'say', prompt: 'greeting', why: 'callee answered' }];
    return [{ type: 'say', prompt: 'initialSpeech', why: `callee answered; initialSpeech: ${JSON.stringify(initialSpeech)}` }];
  }

  /** One 20 ms frame of the caller's audio, with its arrival time. */
  audio(frame: Int16Array, atMs: number): readonly AgentAction[] {
    return this.heard(this.vad.process(frame, atMs));
  }

  /** `audio` for a frame as it came off RTP, still encoded: turn-taking needs only its level, not its samples. */
  payload(payload: Uint8Array, codec: G711Codec, atMs: number): readonly AgentAction[] {
    return this.heard(this.vad.processPayload(payload, codec, atMs));
  }

  private heard(events: readonly VadEvent[]): readonly AgentAction[] {
    // Most frames change nothing: no array for them (50 frames a second per call).
    if (events.length === 0) return NO_ACTIONS;
    const actions: AgentAction[] = [];
    for (const event of events) {
      if (event.type !== 'speech-end' || this.transferring) continue;
      actions.push(
        { type: 'heard', what: `caller spoke for ${Math.round(event.atMs - event.speechStartMs)} ms`, atMs: event.detectedAtMs },
        { type: 'say', prompt: 'response', why: `caller silent for ${this.config.turnDetection.silence_duration_ms ?? 500} ms` },
      );
    }
    return actions;
  }

  dtmf(digit: string, atMs: number): AgentAction[] {
    const heard: AgentAction = { type: 'heard', what: `DTMF ${digit}`, atMs };
    if (digit === '0' && this.canHandOff && !this.transferring) return [heard, ...this.handOff('caller pressed 0')];
    return [heard];
  }

  /** A simulated caller utterance (control API), so scenarios need no speech recognition. */
  utterance(text: string, atMs: number): AgentAction[] {
    const heard: AgentAction = { type: 'heard', what: `caller said "${text}"`, atMs };
    if (this.transferring) return [heard];
    if (this.canHandOff && asksForHuman(text, this.terms)) return [heard, ...this.handOff('caller asked for a person')];
    return [heard, { type: 'say', prompt: 'response', why: 'caller utterance' }];
  }

  /** The transfer failed (REFER refused, target busy, no answer): stay on the call and say so. */
  transferFailed(status: number): AgentAction[] {
    this.transferring = false;
    return [{ type: 'say', prompt: 'transferFailed', why: `transfer failed with ${status}` }];
  }

  private handOff(why: string): AgentAction[] {
    this.transferring = true;
    return [
      { type: 'say', prompt: 'transferring', why },
      { type: 'transfer', extension: this.config.handoff.transferExtension!, why },
    ];
  }
}
