import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequest, createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import { SipStack, type RequestResult } from '../SipStack.js';
import { createMemoryNetwork, type Endpoint, type MemoryNetwork } from '../transport/index.js';
import { makeRequest } from './fixtures.case.js';
import type { ServerTransaction } from './Transaction.js';

const T1 = 500;
const T2 = 4000;
const UAS: Endpoint = { protocol: 'UDP', address: '127.0.0.2', port: 5060 };

let network: MemoryNetwork;
let uac: SipStack;
let uas: SipStack;
let deliveries: Map<string, number>;
let acked: Set<string>;

beforeEach(() => {
  vi.useFakeTimers();
  network = createMemoryNetwork({ seed: 20260524 });
  uac = new SipStack({ transport: network.createTransport('127.0.0.1', 5070) });
  uas = new SipStack({ transport: network.createTransport('127.0.0.2', 5060) });
  deliveries = new Map();
  acked = new Set();
  uas.onRequest(serveLikeAPbx);
});

afterEach(async () => {
  await uac.close();
  await uas.close();
  vi.useRealTimers();
});

const callIdOf = (message: SipRequest | SipResponse): string => message.headers.get('Call-ID') ?? '';

/**
 * A UAS core: REGISTER → 200; INVITE → 180 then 200, or 486 for every third call. The 2xx is
 * retransmitted until the ACK arrives (RFC 3261 §13.3.1.4), as the dialog layer will do.
 */
function serveLikeAPbx(request: SipRequest, tx: ServerTransaction | undefined): void {
  const callId = callIdOf(request);
  if (request.method === 'ACK') {
    acked.add(callId);
    return;
  }
  deliveries.set(`${request.method} ${callId}`, (deliveries.get(`${request.method} ${callId}`) ?? 0) + 1);
  if (!tx) return;
  if (request.method !== 'INVITE') return tx.respond(createResponse(request, 200, undefined, { toTag: 'r' }));
  tx.respond(createResponse(request, 180, undefined, { toTag: 'c' }));
  if (Number(callId.split('-')[1]) % 3 === 0) return tx.respond(createResponse(request, 486, undefined, { toTag: 'c' }));
  const ok = createResponse(request, 200, undefined, { toTag: 'c' });
  tx.respond(ok);
  const retransmit = (interval: number, elapsed: number): void => {
    setTimeout(() => {
      if (acked.has(callId) || elapsed + interval >= 64 * T1) return;
      tx.respond(ok);
      retransmit(Math.min(2 * interval, T2), elapsed + interval);
    }, interval);
  };
  retransmit(T1, 0);
}

/** A UAC core: ACK every 2xx, the first and each retransmission, with the same ACK. */
function call(index: number): Promise<RequestResult> {
  const invite = makeRequest('INVITE', { callId: `call-${index}`, cseq: 1 });
  let ack: SipRequest | undefined;
  const acknowledge = (response: SipResponse): void => {
    if (ack === undefined) {
      ack = createRequest({ method: 'ACK', uri: invite.uri, headers: [['From', invite.headers.get('From') ?? ''], ['To', response.headers.get('To') ?? ''], ['Call-ID', callIdOf(invite)], ['CSeq', '1 ACK']] });
      uac.prependVia(ack, 'UDP');
    }
    void uac.sendStateless(ack, UAS);
  };
  return uac.request(invite, UAS, { onRetransmitted2xx: acknowledge }).then((result) => {
    if (result.ok && result.response.status === 200) acknowledge(result.response);
    return result;
  });
}

describe('transactions over a network that loses 20% of datagrams', () => {
  it('completes 200 REGISTER and 100 INVITE transactions, each request seen by the core exactly once', async () => {
    network.setDropRate(0.2);
    const registers = Array.from({ length: 200 }, (_, i) => uac.request(makeRequest('REGISTER', { callId: `reg-${i}`, cseq: 1 }), UAS));
    const invites = Array.from({ length: 100 }, (_, i) => call(i));
    const settled = Promise.all([...registers, ...invites]);

    await vi.advanceTimersByTimeAsync(64 * T1);
    const results = await settled;

    const failures = results.filter((r) => !r.ok);
    expect(failures).toEqual([]);
    const statuses = results.map((r) => (r.ok ? r.response.status : 0));
    expect(statuses.slice(0, 200).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(200)).toEqual(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 486 : 200)));

    expect(deliveries.size).toBe(300);
    expect([...deliveries.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // Every 2xx was ACKed in the end, and the loss really happened.
    expect(acked.size).toBe(100 - 34);
    expect(network.stats.dropped / network.stats.sent).toBeGreaterThan(0.15);
    expect(network.stats.sent).toBeGreaterThan(900);
  });
});
