import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequest, generateCallId, parseMessage } from '../message/index.js';
import { bobAnswers, createPair, OFFER, T1, until, type Pair } from './fixtures.case.js';

let pair: Pair;

beforeEach(() => {
  vi.useFakeTimers();
  pair = createPair();
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});


describe('reliable provisional responses (RFC 3262)', () => {
  it('sends 180 with Require: 100rel and RSeq when the caller requires it, and the 200 only after the PRACK', async () => {
    const calls = bobAnswers(pair);
    const ringing: string[] = [];
    const call = pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER, reliableProvisionals: 'required', onProvisional: (r) => ringing.push(`${r.status} RSeq ${r.headers.get('RSeq')}`) });
    const result = await until(call.result);
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    expect(calls[0]?.reliable).toBe(true);
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'alice> PRACK', 'bob> 200 PRACK', 'bob> 200 INVITE', 'alice> ACK']);
    expect(ringing).toHaveLength(1);
    // The dialog's next request comes after the INVITE (1) and the PRACK (2).
    const bye = await until(result.dialog.bye());
    expect(bye.ok && bye.response.headers.get('CSeq')).toBe('3 BYE');
  });

  it('retransmits the reliable 180 until the PRACK, which the caller sends once', async () => {
    bobAnswers(pair);
    let lost = 0;
    pair.network.dropWhen((packet) => packet.toString('latin1').startsWith('PRACK ') && lost++ === 0);
    const result = await until(pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER, reliableProvisionals: 'required' }).result);
    expect(result.ok).toBe(true);
    const flow = pair.wire.join(', ');
    expect(flow.startsWith('alice> INVITE, bob> 180 INVITE, alice> PRACK')).toBe(true);
    expect(pair.wire.filter((m) => m === 'bob> 180 INVITE').length).toBeGreaterThan(1);
    expect(pair.wire.filter((m) => m === 'alice> PRACK').length).toBe(2); // the PRACK's own retransmission, not a second PRACK
    expect(pair.wire.filter((m) => m === 'bob> 200 PRACK')).toHaveLength(1);
    expect(pair.wire.indexOf('bob> 200 INVITE')).toBeGreaterThan(pair.wire.indexOf('bob> 200 PRACK'));
  });

  it('answers 504 to the INVITE when no PRACK comes within 64*T1', async () => {
    bobAnswers(pair);
    // A caller that requires 100rel but never PRACKs: a bare INVITE from alice's stack.
    const invite = createRequest({
      method: 'INVITE',
      uri: pair.bob.uri,
      headers: [['From', `<${pair.alice.uri}>;tag=a1`], ['To', `<${pair.bob.uri}>`], ['Call-ID', generateCallId()], ['CSeq', '1 INVITE'], ['Contact', `<${pair.alice.uri}>`], ['Require', '100rel']],
      body: OFFER,
      contentType: 'application/sdp',
    });
    const rings: number[] = [];
    const result = await until(pair.alice.stack.request(invite, pair.bob.endpoint, { onProvisional: (r) => rings.push(r.status) }), 80 * T1);
    expect(result.ok && result.response.status).toBe(504);
    expect(rings.filter((s) => s === 180).length).toBeGreaterThan(3);
    expect(pair.bob.warnings.join('\n')).toMatch(/no PRACK for our reliable 180 within 64\*T1/);
  });

  it('sends a plain 180 when the caller only supports 100rel', async () => {
    const calls = bobAnswers(pair);
    await until(pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER, reliableProvisionals: 'supported' }).result);
    expect(calls[0]?.reliable).toBe(false);
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'bob> 200 INVITE', 'alice> ACK']);
  });
});
