import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCancel, createMemoryNetwork, formatUri, parseNameAddr, parseVia, type MemoryNetwork } from '../../sip/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx, type PbxOptions } from './Pbx.js';
import { settle, TestPhone, uacDialog, uasDialog } from './phone.case.js';

const PBX = { address: '127.0.0.1', port: 5060 };

let network: MemoryNetwork;
let logs: string[];
let pbx: Pbx;
/** 101 over UDP: the caller. */
let alice: TestPhone;
/** 202 over TCP: the callee. */
let bob: TestPhone;

async function setUp(options: PbxOptions = {}): Promise<void> {
  network = createMemoryNetwork({ seed: 9 });
  logs = [];
  const connections = new MemoryConnections();
  pbx = Pbx.create(network.createTransport(PBX.address, PBX.port), { logger: createLogger('info', (line) => logs.push(line)), accounts: [{ username: '200', password: 'human' }], connections, ...options });
  connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 'alice-pw' });
  pbx.accounts.put('202', { password: 'bob-pw' });
  alice = TestPhone.on(network, '127.0.0.2', 5062, { username: '101', password: 'alice-pw', pbx: PBX });
  bob = TestPhone.on(network, '127.0.0.3', 5064, { username: '202', password: 'bob-pw', pbx: PBX, protocol: 'TCP' });
  for (const phone of [alice, bob]) {
    const results = await phone.register();
    expect(results.map((r) => ('type' in r ? r.status : r)).at(-1)).toBe(200);
  }
}

beforeEach(async () => {
  await setUp();
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all([alice.close(), bob.close(), pbx.close()]);
});

