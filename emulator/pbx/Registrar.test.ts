import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryNetwork, DigestClient, type MemoryNetwork, parseChallenge, parseNameAddr, type RequestResult, type SipResponse } from '../../sip/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx, type PbxOptions } from './Pbx.js';
import { TestPhone, type PhoneOptions } from './phone.case.js';

const PBX = { address: '127.0.0.1', port: 5060 };
const START = 1_710_000_000_000;

let network: MemoryNetwork;
let now: number;
let logs: string[];
let pbx: Pbx;
let connections: MemoryConnections;
let phones: TestPhone[];

function startPbx(options: PbxOptions = {}, port = PBX.port): Pbx {
  connections = new MemoryConnections();
  const created = Pbx.create(network.createTransport(PBX.address, port), { clock: { now: () => now }, logger: createLogger('info', (line) => logs.push(line)), connections, ...options });
  connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 's3cret' });
  return created;
}

function phone(options: Partial<PhoneOptions> = {}, address = '127.0.0.2', port = 5062): TestPhone {
  const created = TestPhone.on(network, address, port, { username: '101', password: 's3cret', pbx: PBX, ...options });
  phones.push(created);
  return created;
}

function statuses(results: Array<SipResponse | RequestResult>): Array<number | string> {
  return results.map((r) => ('type' in r ? r.status : r.ok ? r.response.status : r.reason));
}

function last(results: Array<SipResponse | RequestResult>): SipResponse {
  const response = results[results.length - 1];
  if (response === undefined || !('type' in response)) throw new Error(`no final response: ${JSON.stringify(statuses(results))}`);
  return response;
}

function contactsOf(response: SipResponse): Array<{ uri: string; expires: string | null | undefined }> {
  return response.headers.getAll('Contact').map((value) => {
    const parsed = parseNameAddr(value);
    return { uri: `${parsed?.uri.user}@${parsed?.uri.host}:${parsed?.uri.port}`, expires: parsed?.params.expires };
  });
}

beforeEach(() => {
  network = createMemoryNetwork({ seed: 5 });
  now = START;
  logs = [];
  phones = [];
  pbx = startPbx();
});

afterEach(async () => {
  await Promise.all(phones.map((p) => p.close()));
  await pbx.close();
});

