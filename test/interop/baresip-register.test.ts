import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PbxAccount } from '../../emulator/generated/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { peerAvailable, skipReason } from '../support/peers.js';

const available = peerAvailable('baresip');

describe.skipIf(!available)(available ? 'baresip registers to the built-in PBX' : `baresip registers to the built-in PBX (skipped: ${skipReason('baresip')})`, () => {
  let emulator: RunningEmulator;
  let phone: Baresip | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({
      apiPort: 0,
      sipPort: 0,
      provisionDelayMs: 0,
      logLevel: 'silent',
      pbxAccounts: [{ username: 'carol', password: 'carol-secret' }],
      // baresip 1.0 knows only MD5 and gives up ("Register: Function not implemented") on a 401 that
      // also offers SHA-256, even after an MD5 challenge, so the default (MD5, SHA-256) does not do.
      digestAlgorithms: ['MD5'],
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    await emulator.control.reset();
  });
  afterEach(async () => {
    await phone?.stop();
    phone = undefined;
  });

  async function account(username: string): Promise<PbxAccount | undefined> {
    const res = await fetch(`${emulator.url}/_emulator/pbx/accounts`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: PbxAccount[] }).items.find((a) => a.username === username);
  }

  /** Polls the control API until the account satisfies `predicate`; there is no registration event to wait for. */
  async function waitForAccount(username: string, predicate: (a: PbxAccount | undefined) => boolean, timeoutMs = 10_000): Promise<PbxAccount | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await account(username);
      if (predicate(current)) return current;
      if (Date.now() > deadline) throw new Error(`PBX account ${username} did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify(current)}\n--- baresip output ---\n${phone?.output() ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const pbx = () => ({ host: '127.0.0.1', port: emulator.ports.sip! });

  it.each(['UDP', 'TCP'] as const)('registers over %s with digest, is listed with its contact, and unregisters when stopped', async (transport) => {
    phone = await startBaresip({ accounts: [{ username: 'carol', password: 'carol-secret', transport, outboundProxy: pbx() }] });

    const registered = await waitForAccount('carol', (a) => a?.registered === true);
    expect(registered?.contacts).toHaveLength(1);
    const contact = registered!.contacts[0]!;
    expect(contact.transport).toBe(transport);
    expect(contact.uri).toMatch(new RegExp(`^sip:carol[^@]*@127\\.0\\.0\\.1:${phone.port}\\b`));
    // baresip's own view: the PBX's 200 names one binding.
    await phone.waitForOutput(new RegExp(`carol@sip\\.your-provider\\.com: \\{0/${transport}/v4\\} 200 OK \\(omnisip-pbx\\) \\[1 binding\\]`));

    // On SIGTERM baresip sends REGISTER with Expires: 0 before exiting.
    await phone.stop();
    expect(phone.child.signalCode ?? phone.child.exitCode).not.toBe('SIGKILL');
    expect(await account('carol')).toMatchObject({ registered: false, contacts: [] });
  });

  it('registers an account set through the control API, and fails with 401 after its password changes', async () => {
    const put = (password: string) => fetch(`${emulator.url}/_emulator/pbx/accounts/dave`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password }) });
    expect((await put('dave-secret')).status).toBe(200);
    phone = await startBaresip({ accounts: [{ username: 'dave', password: 'dave-secret', outboundProxy: pbx() }] });
    await waitForAccount('dave', (a) => a?.registered === true);
    await phone.stop();

    expect((await put('a-new-password')).status).toBe(200);
    phone = await startBaresip({ accounts: [{ username: 'dave', password: 'dave-secret', outboundProxy: pbx() }] });
    // baresip answers the first challenge itself and reports only the second 401.
    await phone.waitForOutput(/reg: sip:dave@sip\.your-provider\.com: 401 Unauthorized \(omnisip-pbx\)/);
    expect(await account('dave')).toMatchObject({ source: 'control', registered: false, contacts: [] });
  });
});
