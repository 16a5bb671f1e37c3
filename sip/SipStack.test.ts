import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequest, createResponse, generateTag, parseMessage, parseVia, serializeMessage, type SipRequest, type SipResponse } from './message/index.js';
import { SipStack, type RequestContext, type SipTraceEntry } from './SipStack.js';
import { createCancel } from './transaction/createCancel.js';
import { makeInbound, makeRequest } from './transaction/fixtures.case.js';
import type { ServerTransaction } from './transaction/index.js';
import { createMemoryNetwork, type Endpoint, type InboundPacket, type MemoryNetwork, type SipTransport } from './transport/index.js';

const UAS: Endpoint = { protocol: 'UDP', address: '127.0.0.2', port: 5060 };

interface Seen {
  request: SipRequest;
  tx: ServerTransaction | undefined;
  context: RequestContext;
}

let network: MemoryNetwork;
let uac: SipStack;
let uas: SipStack;
let seen: Seen[];
let warnings: string[];
let traces: SipTraceEntry[];

beforeEach(() => {
  vi.useFakeTimers();
  network = createMemoryNetwork({ seed: 11 });
  warnings = [];
  traces = [];
  uac = new SipStack({ transport: network.createTransport('127.0.0.1', 5070), userAgent: 'omnisip-test', onTrace: (entry) => traces.push(entry), onWarning: (w) => warnings.push(`uac: ${w}`) });
  uas = new SipStack({ transport: network.createTransport('127.0.0.2', 5060), onWarning: (w) => warnings.push(`uas: ${w}`) });
  seen = [];
});

afterEach(async () => {
  await uac.close();
  await uas.close();
  vi.useRealTimers();
});

/** Records every request the UAS core sees, then lets the test's behaviour answer it. */
function serve(behaviour: (request: SipRequest, tx: ServerTransaction | undefined) => void = () => undefined): void {
  uas.onRequest((request, tx, context) => {
    seen.push({ request, tx, context });
    behaviour(request, tx);
  });
}

const reply = (tx: ServerTransaction | undefined, status: number, toTag = 'uas-tag'): void => tx?.respond(createResponse(tx.request, status, undefined, { toTag }));

/** A raw transport standing in for a peer that writes its own bytes. */
function rawPeer(address = '127.0.0.3', port = 5080): { transport: SipTransport; received: InboundPacket[] } {
  const transport = network.createTransport(address, port);
  const received: InboundPacket[] = [];
  transport.onPacket((packet) => received.push(packet));
  return { transport, received };
}

function statusOf(packet: InboundPacket | undefined): number | undefined {
  const parsed = packet && parseMessage(packet.data);
  return parsed?.ok && parsed.message.type === 'response' ? parsed.message.status : undefined;
}

