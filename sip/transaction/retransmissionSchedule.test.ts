import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResponse, type SipMessage, type SipRequest } from '../message/index.js';
import { makeInbound } from './fixtures.case.js';
import { InviteClientTransaction } from './InviteClientTransaction.js';
import { InviteServerTransaction } from './InviteServerTransaction.js';
import { NonInviteClientTransaction } from './NonInviteClientTransaction.js';
import { NonInviteServerTransaction } from './NonInviteServerTransaction.js';
import { createAck } from './createAck.js';
import type { ClientTransaction, ServerTransaction, TransactionOptions } from './Transaction.js';
import { resolveTimers } from './TransactionTimers.js';

type Kind = 'INVITE client' | 'non-INVITE client' | 'INVITE server' | 'non-INVITE server';
type Tx = (ClientTransaction | ServerTransaction) & { terminate(): void };
type Step = [seconds: number, action: (tx: Tx, request: SipRequest) => void];

interface Row {
  kind: Kind;
  transport: 'UDP' | 'TCP';
  scenario: string;
  steps?: Step[];
  /** seconds at which something was sent, and what */
  sends: Array<[number, string]>;
  /** seconds at which the transaction terminated, and the timer (or event) that ended it */
  end: [number, string];
}

const respond = (status: number): ((tx: Tx, request: SipRequest) => void) => (tx, request) => {
  const response = createResponse(request, status, undefined, { toTag: 'server' });
  if ('respond' in tx) tx.respond(response);
  else tx.receiveResponse(response);
};
const ack: Step[1] = (tx, request) => (tx as InviteServerTransaction).receiveAck(createAck(request, createResponse(request, 486)));

