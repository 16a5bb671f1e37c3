import type { SipRequest } from '../message/index.js';
import type { TransactionTimers } from '../transaction/index.js';

/**
 * The UAS core's wait for the ACK of its 2xx to an INVITE (RFC 3261 §13.3.1.4): the transaction
 * layer does not retransmit a 2xx, so the core does, starting at T1 and doubling up to T2, until
 * the ACK arrives or 64*T1 has passed. Retransmission happens whatever the transport, because a
 * proxy further along may be on UDP.
 */
export class AckWait {
  readonly acked: Promise<SipRequest | undefined>;
  private settle!: (ack: SipRequest | undefined) => void;
  private retransmitTimer: ReturnType<typeof setTimeout> | undefined;
  private giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    private readonly timers: Pick<TransactionTimers, 'T1' | 'T2'>,
    private readonly retransmit: () => void,
    private readonly timedOut: () => void,
  ) {
    this.acked = new Promise((resolve) => (this.settle = resolve));
  }

  /** Call right after the first 2xx went out. */
  start(): void {
    const { T1, T2 } = this.timers;
    const schedule = (interval: number): void => {
      this.retransmitTimer = setTimeout(() => {
        this.retransmit();
        schedule(Math.min(2 * interval, T2));
      }, interval);
    };
    schedule(T1);
    this.giveUpTimer = setTimeout(() => {
      // §13.3.1.4: no ACK within 64*T1: the dialog is confirmed but the session SHOULD end with a BYE.
      this.finish(undefined);
      this.timedOut();
    }, 64 * T1);
  }

  ack(ack: SipRequest): void {
    this.finish(ack);
  }

  /** Stops retransmitting without an ACK (the dialog ended, e.g. by a BYE that overtook the ACK). */
  stop(): void {
    this.finish(undefined);
  }

  private finish(ack: SipRequest | undefined): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.giveUpTimer);
    this.settle(ack);
  }
}
