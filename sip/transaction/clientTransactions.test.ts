import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResponse, type SipMessage, type SipResponse } from '../message/index.js';
import { makeInbound } from './fixtures.case.js';
import { InviteClientTransaction } from './InviteClientTransaction.js';
import { NonInviteClientTransaction } from './NonInviteClientTransaction.js';
import type { ClientTransactionUser, SendMessage } from './Transaction.js';
import { resolveTimers } from './TransactionTimers.js';

function recordingUser(): ClientTransactionUser & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    provisional: (r) => events.push(`provisional ${r.status}`),
    final: (r) => events.push(`final ${r.status}`),
    retransmitted2xx: (r) => events.push(`again ${r.status}`),
    timeout: () => events.push('timeout'),
    transportError: (e) => events.push(`transport ${e.message}`),
    terminated: () => events.push('terminated'),
  };
}

const sent: SipMessage[] = [];
const send: SendMessage = async (message) => void sent.push(message);
const respond = (status: number, request = makeInbound('INVITE')): SipResponse => createResponse(request, status, undefined, { toTag: 't' });

beforeEach(() => {
  vi.useFakeTimers();
  sent.length = 0;
});
afterEach(() => vi.useRealTimers());

describe('InviteClientTransaction', () => {
  it('ACKs a non-2xx once per received copy, and reports the final response once', async () => {
    const invite = makeInbound('INVITE');
    const user = recordingUser();
    const tx = new InviteClientTransaction(invite, { reliable: false, timers: resolveTimers(), send }, user);
    tx.start();
    tx.receiveResponse(respond(180, invite));
    tx.receiveResponse(respond(603, invite));
    tx.receiveResponse(respond(603, invite));
    expect(tx.state).toBe('Completed');
    expect(sent.map((m) => (m.type === 'request' ? m.method : m.status))).toEqual(['INVITE', 'ACK', 'ACK']);
    expect(user.events).toEqual(['provisional 180', 'final 603']);
  });

  it('passes later 2xx to the TU in Accepted, and ignores non-2xx there (RFC 6026 §7.2)', () => {
    const invite = makeInbound('INVITE');
    const user = recordingUser();
    const tx = new InviteClientTransaction(invite, { reliable: false, timers: resolveTimers(), send }, user);
    tx.start();
    tx.receiveResponse(respond(200, invite));
    tx.receiveResponse(respond(200, invite));
    tx.receiveResponse(respond(180, invite));
    tx.receiveResponse(respond(500, invite));
    expect(tx.state).toBe('Accepted');
    expect(user.events).toEqual(['final 200', 'again 200']);
    expect(sent).toHaveLength(1); // the TU ACKs a 2xx, not the transaction
  });

  it('ends on a transport error and tells the TU why, then that it terminated', async () => {
    const user = recordingUser();
    const tx = new InviteClientTransaction(makeInbound('INVITE'), { reliable: true, timers: resolveTimers(), send: () => Promise.reject(new Error('refused')) }, user);
    tx.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe('Terminated');
    expect(user.events).toEqual(['transport refused', 'terminated']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('NonInviteClientTransaction', () => {
  it('ignores responses after the final one and stops retransmitting', async () => {
    const request = makeInbound('OPTIONS');
    const user = recordingUser();
    const tx = new NonInviteClientTransaction(request, { reliable: false, timers: resolveTimers(), send }, user);
    tx.start();
    tx.receiveResponse(respond(100, request));
    tx.receiveResponse(respond(200, request));
    tx.receiveResponse(respond(200, request));
    await vi.advanceTimersByTimeAsync(4000);
    expect(user.events).toEqual(['provisional 100', 'final 200']);
    expect(sent).toHaveLength(1);
    expect(tx.state).toBe('Completed');
  });

  it('terminate() stops every timer and reports termination only', async () => {
    const user = recordingUser();
    const tx = new NonInviteClientTransaction(makeInbound('OPTIONS'), { reliable: false, timers: resolveTimers(), send }, user);
    tx.start();
    tx.terminate();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(user.events).toEqual(['terminated']);
    expect(sent).toHaveLength(1);
  });
});
