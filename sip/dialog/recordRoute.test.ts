import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage, parseNameAddr, parseUri, parseVia, serializeMessage, type SipRequest } from '../message/index.js';
import type { Endpoint, SipTransport } from '../transport/index.js';
import { createUacDialogState, createUasDialogState, createInDialogRequest, nextHop } from './DialogState.js';
import { ANSWER, createPair, flush, OFFER, until, type Pair } from './fixtures.case.js';

/**
 * A tiny stateless record-routing proxy (RFC 3261 §16.11, §16.12 loose routing): pops its own
 * Route, record-routes dialog-creating INVITEs, forwards requests along Route / Request-URI
 * (initial ones to `next` when given) and responses along Via.
 */
function startRelay(transport: SipTransport, next?: Endpoint): { forwarded: Array<{ method: string; routes: string[] }> } {
  const self = `${transport.address}:${transport.udpPort}`;
  const forwarded: Array<{ method: string; routes: string[] }> = [];
  transport.onPacket(({ data }) => {
    const parsed = parseMessage(data);
    if (!parsed.ok) return;
    const message = parsed.message;
    if (message.type === 'response') {
      message.headers.removeFirst('Via');
      const via = parseVia(message.headers.get('Via') ?? '');
      if (via !== undefined) void transport.send(serializeMessage(message), { protocol: 'UDP', address: via.params.received ?? via.host, port: via.port ?? 5060 });
      return;
    }
    const top = message.headers.get('Route');
    const topUri = top === undefined ? undefined : parseNameAddr(top)?.uri;
    if (topUri !== undefined && `${topUri.host}:${topUri.port}` === self) message.headers.removeFirst('Route');
    const initial = !/;tag=/.test(message.headers.get('To') ?? '');
    if (message.method === 'INVITE' && initial) message.headers.prepend('Record-Route', `<sip:${self};lr>`);
    forwarded.push({ method: message.method, routes: message.headers.getAll('Route') });
    const branch = createHash('sha1').update(`${self} ${message.headers.get('Via') ?? ''}`).digest('hex').slice(0, 16);
    message.headers.prepend('Via', `SIP/2.0/UDP ${self};branch=z9hG4bK${branch}`);
    const route = message.headers.get('Route');
    const target = route === undefined ? parseUri(message.uri) : parseNameAddr(route)?.uri;
    const destination = initial && route === undefined && next !== undefined ? next : { protocol: 'UDP' as const, address: target?.host ?? '', port: target?.port ?? 5060 };
    void transport.send(serializeMessage(message), destination);
  });
  return { forwarded };
}

let pair: Pair;

beforeEach(() => {
  vi.useFakeTimers();
  pair = createPair();
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});

describe('a call through two record-routing proxies (RFC 3261 §12.1.1, §12.1.2, §16.12)', () => {
  it('builds the route sets in the right order on each side and sends ACK and BYE along them', async () => {
    const proxyB = startRelay(pair.network.createTransport('127.0.0.6', 5060));
    const proxyA = startRelay(pair.network.createTransport('127.0.0.5', 5060), { protocol: 'UDP', address: '127.0.0.6', port: 5060 });
    const acked: Array<Promise<SipRequest | undefined>> = [];
    pair.bob.ua.onInvite((call) => {
      // Bob sees the Record-Route of B (the last proxy) on top.
      expect(call.request.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.6:5060;lr>', '<sip:127.0.0.5:5060;lr>']);
      call.ring();
      call.answer({ sdp: ANSWER });
      acked.push(call.acked);
    });
    const result = await until(pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: { protocol: 'UDP', address: '127.0.0.5', port: 5060 }, sdp: OFFER }).result);
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    const bob = pair.bob.ua.dialogs[0];
    // §12.1.2: the UAC reverses the Record-Route of the 2xx; §12.1.1: the UAS keeps the request's order.
    expect(result.dialog.routeSet).toEqual(['<sip:127.0.0.5:5060;lr>', '<sip:127.0.0.6:5060;lr>']);
    expect(bob?.routeSet).toEqual(['<sip:127.0.0.6:5060;lr>', '<sip:127.0.0.5:5060;lr>']);
    expect((await until(Promise.all(acked)))[0]?.method).toBe('ACK');

    // The ACK for the 2xx went A then B, with the Route headers each proxy should see.
    expect(proxyA.forwarded).toEqual([
      { method: 'INVITE', routes: [] },
      { method: 'ACK', routes: ['<sip:127.0.0.6:5060;lr>'] },
    ]);
    expect(proxyB.forwarded).toEqual([
      { method: 'INVITE', routes: [] },
      { method: 'ACK', routes: [] },
    ]);

    // Bob hangs up: his BYE goes B then A (his route set), to Alice's Contact as Request-URI.
    const bye = await until(bob?.bye() ?? Promise.reject(new Error('no dialog')));
    expect(bye.ok && bye.response.status).toBe(200);
    expect(proxyB.forwarded.at(-1)).toEqual({ method: 'BYE', routes: ['<sip:127.0.0.5:5060;lr>'] });
    expect(proxyA.forwarded.at(-1)).toEqual({ method: 'BYE', routes: [] });
    expect(await until(result.dialog.ended)).toMatchObject({ by: 'remote', cause: 'bye' });
    await flush();
    // Nothing went straight between the phones.
    expect(pair.wire.filter((m) => m.startsWith('alice>') || m.startsWith('bob>'))).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'bob> 200 INVITE', 'alice> ACK', 'bob> BYE', 'alice> 200 BYE']);
    expect(pair.network.stats.dropped).toBe(0);
  });
});

