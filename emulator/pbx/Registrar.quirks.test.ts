import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryNetwork, type MemoryNetwork, type RequestResult, type SipResponse } from '../../sip/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx } from './Pbx.js';
import { TestPhone } from './phone.case.js';
import type { QuirkEvent } from './quirks.js';

// The registrar's quirks, against a hand-built REGISTER from a phone on the memory network.
const PBX = { address: '127.0.0.1', port: 5060 };

let network: MemoryNetwork;
let pbx: Pbx;
let phones: TestPhone[];
let quirks: QuirkEvent[];
let logs: string[];

const statuses = (results: Array<SipResponse | RequestResult>): Array<number | string> => results.map((r) => ('type' in r ? r.status : r.ok ? r.response.status : r.reason));
const last = (results: Array<SipResponse | RequestResult>): SipResponse => results[results.length - 1] as SipResponse;

function phone(): TestPhone {
  const created = TestPhone.on(network, '127.0.0.2', 5062, { username: '101', password: 's3cret', domain: 'sip.your-provider.com', pbx: PBX });
  phones.push(created);
  return created;
}

beforeEach(() => {
  network = createMemoryNetwork({ seed: 9 });
  phones = [];
  quirks = [];
  logs = [];
  const connections = new MemoryConnections();
  pbx = Pbx.create(network.createTransport(PBX.address, PBX.port), { connections, logger: createLogger('info', (line) => logs.push(line)), onQuirk: (e) => quirks.push(e) });
  connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 's3cret' });
});

afterEach(async () => {
  await Promise.all(phones.map((p) => p.close()));
  await pbx.close();
});

describe('quirk strictDigestUri (Asterisk chan_pjsip, FreeSWITCH)', () => {
  it.each([
    ['with ;transport=tcp', 'sip:sip.your-provider.com;transport=tcp'],
    ['with the port', 'sip:sip.your-provider.com:5060'],
    ['with the user', 'sip:101@sip.your-provider.com'],
  ])('answers 401 again to a digest uri %s that the Request-URI lacks', async (_case, digestUri) => {
    pbx.quirks.set({ strictDigestUri: true });
    const results = await phone().register({ expires: 300, digestUri, challenges: 2 });
    expect(statuses(results)).toEqual([401, 401, 401]);
    expect(last(results).headers.get('WWW-Authenticate')).toMatch(/^Digest /);
    expect(pbx.accounts.get('101')?.registered).toBe(false);
    expect(quirks[0]).toMatchObject({ quirk: 'strictDigestUri', account: '101', text: `REGISTER refused with 401: digest uri "${digestUri}" is not the Request-URI "sip:sip.your-provider.com"` });
  });

  it('accepts the digest uri that is the Request-URI byte for byte, and without the quirk any form', async () => {
    pbx.quirks.set({ strictDigestUri: true });
    const p = phone();
    expect(statuses(await p.register({ expires: 300 }))).toEqual([401, 200]);
    pbx.quirks.set({});
    expect(statuses(await p.register({ expires: 300, digestUri: 'sip:sip.your-provider.com;transport=tcp' }))).toEqual([401, 200]);
    expect(quirks).toEqual([]);
  });
});

describe('quirk fromMustMatchAuthUser (Asterisk, 3CX)', () => {
  it('answers 403 when the From user is not the authentication user, and registers when it is', async () => {
    pbx.accounts.put('101', { password: 's3cret', quirks: { fromMustMatchAuthUser: true } });
    const p = phone();
    const results = await p.register({ expires: 300, fromUser: '+4930123456' });
    expect(statuses(results)).toEqual([401, 403]);
    expect(pbx.accounts.get('101')?.registered).toBe(false);
    expect(quirks).toEqual([expect.objectContaining({ quirk: 'fromMustMatchAuthUser', account: '101', text: 'REGISTER refused with 403: From user "+4930123456" is not the authentication user "101"' })]);
    expect(statuses(await p.register({ expires: 300 }))).toEqual([401, 200]);
  });

  it('is off for an account whose quirks say false, whatever the PBX-wide ones say', async () => {
    pbx.quirks.set({ fromMustMatchAuthUser: true });
    pbx.accounts.put('101', { password: 's3cret', quirks: { fromMustMatchAuthUser: false } });
    expect(statuses(await phone().register({ expires: 300, fromUser: 'someone-else' }))).toEqual([401, 200]);
  });
});

describe('quirk registerRejected (a trunk-only port)', () => {
  it('answers 405 Method Not Allowed with an Allow that lacks REGISTER, before any challenge', async () => {
    pbx.quirks.set({ registerRejected: 405 });
    const results = await phone().register({ expires: 300 });
    expect(statuses(results)).toEqual([405]);
    expect(last(results).reason).toBe('Method Not Allowed');
    const allow = last(results).headers.getAll('Allow');
    expect(allow).toEqual(expect.arrayContaining(['INVITE', 'OPTIONS', 'BYE']));
    expect(allow).not.toContain('REGISTER');
    expect(quirks).toEqual([expect.objectContaining({ quirk: 'registerRejected', account: '101', text: 'REGISTER answered 405 Method Not Allowed: no registrar on this port' })]);
  });

  it('answers 501 Not Implemented', async () => {
    pbx.accounts.put('101', { password: 's3cret', quirks: { registerRejected: 501 } });
    const results = await phone().register({ expires: 300 });
    expect(statuses(results)).toEqual([501]);
    expect(last(results).reason).toBe('Not Implemented');
    expect(logs.some((line) => line.includes('→ 501: quirk registerRejected'))).toBe(true);
  });
});
