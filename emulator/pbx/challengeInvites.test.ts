import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeRetry, createMemoryNetwork, DigestClient, parseChallenge, type MemoryNetwork, type SipResponse } from '../../sip/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx } from './Pbx.js';
import { TestPhone } from './phone.case.js';

const PBX = { address: '127.0.0.1', port: 5060 };

let network: MemoryNetwork;
let logs: string[];
let pbx: Pbx;
/** 101: a phone of the PBX, the caller. */
let alice: TestPhone;
/** 202: the callee, answers every INVITE. */
let bob: TestPhone;
const quirkEvents: string[] = [];
/** Turns the quirk on for these accounts. */
function challenge(...accounts: string[]): void {
  for (const account of accounts) pbx.accounts.put(account, { password: account === '101' ? 'alice-pw' : 'bob-pw', quirks: { challengeInvites: true } });
}

beforeEach(async () => {
  network = createMemoryNetwork({ seed: 4 });
  logs = [];
  quirkEvents.length = 0;
  const connections = new MemoryConnections();
  pbx = Pbx.create(network.createTransport(PBX.address, PBX.port), { logger: createLogger('info', (line) => logs.push(line)), connections, onQuirk: (event) => quirkEvents.push(event.text) });
  pbx.accounts.put('101', { password: 'alice-pw' });
  pbx.accounts.put('202', { password: 'bob-pw' });
  alice = TestPhone.on(network, '127.0.0.2', 5062, { username: '101', password: 'alice-pw', pbx: PBX });
  bob = TestPhone.on(network, '127.0.0.3', 5064, { username: '202', password: 'bob-pw', pbx: PBX });
  for (const phone of [alice, bob]) expect((await phone.register()).map((r) => ('type' in r ? r.status : r)).at(-1)).toBe(200);
  bob.onRequest((r) => r.request.method === 'INVITE' && bob.answer(r, 200));
});

afterEach(async () => {
  await Promise.all([alice.close(), bob.close(), pbx.close()]);
});

/** INVITE to 202; on a 407, once more with `password` through authorizeRetry. The statuses in order, and what 202 received. */
async function call(password: string): Promise<{ statuses: number[]; last: SipResponse | undefined }> {
  let invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com', 'v=0\r\n');
  const statuses: number[] = [];
  let answered;
  for (;;) {
    const result = await alice.send(invite);
    if (!result.ok) throw new Error(result.reason);
    statuses.push(result.response.status);
    const retry = authorizeRetry(invite, result.response, new DigestClient('101', password), answered);
    if (retry === undefined) return { statuses, last: result.response };
    ({ request: invite, challenge: answered } = retry);
  }
}

describe('challengeInvites: the proxy authenticates calls from its own accounts (RFC 3261 §22.3)', () => {
  it('lets every call through while the quirk is off, as before', async () => {
    expect((await call('alice-pw')).statuses).toEqual([200]);
  });

  it('answers 407 with Proxy-Authenticate in the caller\'s realm, then forwards the authorized INVITE without the credentials', async () => {
    challenge('101');
    const { statuses } = await call('alice-pw');
    expect(statuses).toEqual([407, 200]);
    const invites = bob.received.filter((r) => r.request.method === 'INVITE');
    expect(invites).toHaveLength(1);
    expect(invites[0]!.request.headers.get('CSeq')).toBe('2 INVITE');
    // The credentials were for the PBX (§22.3): they go no further, as Kamailio's consume_credentials().
    expect(invites[0]!.request.headers.has('Proxy-Authorization')).toBe(false);
    expect(logs.some((l) => l.includes('→ 407: challenged the caller "101" for credentials (realm "sip.your-provider.com", quirk challengeInvites)'))).toBe(true);
    expect(quirkEvents).toEqual(['INVITE from 101 answered 407: challenged the caller "101" for credentials (realm "sip.your-provider.com", quirk challengeInvites)']);
  });

  it('offers SHA-256 and MD5 challenges, as for registrations', async () => {
    challenge('101');
    const result = await alice.send(alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com'));
    const offered = result.ok ? result.response.headers.getAll('Proxy-Authenticate').map((v) => parseChallenge(v)?.algorithm) : [];
    expect(offered).toEqual(['SHA-256', 'MD5']);
  });

  it('refuses a wrong password with 403, and says why in the log', async () => {
    challenge('101');
    const { statuses, last } = await call('wrong');
    expect(statuses).toEqual([407, 403]);
    expect(last?.reason).toBe('Forbidden (wrong credentials)');
    expect(bob.received.filter((r) => r.request.method === 'INVITE')).toEqual([]);
    expect(logs.some((l) => l.includes('→ 403: wrong credentials for account "101"'))).toBe(true);
  });

  it('refuses the credentials of another account than the From', async () => {
    challenge('101');
    let invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com');
    const first = await alice.send(invite);
    invite = authorizeRetry(invite, first.ok ? first.response : (undefined as never), new DigestClient('202', 'bob-pw'))!.request;
    const second = await alice.send(invite);
    expect(second.ok && second.response.status).toBe(403);
  });

  it('challenges the accounts that have the quirk (or all, PBX-wide), never a From that is no account (a trunk)', async () => {
    challenge('202');
    expect((await call('alice-pw')).statuses).toEqual([200]);
    pbx.quirks.set({ challengeInvites: true });
    const trunk = TestPhone.on(network, '127.0.0.4', 5066, { username: 'carrier', password: '', pbx: PBX });
    const result = await trunk.send(trunk.buildRequest('INVITE', 'sip:202@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(200);
    await trunk.close();
    expect((await call('alice-pw')).statuses).toEqual([407, 200]);
  });
});