describe('route sets and in-dialog requests (RFC 3261 §12.2.1.1)', () => {
  const invite = (): SipRequest => {
    const parsed = parseMessage(
      Buffer.from(
        [
          'INVITE sip:bob@127.0.0.2 SIP/2.0',
          'Via: SIP/2.0/UDP 127.0.0.6:5060;branch=z9hG4bKp2',
          'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1;rport',
          'Record-Route: <sip:p2.test;lr>, <sip:p1.test:5080;lr;transport=tcp>',
          'From: "Alice" <sip:alice@127.0.0.1>;tag=a',
          'To: <sip:bob@127.0.0.2>',
          'Call-ID: c1',
          'CSeq: 7 INVITE',
          'Contact: <sip:alice@127.0.0.1:5070>',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      ),
    );
    if (!parsed.ok || parsed.message.type !== 'request') throw new Error('bad fixture');
    return parsed.message;
  };

  it('UAS: keeps the Record-Route order and starts its CSeq empty; its requests carry From/To swapped', () => {
    const state = createUasDialogState(invite(), 'b', 'UDP');
    expect(state).toMatchObject({ callId: 'c1', localTag: 'b', remoteTag: 'a', remoteTarget: 'sip:alice@127.0.0.1:5070', routeSet: ['<sip:p2.test;lr>', '<sip:p1.test:5080;lr;transport=tcp>'], localSeq: 0, remoteSeq: 7 });
    const bye = createInDialogRequest(state, 'BYE', 1);
    expect(bye.uri).toBe('sip:alice@127.0.0.1:5070');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:p2.test;lr>', '<sip:p1.test:5080;lr;transport=tcp>']);
    expect([bye.headers.get('From'), bye.headers.get('To'), bye.headers.get('CSeq')]).toEqual(['<sip:bob@127.0.0.2>;tag=b', '"Alice" <sip:alice@127.0.0.1>;tag=a', '1 BYE']);
    expect(nextHop(bye, 'UDP')).toEqual({ protocol: 'UDP', address: 'p2.test', port: 5060 });
  });

  it('UAC: reverses the Record-Route of the 2xx and goes to the first route, with its transport', () => {
    const request = invite();
    const ok = parseMessage(Buffer.from(`SIP/2.0 200 OK\r\n${request.headers.entries().filter(([n]) => n !== 'To' && n !== 'Contact').map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\nTo: <sip:bob@127.0.0.2>;tag=b\r\nContact: <sip:bob@127.0.0.2:5060>\r\n\r\n`));
    if (!ok.ok || ok.message.type !== 'response') throw new Error('bad fixture');
    const state = createUacDialogState(request, ok.message, 'UDP');
    expect(state).toMatchObject({ localTag: 'a', remoteTag: 'b', remoteTarget: 'sip:bob@127.0.0.2:5060', routeSet: ['<sip:p1.test:5080;lr;transport=tcp>', '<sip:p2.test;lr>'], localSeq: 7, remoteSeq: undefined });
    const info = createInDialogRequest(state, 'INFO', 8);
    expect(nextHop(info, 'UDP')).toEqual({ protocol: 'TCP', address: 'p1.test', port: 5080 });
  });

  it('puts a strict router (no lr) in the Request-URI and the remote target last in Route', () => {
    const state = createUasDialogState(invite(), 'b', 'UDP');
    state.routeSet = ['<sip:strict.test;method=INVITE>', '<sip:p1.test;lr>'];
    const bye = createInDialogRequest(state, 'BYE', 1);
    expect(bye.uri).toBe('sip:strict.test');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:p1.test;lr>', '<sip:alice@127.0.0.1:5070>']);
    expect(nextHop(bye, 'TCP')).toEqual({ protocol: 'TCP', address: 'p1.test', port: 5060 });
  });
});
