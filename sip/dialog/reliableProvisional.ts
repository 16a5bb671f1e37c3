import type { SipRequest, SipResponse } from '../message/index.js';
import type { TransactionTimers } from '../transaction/index.js';

/** The option tag of RFC 3262. */
export const RELIABLE_PROVISIONALS = '100rel';

/** The extensions this user agent supports: a Require naming any other gets 420 (RFC 3261 §8.2.2.3). */
export const SUPPORTED_EXTENSIONS = new Set([RELIABLE_PROVISIONALS]);

/** The option tags of every `name` header (Require, Supported, Proxy-Require), lower case. */
export function optionTags(message: SipRequest | SipResponse, name: string): string[] {
  return message.headers.getAll(name).flatMap((value) => value.split(',')).map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== '');
}

/** The key of a dialog, early or confirmed (§12): Call-ID, our tag, the peer's tag. */
export function earlyDialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

/** RAck (RFC 3262 §7.2): `response-num CSeq-num method`. */
export function parseRAck(value: string | undefined): { rseq: number; cseq: number; method: string } | undefined {
  const match = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(value ?? '');
  return match ? { rseq: Number(match[1]), cseq: Number(match[2]), method: match[3]!.toUpperCase() } : undefined;
}

/**
 * One reliable provisional response we sent (UAS, RFC 3262 §3): passed to the transaction again
 * at T1, doubling each time, until its PRACK comes; after 64*T1 without one, `onGiveUp` runs (the
 * UAS then SHOULD reject the INVITE with a 5xx).
 */
export class PendingReliableProvisional {
  /** Resolves true on the PRACK, false when given up or stopped. */
  readonly acknowledged: Promise<boolean>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private elapsed = 0;
  private resolve!: (acknowledged: boolean) => void;
  private settled = false;

  constructor(
    readonly rseq: number,
    readonly cseq: number,
    private readonly timers: TransactionTimers,
    private readonly retransmit: () => void,
    private readonly onGiveUp: () => void,
  ) {
    this.acknowledged = new Promise((resolve) => (this.resolve = resolve));
    this.schedule(timers.T1);
  }

  /** Whether a PRACK's RAck names this response (§3: RSeq, the INVITE's CSeq, INVITE). */
  matches(rack: { rseq: number; cseq: number; method: string }): boolean {
    return rack.rseq === this.rseq && rack.cseq === this.cseq && rack.method === 'INVITE';
  }

  prack(): void {
    this.finish(true);
  }

  stop(): void {
    this.finish(false);
  }

  private schedule(interval: number): void {
    this.timer = setTimeout(() => {
      this.elapsed += interval;
      if (this.elapsed >= 64 * this.timers.T1) {
        this.finish(false);
        return this.onGiveUp();
      }
      this.retransmit();
      this.schedule(Math.min(interval * 2, 64 * this.timers.T1 - this.elapsed));
    }, interval);
  }

  private finish(acknowledged: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(acknowledged);
  }
}
