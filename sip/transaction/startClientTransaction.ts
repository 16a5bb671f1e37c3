import type { SipRequest, SipResponse } from '../message/index.js';
import { InviteClientTransaction } from './InviteClientTransaction.js';
import { NonInviteClientTransaction } from './NonInviteClientTransaction.js';
import type { ClientTransaction, TransactionOptions } from './Transaction.js';

/** A client transaction's outcome as a value: the final response, or why there is none. */
export type ClientTransactionResult = { ok: true; response: SipResponse } | { ok: false; reason: 'timeout' | 'transport'; error?: Error };

export interface ClientTransactionHandlers {
  onProvisional?(response: SipResponse): void;
  /** INVITE: each 2xx after the first (retransmissions, other forks), so the UAC can ACK it again. */
  onRetransmitted2xx?(response: SipResponse): void;
  onTransportError?(error: Error): void;
  onTerminated?(): void;
}

/**
 * Creates the client transaction the method calls for (INVITE or non-INVITE), starts it, and
 * exposes its outcome as a promise that always resolves: with the first final response, a
 * `timeout` (Timer B/F, which the caller treats as 408), or a `transport` failure, including
 * termination from outside (`terminate()`) before a final response.
 */
export function startClientTransaction(
  request: SipRequest,
  options: TransactionOptions,
  handlers: ClientTransactionHandlers = {},
): { transaction: ClientTransaction; result: Promise<ClientTransactionResult> } {
  let settle: (result: ClientTransactionResult) => void = () => undefined;
  let settled = false;
  const result = new Promise<ClientTransactionResult>((resolve) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
  });
  const user = {
    provisional: (response: SipResponse) => handlers.onProvisional?.(response),
    final: (response: SipResponse) => settle({ ok: true, response }),
    retransmitted2xx: (response: SipResponse) => handlers.onRetransmitted2xx?.(response),
    timeout: () => settle({ ok: false, reason: 'timeout' }),
    transportError: (error: Error) => {
      handlers.onTransportError?.(error);
      settle({ ok: false, reason: 'transport', error });
    },
    terminated: () => {
      handlers.onTerminated?.();
      // Every transaction ends this way, most long after their final response: an Error (and its
      // stack) only for one that ends without any.
      if (!settled) settle({ ok: false, reason: 'transport', error: new Error(`SIP transaction: ${request.method} terminated before a final response`) });
    },
  };
  const transaction: ClientTransaction =
    request.method === 'INVITE' ? new InviteClientTransaction(request, options, user) : new NonInviteClientTransaction(request, options, user);
  transaction.start();
  return { transaction, result };
}