describe('Registrar: digest authentication', () => {
  it('challenges with SHA-256 then MD5, qop=auth, realm = the To domain, and registers with SHA-256', async () => {
    const results = await phone().register({ expires: 300, algorithm: 'SHA-256' });
    expect(statuses(results)).toEqual([401, 200]);
    const challenges = (results[0] as SipResponse).headers.getAll('WWW-Authenticate').map((v) => parseChallenge(v));
    expect(challenges.map((c) => [c?.algorithm, c?.realm, c?.qop])).toEqual([
      ['SHA-256', 'sip.your-provider.com', ['auth']],
      ['MD5', 'sip.your-provider.com', ['auth']],
    ]);
    const ok = last(results);
    expect(contactsOf(ok)).toEqual([{ uri: '101@127.0.0.2:5062', expires: '300' }]);
    expect(new Date(ok.headers.get('Date') ?? '').getTime()).toBe(START);
    expect(logs).toContain('[omnisip] REGISTER 101@sip.your-provider.com from 127.0.0.2:5062/UDP → 200, expires 300');
  });

  it('registers with MD5', async () => {
    expect(statuses(await phone().register({ algorithm: 'MD5', expires: 600 }))).toEqual([401, 200]);
    expect(pbx.accounts.get('101')).toMatchObject({ registered: true, source: 'connection', contacts: [{ uri: 'sip:101@127.0.0.2:5062', expiresAt: START + 600_000, transport: 'UDP' }] });
  });

  it('registers without qop when the PBX offers none', async () => {
    await pbx.close();
    pbx = startPbx({ digest: { qop: false } });
    const results = await phone().register({ algorithm: 'MD5' });
    expect(parseChallenge((results[0] as SipResponse).headers.get('WWW-Authenticate') ?? '')?.qop).toBeUndefined();
    expect(statuses(results)).toEqual([401, 200]);
  });

  it('answers a wrong password with 401 and a fresh challenge, every time', async () => {
    const results = await phone({ password: 'wrong' }).register({ challenges: 2 });
    expect(statuses(results)).toEqual([401, 401, 401]);
    const nonces = results.map((r) => parseChallenge((r as SipResponse).headers.get('WWW-Authenticate') ?? '')?.nonce);
    expect(new Set(nonces).size).toBe(3);
    expect(logs.filter((l) => l.includes('wrong password for account "101"'))).toHaveLength(2);
    expect(pbx.accounts.get('101')?.registered).toBe(false);
  });

  it('sends a challenge statelessly (RFC 3261 §26.3.2.4): nothing kept, a retransmitted REGISTER is challenged anew; the 200 is kept to repeat', async () => {
    const raw = network.createTransport('127.0.0.3', 5070);
    const answers: string[] = [];
    let wake = (): void => undefined;
    raw.onPacket(({ data }) => {
      answers.push(data.toString());
      wake();
    });
    const answered = (count: number): Promise<void> =>
      new Promise((resolve) => {
        wake = () => {
          if (answers.length >= count) resolve();
        };
        wake();
      });
    const register = [
      'REGISTER sip:sip.your-provider.com SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK-stateless-1',
      'From: <sip:101@sip.your-provider.com>;tag=raw1',
      'To: <sip:101@sip.your-provider.com>',
      'Call-ID: stateless-challenge@127.0.0.3',
      'CSeq: 1 REGISTER',
      'Contact: <sip:101@127.0.0.3:5070>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    await raw.send(Buffer.from(register), { protocol: 'UDP', ...PBX });
    await answered(1);
    expect(pbx.usage()).toMatchObject({ serverTransactions: 0, absorbers: 0 });
    // The same request again (a retransmission): a new challenge, not a copy of the first.
    await raw.send(Buffer.from(register), { protocol: 'UDP', ...PBX });
    await answered(2);
    const nonces = answers.map((text) => (text.startsWith('SIP/2.0 401 ') ? /nonce="([^"]+)"/.exec(text)?.[1] : text.slice(0, 20)));
    expect(nonces).toHaveLength(2);
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(pbx.usage()).toMatchObject({ serverTransactions: 0, absorbers: 0 });

    expect(statuses(await phone().register())).toEqual([401, 200]);
    expect(pbx.usage(), 'the 200 is kept for Timer J, to answer a retransmission with the same bytes').toMatchObject({ serverTransactions: 0, absorbers: 1 });
  });

  it('answers credentials of an unknown user with 403 Unknown account', async () => {
    const results = await phone({ username: '999' }).register();
    expect(statuses(results)).toEqual([401, 403]);
    expect(last(results).reason).toBe('Unknown account');
  });

  it('accepts any password of several mirrors, and a control account overrides them all', async () => {
    connections.set('sipconn_2', { username: '101', domain: 'other.example', password: 'second' });
    expect(statuses(await phone({ password: 'second' }).register())).toEqual([401, 200]);
    pbx.accounts.put('101', { password: 'control-pw' });
    expect(statuses(await phone({ password: 's3cret' }, '127.0.0.3').register())).toEqual([401, 401]);
    expect(statuses(await phone({ password: 'control-pw' }, '127.0.0.4').register())).toEqual([401, 200]);
  });

  it('re-challenges with stale=true when the nonce has expired, and the client then gets in', async () => {
    const p = phone();
    const first = await p.send(p.buildRegister());
    const challenge = first.ok ? parseChallenge(first.response.headers.get('WWW-Authenticate') ?? '') : undefined;
    if (challenge === undefined) throw new Error('no challenge');
    now += 5 * 60_000 + 1;
    const digest = new DigestClient('101', 's3cret');
    const retry = p.buildRegister();
    retry.headers.set('Authorization', digest.authorize(challenge, 'REGISTER', retry.uri));
    const stale = await p.send(retry);
    const fresh = stale.ok ? parseChallenge(stale.response.headers.get('WWW-Authenticate') ?? '') : undefined;
    expect(stale.ok && stale.response.status).toBe(401);
    expect(fresh?.stale).toBe(true);
    if (fresh === undefined) throw new Error('no stale challenge');
    const again = p.buildRegister();
    again.headers.set('Authorization', digest.authorize(fresh, 'REGISTER', again.uri));
    const ok = await p.send(again);
    expect(ok.ok && ok.response.status).toBe(200);
  });

  it('refuses to let one account register the address-of-record of another (403)', async () => {
    pbx.accounts.put('102', { password: 'other' });
    const p = phone();
    const request = p.buildRegister();
    const first = await p.send(request);
    const challenge = first.ok ? parseChallenge(first.response.headers.get('WWW-Authenticate') ?? '') : undefined;
    if (challenge === undefined) throw new Error('no challenge');
    const retry = p.buildRegister();
    retry.headers.set('To', '<sip:102@sip.your-provider.com>');
    retry.headers.set('Authorization', new DigestClient('101', 's3cret').authorize(challenge, 'REGISTER', retry.uri));
    const result = await p.send(retry);
    expect(result.ok && result.response.status).toBe(403);
    expect(pbx.accounts.get('102')?.registered).toBe(false);
  });
});

describe('Registrar: bindings (RFC 3261 §10.3)', () => {
  it('keeps several contacts, each with its own lifetime, and removes one with expires 0', async () => {
    const p = phone();
    const both = last(await p.register({ expires: 300, contacts: ['<sip:101@127.0.0.2:5062>', '<sip:101@127.0.0.2:5070>;expires=120'] }));
    expect(contactsOf(both).sort((a, b) => a.uri.localeCompare(b.uri))).toEqual([
      { uri: '101@127.0.0.2:5062', expires: '300' },
      { uri: '101@127.0.0.2:5070', expires: '120' },
    ]);
    const one = last(await p.register({ contacts: ['<sip:101@127.0.0.2:5070>;expires=0'] }));
    expect(contactsOf(one)).toEqual([{ uri: '101@127.0.0.2:5062', expires: '300' }]);
    expect(logs).toContain('[omnisip] REGISTER 101@sip.your-provider.com from 127.0.0.2:5062/UDP → 200, expires 300, 120 (2 contacts)');
  });

  it('removes every binding with Contact: * and Expires: 0, and refuses * otherwise', async () => {
    const p = phone();
    await p.register({ contacts: ['<sip:101@127.0.0.2:5062>', '<sip:101@127.0.0.2:5070>'] });
    expect(pbx.location.bindings('101')).toHaveLength(2);
    expect(statuses(await p.register({ contacts: ['*'] }))).toEqual([401, 400]);
    const removed = last(await p.register({ contacts: ['*'], expires: 0 }));
    expect(removed.status).toBe(200);
    expect(removed.headers.getAll('Contact')).toEqual([]);
    expect(pbx.accounts.get('101')).toMatchObject({ registered: false, contacts: [] });
  });

  it('answers 423 with Min-Expires below the minimum, and shortens a lifetime above the maximum', async () => {
    const p = phone();
    const brief = last(await p.register({ expires: 30 }));
    expect([brief.status, brief.headers.get('Min-Expires')]).toEqual([423, '60']);
    expect(contactsOf(last(await p.register({ expires: 86_400 })))[0]?.expires).toBe('3600');
  });

  it('lets bindings expire on the injected clock', async () => {
    await phone().register({ expires: 300 });
    now += 299_000;
    expect(pbx.accounts.get('101')?.registered).toBe(true);
    now += 1_000;
    expect(pbx.location.bindings('101')).toEqual([]);
    expect(pbx.accounts.get('101')?.registered).toBe(false);
  });

  it('lists the bindings left, with their remaining lifetime, on a refresh and on a query without Contact', async () => {
    const p = phone();
    await p.register({ expires: 300 });
    now += 100_000;
    const query = last(await p.register({ contacts: [] }));
    expect(contactsOf(query)).toEqual([{ uri: '101@127.0.0.2:5062', expires: '200' }]);
    expect(logs.filter((l) => l.includes('→ 200'))).toHaveLength(1);
  });

  it('fails a REGISTER whose CSeq is not above the binding’s for the same Call-ID (500)', async () => {
    const p = phone();
    await p.register();
    expect(pbx.location.bindings('101')[0]?.cseq).toBe(2);
    p.cseq = 0;
    const results = await p.register({ expires: 0 });
    expect(statuses(results)).toEqual([401, 500]);
    expect(pbx.accounts.get('101')?.registered).toBe(true);
  });

  it('binds a TCP registration to its flow', async () => {
    const p = phone({ protocol: 'TCP' });
    expect(statuses(await p.register())).toEqual([401, 200]);
    const [binding] = pbx.location.bindings('101');
    expect(binding).toMatchObject({ contact: 'sip:101@127.0.0.2:5062;transport=tcp', transport: 'TCP', source: { protocol: 'TCP', address: '127.0.0.2' } });
    expect(binding?.flowId).toMatch(/^MEM-TCP#/);
  });
});
