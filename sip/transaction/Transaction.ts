import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import type { TransactionTimers } from './TransactionTimers.js';

/** Hands one message to the transport; a rejection is a transport error (RFC 3261 §17.1.4, §17.2.4). */
export type SendMessage = (message: SipMessage) => Promise<void>;

/** What every transaction needs from the layer that creates it. */
export interface TransactionOptions {
  /** TCP: no retransmissions, and Timers D, I, J, K are zero (RFC 3261 §17). */
  reliable: boolean;
  timers: TransactionTimers;
  send: SendMessage;
  /**
   * Optional, for a server transaction that must keep its final response for retransmissions
   * (non-INVITE over UDP: Timer J, 32 s): the response as it goes on the wire, and a way to send
   * those bytes again. With them the transaction keeps a few hundred bytes instead of the parsed
   * response, which a busy registrar holds for some 300,000 transactions at a time.
   */
  serialize?: (message: SipMessage) => Buffer;
  /** Sends bytes already made; `message`, when given, is what they were made from (for the trace). */
  sendBytes?: (data: Buffer, message?: SipMessage) => Promise<void>;
  /**
   * Optional, with `serialize` and `sendBytes`: takes over a completed non-INVITE transaction over
   * UDP for Timer J (`forMs`) as a small absorber of request retransmissions (ResponseAbsorbers);
   * the transaction then terminates at once and nothing else of it is kept.
   */
  absorb?: (bytes: Buffer, forMs: number) => void;
}

/** The transaction user (TU) of a client transaction: the core that sent the request. */
export interface ClientTransactionUser {
  provisional(response: SipResponse): void;
  /** The first final response; exactly once unless `timeout` or `transportError` comes first. */
  final(response: SipResponse): void;
  /** INVITE only: each further 2xx received in the Accepted state (RFC 6026 §8.4), so the UAC can ACK it again. */
  retransmitted2xx(response: SipResponse): void;
  /** Timer B or F fired: the caller treats it as a 408 (RFC 3261 §8.1.3.1). */
  timeout(): void;
  transportError(error: Error): void;
  terminated(): void;
}

/** The transaction user of a server transaction: the stack, which forwards to the core. */
export interface ServerTransactionUser {
  terminated(): void;
  /** Things worth a log line: no ACK before Timer H, a response the state no longer allows, a failed send. */
  warning(message: string): void;
}

export interface ClientTransaction {
  readonly request: SipRequest;
  readonly state: string;
  start(): void;
  receiveResponse(response: SipResponse): void;
  /** Stops all timers without telling the user anything but `terminated`; used when the stack closes. */
  terminate(): void;
}

export interface RespondOptions {
  stateless?: boolean;
}

/** A server transaction as the core sees it. */
export interface ServerTransaction {
  readonly request: SipRequest;
  readonly state: string;
  /**
   * Sends a response; ignored (with a warning) when the state no longer allows one. `stateless`
   * (a final response to a non-INVITE request): send it once and keep no state, so a
   * retransmission of the request reaches the core again as a new one. RFC 3261 §26.3.2.4 asks
   * this of challenges to unauthenticated requests; INVITE transactions ignore it (their ACK must
   * still match).
   */
  respond(response: SipResponse, options?: RespondOptions): void;
  /**
   * INVITE only: `handler` runs when a CANCEL for this INVITE arrives while no final response has
   * been sent. The stack answers the CANCEL with 200 itself; the core must then answer the INVITE
   * with 487 (RFC 3261 §9.2). Never fires for other methods, whose CANCEL has no effect.
   */
  onCancel(handler: () => void): void;
}