describe('SipStack over the memory network', () => {
  it('runs INVITE → 100, 180, 200 and hands the ACK for the 2xx to the core', async () => {
    serve((request, tx) => {
      if (request.method !== 'INVITE') return;
      reply(tx, 100);
      reply(tx, 180);
      reply(tx, 200);
    });
    const provisional: number[] = [];
    const invite = makeRequest('INVITE');
    const result = await uac.request(invite, UAS, { onProvisional: (r) => provisional.push(r.status) });
    expect(result.ok && result.response.status).toBe(200);
    expect(provisional).toEqual([100, 180]);

    const ack = createRequest({ method: 'ACK', uri: invite.uri, headers: [['From', invite.headers.get('From') ?? ''], ['To', result.ok ? (result.response.headers.get('To') ?? '') : ''], ['Call-ID', invite.headers.get('Call-ID') ?? ''], ['CSeq', '1 ACK']] });
    const ackBranch = uac.prependVia(ack, 'UDP');
    await uac.sendStateless(ack, UAS);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.map((s) => [s.request.method, s.tx === undefined])).toEqual([['INVITE', false], ['ACK', true]]);
    expect(parseVia(seen[1]?.request.headers.get('Via') ?? '')?.params.branch).toBe(ackBranch);
    expect(seen[0]?.request.headers.get('User-Agent')).toBe('omnisip-test');
    expect(seen[0]?.tx?.state).toBe('Accepted');
  });

  it('absorbs the ACK for a 486 in the INVITE server transaction', async () => {
    serve((request, tx) => reply(tx, 486));
    const result = await uac.request(makeRequest('INVITE'), UAS);
    expect(result.ok && result.response.status).toBe(486);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.map((s) => s.request.method)).toEqual(['INVITE']);
    expect(seen[0]?.tx?.state).toBe('Confirmed');
    expect(traces.filter((t) => t.direction === 'out').map((t) => t.data.toString().split(' ')[0])).toEqual(['INVITE', 'ACK']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(seen[0]?.tx?.state).toBe('Terminated');
  });

  it('answers a CANCEL itself and lets the core answer the INVITE with 487', async () => {
    serve((request, tx) => {
      if (request.method !== 'INVITE') return;
      reply(tx, 180);
      tx?.onCancel(() => reply(tx, 487));
    });
    const invite = makeRequest('INVITE');
    let ringing!: () => void;
    const rang = new Promise<void>((resolve) => (ringing = resolve));
    const answer = uac.request(invite, UAS, { onProvisional: () => ringing() });
    await rang;
    const cancel = await uac.request(createCancel(invite), UAS);
    expect(cancel.ok && [cancel.response.status, cancel.response.headers.get('CSeq')]).toEqual([200, expect.stringMatching(/ CANCEL$/)]);
    // §9.2: the 200 for CANCEL carries the same To tag as the INVITE's responses.
    expect(cancel.ok && cancel.response.headers.get('To')).toMatch(/tag=uas-tag/);
    const final = await answer;
    expect(final.ok && final.response.status).toBe(487);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.map((s) => s.request.method)).toEqual(['INVITE']);
    expect(seen[0]?.tx?.state).toBe('Confirmed');
  });

  it('delivers a CANCEL that matches no INVITE with its own transaction, for the core to answer 481', async () => {
    serve((request, tx) => reply(tx, 481));
    const result = await uac.request(createCancel(makeInbound('INVITE', '127.0.0.1:5070')), UAS);
    expect(result.ok && result.response.status).toBe(481);
    expect(seen.map((s) => [s.request.method, s.tx?.state])).toEqual([['CANCEL', 'Completed']]);
  });

  it('absorbs non-INVITE retransmissions: silently while the core works, with the response once answered', async () => {
    let pending: ServerTransaction | undefined;
    serve((request, tx) => (pending = tx));
    network.dropWhen((data, from) => from.address === '127.0.0.2' && network.stats.sent < 6);
    const outcome = vi.fn();
    void uac.request(makeRequest('REGISTER'), UAS).then(outcome);
    await vi.advanceTimersByTimeAsync(2000); // retransmissions at 0.5 and 1.5 s
    expect(seen).toHaveLength(1);
    expect(traces.filter((t) => t.direction === 'out')).toHaveLength(3);
    reply(pending, 200); // dropped by the rule above, as are the answers to the next retransmissions
    await vi.advanceTimersByTimeAsync(6000);
    expect(outcome).toHaveBeenCalledWith({ ok: true, response: expect.objectContaining({ status: 200 }) });
    expect(seen).toHaveLength(1);
    // REGISTER at 0, 0.5, 1.5 s (absorbed silently), 3.5 s (answered with the 200 again).
    expect(traces.filter((t) => t.direction === 'out')).toHaveLength(4);
    const uasSent = network.stats.sent - 4;
    expect([uasSent, network.stats.dropped]).toEqual([2, 1]);
  });

  it('answers a retransmitted INVITE with 100 Trying when the first 100 was lost', async () => {
    serve();
    network.dropWhen((data) => data.toString().startsWith('SIP/2.0 100') && network.stats.dropped === 0);
    const provisional: number[] = [];
    void uac.request(makeRequest('INVITE'), UAS, { onProvisional: (r) => provisional.push(r.status) });
    await vi.advanceTimersByTimeAsync(400);
    expect(provisional).toEqual([]); // the 100 sent at 200 ms was lost
    await vi.advanceTimersByTimeAsync(200); // Timer A retransmits at 500 ms
    expect(provisional).toEqual([100]);
    expect(seen).toHaveLength(1);
  });

  it('reports Timer F as a timeout at 64*T1, not before', async () => {
    const outcome = vi.fn();
    void uac.request(makeRequest('OPTIONS'), { protocol: 'UDP', address: '127.0.0.9', port: 5060 }).then(outcome);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(outcome).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toHaveBeenCalledWith({ ok: false, reason: 'timeout' });
  });

  it('uses shortened timers from the options', async () => {
    const quick = new SipStack({ transport: network.createTransport('127.0.0.4', 5060), timers: { T1: 10 } });
    const outcome = vi.fn();
    void quick.request(makeRequest('INVITE'), { protocol: 'UDP', address: '127.0.0.9', port: 5060 }).then(outcome);
    await vi.advanceTimersByTimeAsync(640);
    expect(outcome).toHaveBeenCalledWith({ ok: false, reason: 'timeout' });
    await quick.close();
  });

  it('returns a transport failure value, and warns, when TCP is refused', async () => {
    const result = await uac.request(makeRequest('OPTIONS'), { protocol: 'TCP', address: '127.0.0.9', port: 5060 });
    expect(result.ok).toBe(false);
    expect(!result.ok && [result.reason, (result.error as { code?: string } | undefined)?.code]).toEqual(['transport', 'ECONNREFUSED']);
    expect(warnings.join('\n')).toMatch(/uac: SIP stack: OPTIONS .* TCP 127\.0\.0\.9:5060/);
  });

  it('runs a transaction over TCP and answers on the incoming flow', async () => {
    serve((request, tx) => reply(tx, 200));
    const result = await uac.request(makeRequest('OPTIONS'), { ...UAS, protocol: 'TCP' });
    expect(result.ok && result.response.status).toBe(200);
    expect(seen[0]?.context.source.port).not.toBe(5070); // the connection's ephemeral port
    expect(seen[0]?.request.headers.get('Via')).toMatch(/^SIP\/2\.0\/TCP 127\.0\.0\.1:5070;branch=z9hG4bK[^;]+;rport=\d+;received=127\.0\.0\.1$/);
  });

  it('stamps received and rport on the top Via and answers to the source (RFC 3581)', async () => {
    serve((request, tx) => reply(tx, 200));
    const peer = rawPeer();
    const options = makeInbound('OPTIONS', 'phone.invalid:9999');
    options.headers.set('Via', `${options.headers.get('Via')};rport`);
    await peer.transport.send(serializeMessage(options), UAS);
    await vi.advanceTimersByTimeAsync(0);
    const via = parseVia(seen[0]?.request.headers.get('Via') ?? '');
    expect(via?.params).toMatchObject({ received: '127.0.0.3', rport: '5080' });
    expect(statusOf(peer.received[0])).toBe(200);
  });

  it('with forceRport, answers a UDP request whose Via names another host and port at the source of the packet', async () => {
    const pbx = new SipStack({ transport: network.createTransport('127.0.0.4', 5060), forceRport: true });
    pbx.onRequest((request, tx) => reply(tx, 200));
    const peer = rawPeer();
    await peer.transport.send(serializeMessage(makeInbound('OPTIONS', '192.0.2.15')), { ...UAS, address: '127.0.0.4' });
    await vi.advanceTimersByTimeAsync(0);
    expect(statusOf(peer.received[0])).toBe(200);
    await pbx.close();
  });

  it('answers an unparseable request at the source address, never at the host its Via names', async () => {
    const out: SipTraceEntry[] = [];
    const pbx = new SipStack({ transport: network.createTransport('127.0.0.4', 5060), forceRport: true, onTrace: (entry) => out.push(entry) });
    const peer = rawPeer();
    const bad = serializeMessage(makeInbound('OPTIONS', '192.0.2.59:5050')).toString().replace(/^To: .*$/m, 'To: "unterminated <sip:x@example.com>');
    await peer.transport.send(Buffer.from(bad), { ...UAS, address: '127.0.0.4' });
    await vi.advanceTimersByTimeAsync(10);
    expect(out.filter((t) => t.direction === 'out').map((t) => `${t.remote.address}:${t.remote.port}`)).toEqual(['127.0.0.3:5080']);
    // The 400 echoes the broken To, so it is checked as bytes.
    expect(peer.received[0]?.data.toString()).toMatch(/^SIP\/2\.0 400 Bad To header: unterminated quoted string\r\n/);
    await pbx.close();
  });

  it('answers an unparseable but answerable request with 400 carrying the parser error, and warns', async () => {
    serve();
    const peer = rawPeer();
    const bad = serializeMessage(makeInbound('OPTIONS', '127.0.0.3:5080')).toString().replace('\r\n\r\n', '\r\nthis line has no colon\r\n\r\n');
    await peer.transport.send(Buffer.from(bad), UAS);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([]);
    expect(statusOf(peer.received[0])).toBe(400);
    const parsed = parseMessage(peer.received[0]?.data ?? '');
    expect(parsed.ok && parsed.message.type === 'response' && parsed.message.reason).toMatch(/colon/i);
    expect(warnings.join('\n')).toMatch(/uas: SIP stack: answered 400 to OPTIONS/);

    await peer.transport.send(Buffer.from('garbage\r\n\r\n'), UAS);
    await vi.advanceTimersByTimeAsync(0);
    expect(peer.received).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/dropped an unparseable message from UDP 127\.0\.0\.3:5080/);
  });

  it('serves a request without a Via branch by RFC 2543 matching and absorbs its retransmission (RFC 3261 §17.2.3)', async () => {
    serve((request, tx) => reply(tx, 200));
    const peer = rawPeer();
    const old = serializeMessage(makeRequest('OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.3:5080' }));
    await peer.transport.send(old, UAS);
    await peer.transport.send(old, UAS);
    await vi.advanceTimersByTimeAsync(10);
    expect(seen).toHaveLength(1);
    expect(peer.received.map(statusOf)).toEqual([200, 200]);
  });

  it('drops, with a warning, a response whose top Via is not ours (RFC 3261 §18.1.2)', async () => {
    const peer = rawPeer();
    const response = createResponse(makeInbound('OPTIONS', '127.0.0.3:5080'), 200);
    await peer.transport.send(serializeMessage(response), { protocol: 'UDP', address: '127.0.0.1', port: 5070 });
    await vi.advanceTimersByTimeAsync(0);
    expect(warnings.join('\n')).toMatch(/uac: SIP stack: dropped a 200 .* not ours/);
  });

  it('passes 2xx retransmissions to onRetransmitted2xx while Accepted, and to onStrayResponse after Timer M', async () => {
    let inviteTx: ServerTransaction | undefined;
    serve((request, tx) => {
      inviteTx = tx;
      reply(tx, 200);
    });
    const again: SipResponse[] = [];
    const stray: SipResponse[] = [];
    uac.onStrayResponse((response) => stray.push(response));
    const result = await uac.request(makeRequest('INVITE'), UAS, { onRetransmitted2xx: (r) => again.push(r) });
    expect(result.ok && result.response.status).toBe(200);
    reply(inviteTx, 200); // the UAS core retransmits its 2xx through the Accepted transaction
    await vi.advanceTimersByTimeAsync(0);
    expect(again.map((r) => r.status)).toEqual([200]);

    await vi.advanceTimersByTimeAsync(32_000); // Timers L and M end both transactions
    expect(inviteTx?.state).toBe('Terminated');
    if (result.ok) await uas.sendStateless(result.response, { protocol: 'UDP', address: '127.0.0.1', port: 5070 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stray.map((r) => r.status)).toEqual([200]);
    expect(again).toHaveLength(1);
  });

  it('traces every message in and out with both endpoints, before processing', async () => {
    serve((request, tx) => reply(tx, 200, generateTag()));
    await uac.request(makeRequest('OPTIONS'), UAS);
    expect(traces.map((t) => [t.direction, t.data.toString().split('\r\n')[0], t.local.port, t.remote.port])).toEqual([
      ['out', 'OPTIONS sip:bob@127.0.0.1 SIP/2.0', 5070, 5060],
      ['in', 'SIP/2.0 200 OK', 5070, 5060],
    ]);
  });

  it('keeps a CANCEL on the INVITE branch and gives a re-sent request a fresh branch', async () => {
    serve((request, tx) => reply(tx, request.method === 'REGISTER' && seen.length === 1 ? 401 : 200));
    const register = makeRequest('REGISTER');
    await uac.request(register, UAS);
    const firstBranch = parseVia(register.headers.get('Via') ?? '')?.params.branch;
    register.headers.set('CSeq', '99 REGISTER');
    const second = await uac.request(register, UAS);
    expect(second.ok && second.response.status).toBe(200);
    expect(register.headers.getAll('Via')).toHaveLength(1);
    expect(parseVia(register.headers.get('Via') ?? '')?.params.branch).not.toBe(firstBranch);
    const cancel = createCancel(register);
    expect(cancel.headers.get('Via')).toBe(register.headers.get('Via'));
  });

  it('refuses to send an ACK in a transaction: that is a programmer error', () => {
    expect(() => uac.request(makeRequest('ACK'), UAS)).toThrow(/sendStateless/);
  });

  it('resolves pending requests with a failure value on close', async () => {
    const pending = uac.request(makeRequest('OPTIONS'), { protocol: 'UDP', address: '127.0.0.9', port: 5060 });
    await uac.close();
    expect(await pending).toMatchObject({ ok: false, reason: 'transport' });
  });
});