/** RFC 3261 §17 with default T1 = 0.5 s, T2 = 4 s, T4 = 5 s. */
const nonInviteUdp = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5];
const rows: Row[] = [
  // Timer E: T1 doubling, capped at T2; Timer F at 64*T1.
  { kind: 'non-INVITE client', transport: 'UDP', scenario: 'no answer', sends: nonInviteUdp.map((t) => [t, 'OPTIONS']), end: [32, 'F'] },
  { kind: 'non-INVITE client', transport: 'TCP', scenario: 'no answer', sends: [[0, 'OPTIONS']], end: [32, 'F'] },
  // In Proceeding, Timer E fires every T2.
  { kind: 'non-INVITE client', transport: 'UDP', scenario: '100 at 0.2 s, no final', steps: [[0.2, respond(100)]], sends: [0, 0.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5].map((t) => [t, 'OPTIONS']), end: [32, 'F'] },
  { kind: 'non-INVITE client', transport: 'UDP', scenario: '200 at 1 s', steps: [[1, respond(200)]], sends: [[0, 'OPTIONS'], [0.5, 'OPTIONS']], end: [6, 'K'] },
  { kind: 'non-INVITE client', transport: 'TCP', scenario: '200 at 1 s', steps: [[1, respond(200)]], sends: [[0, 'OPTIONS']], end: [1, 'K'] },
  // Timer A: T1 doubling, not capped; Timer B at 64*T1.
  { kind: 'INVITE client', transport: 'UDP', scenario: 'no answer', sends: [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map((t) => [t, 'INVITE']), end: [32, 'B'] },
  { kind: 'INVITE client', transport: 'TCP', scenario: 'no answer', sends: [[0, 'INVITE']], end: [32, 'B'] },
  { kind: 'INVITE client', transport: 'UDP', scenario: '486 at 1 s', steps: [[1, respond(486)]], sends: [[0, 'INVITE'], [0.5, 'INVITE'], [1, 'ACK']], end: [33, 'D'] },
  { kind: 'INVITE client', transport: 'TCP', scenario: '486 at 1 s', steps: [[1, respond(486)]], sends: [[0, 'INVITE'], [1, 'ACK']], end: [1, 'D'] },
  { kind: 'INVITE client', transport: 'UDP', scenario: '486 at 1 s and again at 2 s', steps: [[1, respond(486)], [2, respond(486)]], sends: [[0, 'INVITE'], [0.5, 'INVITE'], [1, 'ACK'], [2, 'ACK']], end: [33, 'D'] },
  { kind: 'INVITE client', transport: 'UDP', scenario: '180 at 0.1 s, 200 at 1 s', steps: [[0.1, respond(180)], [1, respond(200)]], sends: [[0, 'INVITE']], end: [33, 'M'] },
  { kind: 'INVITE client', transport: 'TCP', scenario: '200 at 1 s', steps: [[1, respond(200)]], sends: [[0, 'INVITE']], end: [33, 'M'] },
  // Timer G: T1 doubling, capped at T2; Timer H at 64*T1; Timer I at T4 (UDP) or 0.
  { kind: 'INVITE server', transport: 'UDP', scenario: '486, no ACK', steps: [[0, respond(486)]], sends: nonInviteUdp.map((t) => [t, '486']), end: [32, 'H'] },
  { kind: 'INVITE server', transport: 'TCP', scenario: '486, no ACK', steps: [[0, respond(486)]], sends: [[0, '486']], end: [32, 'H'] },
  { kind: 'INVITE server', transport: 'UDP', scenario: '486, ACK at 1 s', steps: [[0, respond(486)], [1, ack]], sends: [[0, '486'], [0.5, '486']], end: [6, 'I'] },
  { kind: 'INVITE server', transport: 'TCP', scenario: '486, ACK at 1 s', steps: [[0, respond(486)], [1, ack]], sends: [[0, '486']], end: [1, 'I'] },
  { kind: 'INVITE server', transport: 'UDP', scenario: 'no answer from TU for 1 s, then 200', steps: [[1, respond(200)]], sends: [[0.2, '100'], [1, '200']], end: [33, 'L'] },
  { kind: 'INVITE server', transport: 'TCP', scenario: '200 at once', steps: [[0, respond(200)]], sends: [[0, '200']], end: [32, 'L'] },
  // Timer J: 64*T1 over UDP, 0 over TCP.
  { kind: 'non-INVITE server', transport: 'UDP', scenario: '200 at 1 s', steps: [[1, respond(200)]], sends: [[1, '200']], end: [33, 'J'] },
  { kind: 'non-INVITE server', transport: 'TCP', scenario: '200 at 1 s', steps: [[1, respond(200)]], sends: [[1, '200']], end: [1, 'J'] },
];

function label(message: SipMessage): string {
  return message.type === 'request' ? message.method : String(message.status);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('transaction retransmission and termination schedule (RFC 3261 §17, RFC 6026)', () => {
  it.each(rows)('$kind over $transport, $scenario', async (row) => {
    const start = Date.now();
    const seconds = (): number => (Date.now() - start) / 1000;
    const sends: Array<[number, string]> = [];
    let endedAt: number | undefined;
    let timedOut = false;
    const options: TransactionOptions = {
      reliable: row.transport === 'TCP',
      timers: resolveTimers(),
      send: async (message) => void sends.push([seconds(), label(message)]),
    };
    const terminated = (): void => {
      endedAt = seconds();
    };
    const clientUser = {
      provisional: () => undefined,
      final: () => undefined,
      retransmitted2xx: () => undefined,
      timeout: () => void (timedOut = true),
      transportError: () => undefined,
      terminated,
    };
    const serverUser = { terminated, warning: () => undefined };
    const method = row.kind.startsWith('INVITE') ? 'INVITE' : 'OPTIONS';
    const request = makeInbound(method, '127.0.0.1:5070', row.transport);
    const tx: Tx =
      row.kind === 'INVITE client'
        ? new InviteClientTransaction(request, options, clientUser)
        : row.kind === 'non-INVITE client'
          ? new NonInviteClientTransaction(request, options, clientUser)
          : row.kind === 'INVITE server'
            ? new InviteServerTransaction(request, options, serverUser)
            : new NonInviteServerTransaction(request, options, serverUser);
    (tx as { start(): void }).start();

    for (const [at, action] of row.steps ?? []) {
      await vi.advanceTimersByTimeAsync(at * 1000 - (Date.now() - start));
      action(tx, request);
    }
    await vi.advanceTimersByTimeAsync(40_000 - (Date.now() - start));

    expect(sends).toEqual(row.sends);
    expect(endedAt).toBe(row.end[0]);
    // Timers B and F report a timeout to the TU; every other ending is silent.
    expect(timedOut).toBe(row.end[1] === 'B' || row.end[1] === 'F');
    expect(vi.getTimerCount()).toBe(0);
  });
});
