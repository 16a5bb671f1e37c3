import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCancel, createMemoryNetwork, type MemoryNetwork, type RequestResult, type SipResponse } from '../../sip/index.js';
import { FaultRules } from '../core/FaultRules.js';
import { seededSource } from '../../random/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Ids } from '../core/ids.js';
import { Pbx, type PbxOptions } from './Pbx.js';
import { settle, TestPhone } from './phone.case.js';

const PBX = { address: '127.0.0.1', port: 5060 };

let network: MemoryNetwork;
let faults: FaultRules;
let logs: string[];
let pbx: Pbx;
let phones: TestPhone[];

function startPbx(options: PbxOptions = {}): Pbx {
  const connections = new MemoryConnections();
  const created = Pbx.create(network.createTransport(PBX.address, PBX.port), { faults, random: seededSource(3), logger: createLogger('info', (line) => logs.push(line)), connections, ...options });
  connections.set('sipconn_101', { username: '101', domain: 'sip.your-provider.com', password: 'pw-101' });
  connections.set('sipconn_102', { username: '102', domain: 'sip.your-provider.com', password: 'pw-102' });
  return created;
}

function phone(username: string, host = 2): TestPhone {
  const created = TestPhone.on(network, `127.0.0.${host}`, 5062, { username, password: `pw-${username}`, pbx: PBX });
  phones.push(created);
  return created;
}

function statuses(results: Array<SipResponse | RequestResult>): Array<number | string> {
  return results.map((r) => ('type' in r ? r.status : r.ok ? r.response.status : r.reason));
}

const advance = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  network = createMemoryNetwork({ seed: 17 });
  faults = new FaultRules(seededSource(1).float, new Ids(seededSource(2)));
  logs = [];
  phones = [];
  pbx = startPbx();
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(phones.map((p) => p.close()));
  await pbx.close();
});

describe('Pbx as a UAS', () => {
  it('answers OPTIONS with Allow, Accept and Supported', async () => {
    const p = phone('101');
    const result = await p.send(p.buildRequest('OPTIONS', 'sip:sip.your-provider.com'));
    if (!result.ok) throw new Error(result.reason);
    expect(result.response.status).toBe(200);
    expect(result.response.headers.getAll('Allow')).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'REFER', 'NOTIFY']));
    expect(result.response.headers.get('Accept')).toBe('application/sdp');
    expect(result.response.headers.has('Supported')).toBe(true);
    expect(result.response.headers.get('Server')).toBe('omnisip-pbx');
  });

  it('answers OPTIONS itself when the only Route is its own (outbound proxy), and proxies it otherwise', async () => {
    const p = phone('101');
    const viaUs = p.buildRequest('OPTIONS', 'sip:sip.your-provider.com');
    viaUs.headers.append('Route', '<sip:127.0.0.1:5060;lr>');
    const local = await p.send(viaUs);
    expect(local.ok && [local.response.status, local.response.headers.get('Server')]).toEqual([200, 'omnisip-pbx']);
    const elsewhere = p.buildRequest('OPTIONS', 'sip:sip.your-provider.com');
    elsewhere.headers.append('Route', '<sip:127.0.0.1:5999;lr>');
    // Routed on to 127.0.0.1:5999, where nobody listens: the caller's Timer F fires (the proxy's 408 would come as late).
    vi.useFakeTimers();
    const routed = await settle(p.send(elsewhere), advance);
    expect(routed.ok ? routed.response.status : routed.reason).toBe('timeout');
    expect(logs).toContain('[omnisip] OPTIONS sip:sip.your-provider.com from 127.0.0.2:5062/UDP → forwarded to sip:sip.your-provider.com (UDP 127.0.0.1:5999)');
  });

  it('answers a method it knows but does not offer with 405 and Allow, and an unknown one with 501', async () => {
    const p = phone('101');
    const publish = await p.send(p.buildRequest('PUBLISH', 'sip:101@sip.your-provider.com'));
    expect(publish.ok && [publish.response.status, publish.response.headers.getAll('Allow')]).toEqual([405, expect.arrayContaining(['INVITE', 'REGISTER'])]);
    expect(publish.ok && publish.response.headers.getAll('Allow')).not.toContain('PUBLISH');
    const unknown = await p.send(p.buildRequest('FROBNICATE', 'sip:101@sip.your-provider.com'));
    expect(unknown.ok && unknown.response.status).toBe(501);
    expect(logs.some((l) => l.includes('→ 501: unknown method FROBNICATE'))).toBe(true);
  });

  it('answers 416 to a Request-URI scheme it cannot serve, before routing or registering (RFC 3261 §8.2.2.1, RFC 4475 §3.3.2)', async () => {
    const p = phone('101');
    for (const uri of ['nobodyKnowsThisScheme:totallyopaquecontent', 'soap.beep://192.0.2.103:3002']) {
      const options = p.buildRequest('OPTIONS', uri);
      options.headers.set('To', '<sip:101@sip.your-provider.com>');
      const result = await p.send(options);
      expect(result.ok && [result.response.status, result.response.reason]).toEqual([416, 'Unsupported URI Scheme']);
    }
  });

  it('answers 416 to a REGISTER whose To or Contact has a scheme it cannot register (RFC 4475 §3.3.4)', async () => {
    const p = phone('101');
    const register = p.buildRequest('REGISTER', 'sip:sip.your-provider.com');
    register.headers.set('To', 'isbn:2983792873');
    register.headers.set('Contact', '<name:John_Smith>');
    const result = await p.send(register);
    expect(result.ok && result.response.status).toBe(416);
    expect(logs.some((l) => l.includes('→ 416: cannot register isbn:2983792873'))).toBe(true);
  });

  it('answers 420 with Unsupported to a REGISTER that requires an extension', async () => {
    const response = (await phone('101').register({ extraHeaders: [['Require', 'gruu']] }))[0] as SipResponse;
    expect([response.status, response.headers.get('Unsupported')]).toEqual([420, 'gruu']);
  });

  it('answers 481 to a CANCEL that matches no INVITE', async () => {
    const p = phone('101');
    const result = await p.send(p.buildRequest('CANCEL', 'sip:102@sip.your-provider.com'));
    expect(result.ok && result.response.status).toBe(481);
  });
});

