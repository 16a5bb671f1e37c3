import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryNetwork, type MemoryNetwork, type SipRequest } from '../../sip/index.js';
import { createLogger } from '../core/logger.js';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx } from './Pbx.js';
import { TestPhone, uacDialog, uasDialog, type DialogView } from './phone.case.js';
import type { QuirkEvent } from './quirks.js';

// The proxy's extraProxyHop quirk between two phones on the memory network, both over UDP.
const PBX = { address: '127.0.0.1', port: 5060 };

let network: MemoryNetwork;
let pbx: Pbx;
let alice: TestPhone;
let bob: TestPhone;
let quirks: QuirkEvent[];

beforeEach(async () => {
  network = createMemoryNetwork({ seed: 4 });
  quirks = [];
  pbx = Pbx.create(network.createTransport(PBX.address, PBX.port), { connections: new MemoryConnections(), logger: createLogger('silent'), onQuirk: (e) => quirks.push(e) });
  pbx.accounts.put('101', { password: 'a' });
  pbx.accounts.put('202', { password: 'b', quirks: { extraProxyHop: true } });
  alice = TestPhone.on(network, '127.0.0.2', 5062, { username: '101', password: 'a', pbx: PBX });
  bob = TestPhone.on(network, '127.0.0.3', 5064, { username: '202', password: 'b', pbx: PBX });
  for (const phone of [alice, bob]) await phone.register();
});

afterEach(async () => {
  await Promise.all([alice.close(), bob.close(), pbx.close()]);
});

/** A call from 101 to 202 through the PBX, answered: both sides' dialogs and the INVITE as 202 got it. */
async function call(): Promise<{ caller: DialogView; callee: DialogView; atBob: SipRequest }> {
  bob.onRequest((r) => (r.request.method === 'INVITE' ? void bob.answer(r, 200) : void bob.answer(r, 200)));
  alice.onRequest((r) => void alice.answer(r, 200, 'caller-tag'));
  const invite = alice.buildRequest('INVITE', 'sip:202@sip.your-provider.com', 'v=0\r\n');
  const result = await alice.send(invite);
  if (!result.ok || result.response.status !== 200) throw new Error('the call failed');
  const atBob = (await bob.next('INVITE')).request;
  const caller = uacDialog(invite, result.response);
  await alice.sendAck(caller);
  return { caller, callee: uasDialog(atBob), atBob };
}

describe('quirk extraProxyHop (an SBC in front of the PBX)', () => {
  it('record-routes twice, the SBC entry on top, and says so in the journal', async () => {
    const { atBob } = await call();
    expect(atBob.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.1:5060;transport=udp;lr;hop=sbc>', '<sip:127.0.0.1:5060;transport=udp;lr>']);
    expect(quirks).toEqual([expect.objectContaining({ quirk: 'extraProxyHop', account: '202' })]);
  });

  it('routes in-dialog requests that carry both hops in each side\'s order', async () => {
    const { caller, callee } = await call();
    const info = await bob.send(bob.buildInDialog(callee, 'INFO'));
    expect(info.ok && info.response.status).toBe(200);
    expect(caller.routeSet).toEqual(['<sip:127.0.0.1:5060;transport=udp;lr>', '<sip:127.0.0.1:5060;transport=udp;lr;hop=sbc>']);
    const bye = await alice.send(alice.buildInDialog(caller, 'BYE'));
    expect(bye.ok && bye.response.status).toBe(200);
  });

  it.each([
    ['only the first Record-Route', (routes: string[]) => routes.slice(0, 1), '[sbc]'],
    ['the Record-Routes reversed', (routes: string[]) => [...routes].reverse(), '[pbx, sbc]'],
    ['no Route at all', () => [], '[none]'],
  ])('answers 403 to an in-dialog request of a UA that kept %s', async (_case, keep, seen) => {
    const { callee } = await call();
    callee.routeSet = keep(callee.routeSet);
    const result = await bob.send(bob.buildInDialog(callee, 'BYE'));
    expect(result.ok && [result.response.status, result.response.reason]).toEqual([403, 'Forbidden (Route Set)']);
    expect(alice.received.filter((r) => r.request.method === 'BYE')).toEqual([]);
    expect(quirks.at(-1)).toMatchObject({ quirk: 'extraProxyHop', account: '202', text: expect.stringContaining(`BYE refused with 403: its Route set names our hops as ${seen}, not [sbc, pbx]`) });
  });
});
