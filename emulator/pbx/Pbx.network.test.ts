import { afterEach, describe, expect, it } from 'vitest';
import { createNetworkTransport, parseVia } from '../../sip/index.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx } from './Pbx.js';
import { TestPhone, uacDialog, uasDialog } from './phone.case.js';

let pbx: Pbx | undefined;
const phones: TestPhone[] = [];

afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.close()));
  await pbx?.close();
});

describe('Pbx over real sockets', () => {
  it('registers a UDP phone and a TCP phone, and carries a call between them (INVITE, 180, 200, ACK, BYE)', async () => {
    const connections = new MemoryConnections();
    pbx = await Pbx.start({ host: '127.0.0.1', port: 0, transports: ['UDP', 'TCP'], accounts: [{ username: '200', password: 'human' }], connections });
    connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 's3cret' });
    const { udp, tcp } = pbx.ports;
    expect(udp).toBeGreaterThan(0);
    expect(tcp).toBe(udp);
    const target = { address: '127.0.0.1', port: udp ?? 0 };
    const caller = new TestPhone(await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }), { username: '101', password: 's3cret', pbx: target });
    const human = new TestPhone(await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['TCP'] }), { username: '200', password: 'human', pbx: target, protocol: 'TCP' });
    phones.push(caller, human);

    for (const phone of [caller, human]) {
      const results = await phone.register({ expires: 120 });
      expect(results.map((r) => ('type' in r ? r.status : r.ok ? r.response.status : r.reason))).toEqual([401, 200]);
    }
    expect(pbx.accounts.list().map((a) => [a.username, a.registered, a.contacts[0]?.transport])).toEqual([
      ['101', true, 'UDP'],
      ['200', true, 'TCP'],
    ]);

    human.onRequest((r) => {
      if (r.request.method !== 'INVITE') return;
      human.answer(r, 180);
      human.answer(r, 200);
    });
    caller.onRequest((r) => {
      if (r.request.method === 'BYE') caller.answer(r, 200, 'caller-tag');
    });
    const invite = caller.buildRequest('INVITE', 'sip:200@sip.your-provider.com', 'v=0\r\n');
    const provisional: number[] = [];
    const answered = await caller.send(invite, { onProvisional: (r) => provisional.push(r.status) });
    if (!answered.ok) throw new Error(`INVITE failed: ${answered.reason}`);
    expect(answered.response.status).toBe(200);
    expect(provisional).toEqual([100, 180]);

    const atHuman = await human.next('INVITE');
    expect(atHuman.context.source.protocol).toBe('TCP');
    expect(atHuman.request.headers.getAll('Via').map((v) => parseVia(v)?.transport)).toEqual(['TCP', 'UDP']);
    await caller.sendAck(uacDialog(invite, answered.response));
    expect((await human.next('ACK')).request.uri).toBe(human.contact);

    const bye = await human.send(human.buildInDialog(uasDialog(atHuman.request), 'BYE'));
    expect(bye.ok && bye.response.status).toBe(200);
    expect((await caller.next('BYE')).context.source.protocol).toBe('UDP');
  });
});