describe('Pbx fault hooks', () => {
  it('answers 503 to the REGISTERs of one account only', async () => {
    faults.add({ match: { target: 'sip', method: 'REGISTER', account: '101' }, action: { type: 'respond', status: 503, retryAfter: 30 } });
    const [rejected] = (await phone('101').register()) as SipResponse[];
    expect([rejected?.status, rejected?.reason, rejected?.headers.get('Retry-After')]).toEqual([503, 'Service Unavailable', '30']);
    expect(statuses(await phone('102', 3).register())).toEqual([401, 200]);
    expect(faults.list()[0]?.hits).toBe(1);
  });

  it('matches a rule on the connection the account mirrors', async () => {
    faults.add({ match: { target: 'sip', connectionId: 'sipconn_102' }, action: { type: 'respond', status: 486, description: 'Busy by rule' } });
    expect(statuses(await phone('101').register())).toEqual([401, 200]);
    const [busy] = (await phone('102', 3).register()) as SipResponse[];
    expect([busy?.status, busy?.reason]).toEqual([486, 'Busy by rule']);
  });

  it('answers 401 with a challenge that never succeeds while the rule lasts, then lets the client in', async () => {
    faults.add({ match: { target: 'sip', method: 'REGISTER' }, action: { type: 'respond', status: 401 }, times: 3 });
    const p = phone('101');
    expect(statuses(await p.register({ challenges: 2 }))).toEqual([401, 401, 401]);
    // The rule is used up; the last fake challenge is refused by the real registrar, which challenges afresh.
    expect(statuses(await p.register({ challenges: 2 }))).toEqual([401, 200]);
  });

  it('answers 423 with Min-Expires', async () => {
    faults.add({ match: { target: 'sip', method: 'REGISTER' }, action: { type: 'respond', status: 423 }, times: 1 });
    const [brief] = (await phone('101').register()) as SipResponse[];
    expect([brief?.status, brief?.headers.get('Min-Expires')]).toEqual([423, '60']);
  });

  it('drops a request so the client times out (Timer F)', async () => {
    vi.useFakeTimers();
    faults.add({ match: { target: 'sip', method: 'REGISTER', account: '101' }, action: { type: 'drop' } });
    const p = phone('101');
    expect(statuses(await settle(p.register(), advance))).toEqual(['timeout']);
    // The rule acts below the transaction layer: every retransmission is dropped too, as on a dead link.
    expect(faults.list()[0]?.hits).toBeGreaterThan(5);
    expect(network.stats.delivered).toBeGreaterThan(5);
    expect(logs.some((l) => l.includes('dropped the message'))).toBe(true);
  });

  it('drops what it sends with a `direction: out` rule, responses included; a rule without a direction is about what it receives', async () => {
    vi.useFakeTimers();
    faults.add({ match: { target: 'sip', method: 'REGISTER', direction: 'out' }, action: { type: 'drop' } });
    expect(statuses(await settle(phone('101').register(), advance))).toEqual(['timeout']);
    expect(logs.some((l) => /401 REGISTER to 127\.0\.0\.2:5062\/UDP: fault rule \S+ dropped the message/.test(l))).toBe(true);
    faults.clear();
    logs.length = 0;
    faults.add({ match: { target: 'sip', method: 'REGISTER' }, action: { type: 'drop' }, probability: 0.5 });
    expect(statuses(await settle(phone('102', 3).register(), advance)).at(-1)).toBe(200);
    expect(logs.filter((l) => l.includes('dropped the message')).length).toBe(faults.list()[0]?.hits);
    expect(logs.filter((l) => / REGISTER to /.test(l))).toEqual([]);
  });

  it('completes registrations with 20% of what it receives and 20% of what it sends dropped by rules', async () => {
    vi.useFakeTimers();
    faults.add({ match: { target: 'sip', direction: 'in' }, action: { type: 'drop' }, probability: 0.2 });
    faults.add({ match: { target: 'sip', direction: 'out' }, action: { type: 'drop' }, probability: 0.2 });
    const results = await settle(Promise.all([phone('101').register(), phone('102', 3).register()]), advance);
    expect(results.map((r) => statuses(r).at(-1))).toEqual([200, 200]);
    expect(faults.list().map((rule) => rule.hits)).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('delays the answer by the rule’s time', async () => {
    vi.useFakeTimers();
    faults.add({ match: { target: 'sip', method: 'OPTIONS' }, action: { type: 'delay', ms: 2_000 } });
    const p = phone('101');
    let answered = false;
    const pending = p.send(p.buildRequest('OPTIONS', 'sip:sip.your-provider.com')).then((r) => {
      answered = true;
      return r;
    });
    await advance(1_900);
    expect(answered).toBe(false);
    await advance(200);
    const result = await pending;
    expect(result.ok && result.response.status).toBe(200);
  });

  it('answers 487 to an INVITE cancelled while a delay rule holds it, and never forwards it', async () => {
    vi.useFakeTimers();
    faults.add({ match: { target: 'sip', method: 'INVITE' }, action: { type: 'delay', ms: 5_000 } });
    const p = phone('101');
    const invite = p.buildRequest('INVITE', 'sip:102@sip.your-provider.com');
    const answer = p.send(invite);
    await advance(1_000);
    const cancel = await p.send(createCancel(invite));
    expect(cancel.ok && cancel.response.status).toBe(200);
    const final = await settle(answer, advance);
    expect(final.ok && final.response.status).toBe(487);
    await advance(5_000);
    expect(logs.some((l) => l.includes('INVITE sip:102@sip.your-provider.com from 127.0.0.2:5062/UDP →'))).toBe(false);
  });

  it('drops everything while down, and serves again once up', async () => {
    vi.useFakeTimers();
    const p = phone('101');
    pbx.setDown(true);
    expect(statuses(await settle(p.register(), advance))).toEqual(['timeout']);
    expect(pbx.accounts.get('101')?.registered).toBe(false);
    pbx.setDown(false);
    expect(statuses(await settle(p.register(), advance))).toEqual([401, 200]);
    expect(logs).toContain('[omnisip] PBX: down (dropping every SIP message)');
  });
});

describe('Pbx.reset', () => {
  it('goes back to configured accounts and its connections, up and lossless', async () => {
    await pbx.close();
    pbx = startPbx({ accounts: [{ username: '200', password: 'human' }] });
    pbx.accounts.put('300', { password: 'x' });
    pbx.setDown(true);
    pbx.setDropRate(1);
    pbx.reset();
    expect(pbx.accounts.list().map((a) => [a.username, a.source])).toEqual([['101', 'connection'], ['102', 'connection'], ['200', 'config']]);
    const human = TestPhone.on(network, '127.0.0.7', 5062, { username: '200', password: 'human', pbx: PBX });
    phones.push(human);
    expect(statuses(await human.register())).toEqual([401, 200]);
  });
});

describe('Pbx under packet loss', () => {
  it('completes every registration with 20% of UDP datagrams lost on the network', async () => {
    vi.useFakeTimers();
    network.setDropRate(0.2);
    const users = Array.from({ length: 12 }, (_, i) => `3${String(i).padStart(2, '0')}`);
    for (const user of users) pbx.accounts.put(user, { password: `pw-${user}` });
    const registrations = users.map((user, i) => phone(user, 10 + i).register({ expires: 600 }));
    const results = await settle(Promise.all(registrations), advance);
    expect(results.map((r) => statuses(r).at(-1))).toEqual(users.map(() => 200));
    expect(network.stats.dropped).toBeGreaterThan(0);
    expect(pbx.accounts.list().filter((a) => a.registered).map((a) => a.username)).toEqual(users);
  });

  it('completes registrations with the PBX’s own dropRate of 20%, both ways', async () => {
    vi.useFakeTimers();
    await pbx.close();
    pbx = startPbx({ dropRate: 0.2 });
    const results = await settle(Promise.all([phone('101').register(), phone('102', 3).register()]), advance);
    expect(results.map((r) => statuses(r).at(-1))).toEqual([200, 200]);
  });

  it('loses every UDP message with dropRate 1', async () => {
    vi.useFakeTimers();
    pbx.setDropRate(1);
    expect(statuses(await settle(phone('101').register(), advance))).toEqual(['timeout']);
  });
});
