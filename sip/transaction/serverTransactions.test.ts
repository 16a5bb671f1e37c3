import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResponse, type SipMessage } from '../message/index.js';
import { createAck } from './createAck.js';
import { makeInbound } from './fixtures.case.js';
import { InviteServerTransaction } from './InviteServerTransaction.js';
import { NonInviteServerTransaction } from './NonInviteServerTransaction.js';
import type { SendMessage, ServerTransactionUser } from './Transaction.js';
import { resolveTimers } from './TransactionTimers.js';

const sent: SipMessage[] = [];
const send: SendMessage = async (message) => void sent.push(message);
const statuses = (): Array<number | string> => sent.map((m) => (m.type === 'response' ? m.status : m.method));

function recordingUser(): ServerTransactionUser & { warnings: string[]; terminations: number } {
  const user = { warnings: [] as string[], terminations: 0, warning: (w: string) => void user.warnings.push(w), terminated: () => void user.terminations++ };
  return user;
}

beforeEach(() => {
  vi.useFakeTimers();
  sent.length = 0;
});
afterEach(() => vi.useRealTimers());

describe('InviteServerTransaction', () => {
  it('sends 100 Trying after 200 ms when the TU has not answered, and not when it has', async () => {
    const slow = new InviteServerTransaction(makeInbound('INVITE'), { reliable: false, timers: resolveTimers(), send }, recordingUser());
    slow.start();
    await vi.advanceTimersByTimeAsync(199);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(statuses()).toEqual([100]);

    sent.length = 0;
    const quick = new InviteServerTransaction(makeInbound('INVITE'), { reliable: false, timers: resolveTimers(), send }, recordingUser());
    quick.start();
    quick.respond(createResponse(quick.request, 180, undefined, { toTag: 'a' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses()).toEqual([180]);
  });

  it('answers a retransmitted INVITE with the latest response, and absorbs it once accepted', () => {
    const invite = makeInbound('INVITE');
    const tx = new InviteServerTransaction(invite, { reliable: false, timers: resolveTimers(), send }, recordingUser());
    tx.start();
    tx.receiveRequest(invite);
    tx.respond(createResponse(invite, 180, undefined, { toTag: 'a' }));
    tx.receiveRequest(invite);
    tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }));
    tx.receiveRequest(invite);
    expect(statuses()).toEqual([100, 180, 180, 200]);
  });

  it('lets go of its CANCEL handlers (and the call they hold) once a final response is sent, though it lives on for Timer L', async () => {
    vi.useRealTimers();
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const invite = makeInbound('INVITE');
    const tx = new InviteServerTransaction(invite, { reliable: false, timers: resolveTimers(), send }, recordingUser());
    let call: { media: Uint8Array } | undefined = { media: new Uint8Array(1 << 20) };
    const held = new WeakRef(call);
    tx.onCancel(((kept) => () => void kept.media)(call));
    call = undefined;
    tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }));
    expect(tx.state).toBe('Accepted');
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(held.deref()).toBeUndefined();
    expect(tx.cancel()).toBe(false);
    tx.terminate();
  });

  it('fires onCancel only while Proceeding', () => {
    const invite = makeInbound('INVITE');
    const tx = new InviteServerTransaction(invite, { reliable: false, timers: resolveTimers(), send }, recordingUser());
    const cancelled = vi.fn();
    tx.onCancel(cancelled);
    expect(tx.cancel()).toBe(true);
    tx.respond(createResponse(invite, 487, undefined, { toTag: 'a' }));
    expect(tx.cancel()).toBe(false);
    expect(cancelled).toHaveBeenCalledTimes(1);
  });

  it('refuses a second final response with a warning, but lets 2xx retransmissions through in Accepted', () => {
    const invite = makeInbound('INVITE');
    const user = recordingUser();
    const tx = new InviteServerTransaction(invite, { reliable: false, timers: resolveTimers(), send }, user);
    tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }));
    tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }));
    tx.respond(createResponse(invite, 500, undefined, { toTag: 'a' }));
    expect(statuses()).toEqual([200, 200]);
    expect(user.warnings.join()).toMatch(/not sending 500 .*state Accepted/);
  });

  it('does not absorb an ACK in Accepted: the TU gets it (RFC 6026 §7.1)', () => {
    const invite = makeInbound('INVITE');
    const tx = new InviteServerTransaction(invite, { reliable: false, timers: resolveTimers(), send }, recordingUser());
    const ok = createResponse(invite, 200, undefined, { toTag: 'a' });
    tx.respond(ok);
    expect(tx.receiveAck(createAck(invite, ok))).toBe(false);
  });

  it('warns when Timer H fires without an ACK', async () => {
    const invite = makeInbound('INVITE');
    const user = recordingUser();
    const tx = new InviteServerTransaction(invite, { reliable: true, timers: resolveTimers(), send }, user);
    tx.respond(createResponse(invite, 480, undefined, { toTag: 'a' }));
    await vi.advanceTimersByTimeAsync(32_000);
    expect(tx.state).toBe('Terminated');
    expect(user.warnings.join()).toMatch(/no ACK for 480 .*Timer H/);
    expect(user.terminations).toBe(1);
  });

  it('reports a failed send as a warning and keeps its state (§17.2.4)', async () => {
    const invite = makeInbound('INVITE');
    const user = recordingUser();
    const tx = new InviteServerTransaction(invite, { reliable: true, timers: resolveTimers(), send: () => Promise.reject(new Error('ECLOSED')) }, user);
    tx.respond(createResponse(invite, 486, undefined, { toTag: 'a' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(user.warnings.join()).toMatch(/could not send 486 for INVITE: ECLOSED/);
    expect(tx.state).toBe('Completed');
  });
});

describe('NonInviteServerTransaction', () => {
  it('absorbs retransmissions silently in Trying, answers them with the latest response afterwards', () => {
    const request = makeInbound('REGISTER');
    const tx = new NonInviteServerTransaction(request, { reliable: false, timers: resolveTimers(), send }, recordingUser());
    tx.start();
    tx.receiveRequest(request);
    expect(sent).toEqual([]);
    tx.respond(createResponse(request, 100));
    tx.receiveRequest(request);
    tx.respond(createResponse(request, 200, undefined, { toTag: 'a' }));
    tx.receiveRequest(request);
    expect(statuses()).toEqual([100, 100, 200, 200]);
    expect(tx.state).toBe('Completed');
  });

  it('sends a stateless final response once and ends at once: a retransmission is not answered, and no Timer J runs (§26.3.2.4)', async () => {
    const request = makeInbound('REGISTER');
    const user = recordingUser();
    const tx = new NonInviteServerTransaction(request, { reliable: false, timers: resolveTimers(), send }, user);
    tx.start();
    tx.respond(createResponse(request, 401, undefined, { toTag: 'a' }), { stateless: true });
    expect(tx.state).toBe('Terminated');
    expect(user.terminations).toBe(1);
    tx.receiveRequest(request);
    await vi.advanceTimersByTimeAsync(64 * 500);
    expect(statuses()).toEqual([401]);
    expect(user.terminations).toBe(1);
  });

  it('never fires onCancel (CANCEL has no effect on non-INVITE, §9.2) and refuses a second final', () => {
    const request = makeInbound('OPTIONS');
    const user = recordingUser();
    const tx = new NonInviteServerTransaction(request, { reliable: false, timers: resolveTimers(), send }, user);
    const cancelled = vi.fn();
    tx.onCancel(cancelled);
    tx.respond(createResponse(request, 200, undefined, { toTag: 'a' }));
    tx.respond(createResponse(request, 500, undefined, { toTag: 'a' }));
    expect(statuses()).toEqual([200]);
    expect(cancelled).not.toHaveBeenCalled();
    expect(user.warnings).toHaveLength(1);
  });
});

describe('resolveTimers', () => {
  it('fills RFC defaults and derives Timer D from T1', () => {
    expect(resolveTimers()).toEqual({ T1: 500, T2: 4000, T4: 5000, D: 32_000 });
    expect(resolveTimers({ T1: 10 }).D).toBe(640);
    expect(() => resolveTimers({ T2: -1 })).toThrow(/T2 must be a positive/);
  });
});

describe('NonInviteServerTransaction keeping its final response as bytes', () => {
  it('serialises the final response once and answers each retransmission with the same bytes', async () => {
    const bytes: Buffer[] = [];
    let serialized = 0;
    const options = {
      reliable: false,
      timers: resolveTimers(),
      send,
      serialize: (message: SipMessage) => {
        serialized++;
        return Buffer.from(`${message.type === 'response' ? message.status : ''} serialized`);
      },
      sendBytes: async (data: Buffer) => void bytes.push(data),
    };
    const user = recordingUser();
    const tx = new NonInviteServerTransaction(makeInbound('REGISTER'), options, user);
    tx.start();
    tx.respond(createResponse(tx.request, 100));
    tx.respond(createResponse(tx.request, 200, undefined, { toTag: 'b' }));
    tx.receiveRequest(tx.request);
    tx.receiveRequest(tx.request);
    expect(statuses()).toEqual([100]);
    expect(serialized).toBe(1);
    expect(bytes.map(String)).toEqual(['200 serialized', '200 serialized', '200 serialized']);
    expect(bytes[1]).toBe(bytes[0]);
    await vi.advanceTimersByTimeAsync(64 * 500);
    expect(tx.state).toBe('Terminated');
    tx.receiveRequest(tx.request);
    expect(bytes).toHaveLength(3);
  });
});