describe('Proxy: routing an INVITE to an extension', () => {
  it('answers 404 for an unknown extension', async () => {
    const result = await alice.send(alice.buildRequest('INVITE', 'sip:999@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(404);
    expect(logs.some((l) => l.includes('INVITE sip:999@sip.your-provider.com from 127.0.0.2:5062/UDP → 404: no account "999"'))).toBe(true);
  });

  it('answers 480 for a known extension with no live registration', async () => {
    const result = await alice.send(alice.buildRequest('INVITE', 'sip:200@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(480);
  });

  it('answers 483 when Max-Forwards is 0', async () => {
    const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com');
    invite.headers.set('Max-Forwards', 0);
    const result = await alice.send(invite);
    expect(result.ok && result.response.status).toBe(483);
    expect(bob.received.filter((r) => r.request.method === 'INVITE')).toEqual([]);
  });

  it('reads a Max-Forwards with leading zeros as its number (0068 is 68, RFC 4475 §3.1.1.1)', async () => {
    bob.onRequest((r) => {
      if (r.request.method === 'INVITE') bob.answer(r, 486);
    });
    const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com');
    invite.headers.set('Max-Forwards', '0068');
    const result = await alice.send(invite);
    expect(result.ok && result.response.status).toBe(486);
    expect((await bob.next('INVITE')).request.headers.get('Max-Forwards')).toBe('67');
  });

  it('does not forward off loopback while bound to it: a Request-URI naming another address gets 403 (RFC 4475 messages name 192.0.2.x)', async () => {
    const result = await alice.send(alice.buildRequest('OPTIONS', 'sip:user@192.0.2.103:3002'));
    expect(result.ok && result.response.status).toBe(403);
    expect(logs.some((l) => l.includes('→ 403: will not forward to 192.0.2.103'))).toBe(true);
  });

  it('forwards UDP → TCP on the registration flow, relays 180 and 200, and routes ACK and BYE through its Record-Route', async () => {
    bob.onRequest((r) => {
      if (r.request.method !== 'INVITE') return;
      bob.answer(r, 180);
      bob.answer(r, 200);
    });
    alice.onRequest((r) => {
      if (r.request.method === 'BYE') alice.answer(r, 200, 'caller-tag');
    });
    const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com', 'v=0\r\n');
    const provisional: number[] = [];
    const result = await alice.send(invite, { onProvisional: (r) => provisional.push(r.status) });
    if (!result.ok) throw new Error(`INVITE failed: ${result.reason}`);
    expect(result.response.status).toBe(200);
    expect(provisional).toEqual([100, 180]);

    // What the callee saw: its contact as Request-URI, both Vias, one hop less, double Record-Route (TCP leg on top), on its flow.
    const atBob = await bob.next('INVITE');
    const forwarded = atBob.request;
    expect(forwarded.uri).toBe('sip:202@127.0.0.3:5064;transport=tcp');
    expect(forwarded.headers.getAll('Via').map((v) => parseVia(v)?.host)).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(forwarded.headers.get('Max-Forwards')).toBe('69');
    expect(forwarded.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.1:5060;transport=tcp;lr>', '<sip:127.0.0.1:5060;transport=udp;lr>']);
    expect(forwarded.body.toString()).toBe('v=0\r\n');
    expect(atBob.context.flowId).toBe(pbx.location.bindings('202')[0]?.flowId);
    // What the caller got back: our Via stripped, the Record-Route set intact.
    expect(result.response.headers.getAll('Via')).toHaveLength(1);
    expect(result.response.headers.getAll('Record-Route')).toHaveLength(2);

    const callerDialog = uacDialog(invite, result.response);
    const ack = await alice.sendAck(callerDialog);
    const ackAtBob = await bob.next('ACK');
    expect(ackAtBob.tx).toBeUndefined();
    expect(ackAtBob.request.uri).toBe('sip:202@127.0.0.3:5064;transport=tcp');
    expect(ackAtBob.request.headers.getAll('Route')).toEqual([]);
    expect(ackAtBob.request.headers.get('CSeq')).toBe(ack.headers.get('CSeq'));

    const calleeDialog = uasDialog(forwarded);
    const bye = bob.buildInDialog(calleeDialog, 'BYE');
    const byeResult = await bob.send(bye);
    expect(byeResult.ok && byeResult.response.status).toBe(200);
    const byeAtAlice = await alice.next('BYE');
    expect(byeAtAlice.request.uri).toBe('sip:101@127.0.0.2:5062');
    expect(byeAtAlice.context.source.protocol).toBe('UDP');
    expect(byeAtAlice.request.headers.getAll('Route')).toEqual([]);
  });

  it('uses one Record-Route entry when both legs share a transport, and forwards MESSAGE and OPTIONS to a user', async () => {
    const carol = TestPhone.on(network, '127.0.0.4', 5066, { username: '200', password: 'human', pbx: PBX });
    try {
      await carol.register();
      carol.onRequest((r) => carol.answer(r, 200));
      const invite = alice.buildRequest('INVITE', 'sip:200@sip.your-provider.com');
      const result = await alice.send(invite);
      expect(result.ok && result.response.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.1:5060;transport=udp;lr>']);
      for (const method of ['MESSAGE', 'OPTIONS']) {
        const answered = await alice.send(alice.buildRequest(method, 'sip:200@sip.your-provider.com'));
        expect(answered.ok && answered.response.status).toBe(200);
        const seen = await carol.next(method);
        expect(seen.request.headers.has('Record-Route')).toBe(false);
      }
    } finally {
      await carol.close();
    }
  });

  it('cancels the branch when the caller sends CANCEL, and relays the callee’s 487', async () => {
    bob.onRequest((r) => {
      if (r.request.method !== 'INVITE') return;
      bob.answer(r, 180);
      r.tx?.onCancel(() => bob.answer(r, 487));
    });
    const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com');
    let ringing!: () => void;
    const rang = new Promise<void>((resolve) => (ringing = resolve));
    const answer = alice.send(invite, { onProvisional: (r) => r.status === 180 && ringing() });
    await rang;
    const cancel = await alice.send(createCancel(invite));
    expect(cancel.ok && cancel.response.status).toBe(200);
    const final = await answer;
    expect(final.ok && final.response.status).toBe(487);
    expect((await bob.next('INVITE')).tx?.state).not.toBe('Proceeding');
  });
});

describe('Proxy: route processing (RFC 3261 §16.4)', () => {
  it('removes a preloaded Route to itself and routes on the Request-URI', async () => {
    bob.onRequest((r) => r.request.method === 'INVITE' && bob.answer(r, 200));
    const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com');
    invite.headers.append('Route', '<sip:127.0.0.1:5060;lr>');
    const result = await alice.send(invite);
    expect(result.ok && result.response.status).toBe(200);
    expect((await bob.next('INVITE')).request.headers.getAll('Route')).toEqual([]);
  });

  it('restores the Request-URI of a request from a strict router', async () => {
    bob.onRequest((r) => r.request.method === 'INVITE' && bob.answer(r, 200));
    alice.onRequest((r) => r.request.method === 'BYE' && alice.answer(r, 200, 'caller-tag'));
    const result = await alice.send(alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(200);
    const dialog = uasDialog((await bob.next('INVITE')).request);
    // A strict router (RFC 2543) puts the first route in the Request-URI and the remote target last in Route.
    const [first, ...rest] = dialog.routeSet;
    const ours = parseNameAddr(first ?? '')?.uri;
    if (ours === undefined) throw new Error('no Record-Route');
    const strict = bob.buildInDialog({ ...dialog, remoteTarget: formatUri(ours), routeSet: [...rest, `<${dialog.remoteTarget}>`] }, 'BYE');
    expect(strict.uri).toBe('sip:127.0.0.1:5060;transport=tcp;lr');
    const bye = await bob.send(strict);
    expect(bye.ok && bye.response.status).toBe(200);
    const atAlice = await alice.next('BYE');
    expect(atAlice.request.uri).toBe('sip:101@127.0.0.2:5062');
    expect(atAlice.request.headers.getAll('Route')).toEqual([]);
  });
});

describe('Proxy: failures downstream', () => {
  it('answers 408 when the next hop never answers (Timer B)', async () => {
    const carol = TestPhone.on(network, '127.0.0.4', 5066, { username: '200', password: 'human', pbx: PBX });
    await carol.register();
    // Carol's phone vanishes without unregistering: the PBX still has her UDP binding.
    await carol.close();
    vi.useFakeTimers();
    const provisional: number[] = [];
    const result = await settle(alice.send(alice.buildRequest('INVITE', 'sip:200@sip.your-provider.com'), { onProvisional: (r) => provisional.push(r.status) }), (ms) => vi.advanceTimersByTimeAsync(ms));
    expect(provisional).toEqual([100]);
    expect(result.ok && result.response.status).toBe(408);
  });

  it('answers 500 when the callee’s TCP flow is gone and its contact refuses connections (§16.9)', async () => {
    network.closeConnections('127.0.0.3');
    await bob.close();
    const result = await alice.send(alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(500);
    expect(logs.some((l) => l.includes('→ 500: could not reach the next hop'))).toBe(true);
  });

  it('CANCELs a branch that rings past Timer C, and relays the callee’s 487', async () => {
    await Promise.all([alice.close(), bob.close(), pbx.close()]);
    await setUp({ timerC: 5_000 });
    bob.onRequest((r) => {
      if (r.request.method !== 'INVITE') return;
      bob.answer(r, 180);
      r.tx?.onCancel(() => bob.answer(r, 487));
    });
    vi.useFakeTimers();
    const result = await settle(alice.send(alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com')), (ms) => vi.advanceTimersByTimeAsync(ms));
    expect(result.ok && result.response.status).toBe(487);
    // Bob's own 487 (his To tag), not one the PBX made up after giving up on him.
    expect(result.ok && parseNameAddr(result.response.headers.get('To') ?? '')?.params.tag).toBe('callee-tag');
    expect(logs.some((l) => l.includes('Timer C fired after 5000 ms'))).toBe(true);
    expect(logs.some((l) => l.includes('the CANCEL got no final response'))).toBe(false);
  });
});