describe('SipStack.close with a grace period', () => {
  it('abandons a request nobody answers when the grace is over, not at Timer F', async () => {
    const outcome = vi.fn();
    void uac.request(makeRequest('REGISTER'), { protocol: 'UDP', address: '127.0.0.9', port: 5060 }).then(outcome);
    const closed = vi.fn();
    void uac.close({ graceMs: 1000 }).then(closed);
    await vi.advanceTimersByTimeAsync(999);
    expect([outcome.mock.calls.length, closed.mock.calls.length]).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toHaveBeenCalledWith(expect.objectContaining({ ok: false, reason: 'transport' }));
    expect(closed).toHaveBeenCalled();
  });

  it('waits for the answer of a request in flight, and for a request sent meanwhile (a challenge answered)', async () => {
    let challenged = false;
    serve((request, tx) => {
      if (!challenged) return setTimeout(() => ((challenged = true), reply(tx, 401)), 300);
      setTimeout(() => reply(tx, 200), 300);
    });
    const statuses: number[] = [];
    const unregister = uac.request(makeRequest('REGISTER'), UAS).then(async (first) => {
      statuses.push(first.ok ? first.response.status : 0);
      const second = await uac.request(makeRequest('REGISTER'), UAS);
      statuses.push(second.ok ? second.response.status : 0);
    });
    const closed = vi.fn();
    void uac.close({ graceMs: 2000 }).then(closed);
    await vi.advanceTimersByTimeAsync(650);
    await unregister;
    expect(statuses).toEqual([401, 200]);
    expect(closed).toHaveBeenCalled();
  });

  it('closes at once without a grace', async () => {
    const outcome = vi.fn();
    void uac.request(makeRequest('OPTIONS'), UAS).then(outcome);
    await uac.close();
    expect(outcome).toHaveBeenCalledWith(expect.objectContaining({ ok: false, reason: 'transport' }));
  });
});
