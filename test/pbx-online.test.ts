import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { guideAgent, guideConnection } from './support/world.js';

/** The guide's example connection, against the built-in PBX, with no set-up at all. */
describe('the guide\'s connection goes online on the built-in PBX', () => {
  let emulator: RunningEmulator;
  const headers = { 'X-Api-Key': 'pbx-online', 'Content-Type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };

  beforeAll(async () => {
    // SHA-256 first (RFC 8760): the listeners answer the strongest challenge they are offered.
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', provisionDelayMs: 2000, logLevel: 'silent', validateResponses: true, registerExpires: 300, digestAlgorithms: ['SHA-256', 'MD5'] });
  });
  afterAll(() => emulator?.close());

  it.each(['TCP', 'udp'])('Pending → Running/online over %s; a changed PBX password fails the next refresh with 401', async (transport) => {
    const agent = await api('POST', '/public/agents', guideAgent);
    const connection = guideConnection(agent.body.id);
    connection.settings.transport = transport;
    connection.settings.username = `user-${transport}`;
    const created = await api('POST', '/public/sip-connections', connection);
    const id = created.body.id as string;
    expect(created.body.status).toMatchObject({ lifecycleStatus: 'Pending', sipStatus: null });

    emulator.control.advanceClock({ ms: 2000 });
    await emulator.control.waitForStatus(id, (s) => s.sipStatus === 'online', 5000);
    const status = await api('POST', `/public/sip-connections/${id}/status`);
    expect(status.body.status).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'online', message: null });

    const accounts = await api('GET', '/_emulator/pbx/accounts');
    const account = accounts.body.items.find((a: { username: string }) => a.username === `user-${transport}`);
    expect(account).toMatchObject({ source: 'connection', registered: true, contacts: [expect.objectContaining({ transport: transport.toUpperCase() })] });
    const trace = (await api('GET', `/_emulator/connections/${id}/sip-trace`)).body.items as Array<{ direction: string; message: string }>;
    expect(trace.find((t) => t.direction === 'out' && /^Authorization:/m.test(t.message))?.message).toMatch(/algorithm=SHA-256/);
    expect(JSON.stringify(accounts.body)).not.toContain('your-sip-password');

    expect((await api('PUT', `/_emulator/pbx/accounts/user-${transport}`, { password: 'a-different-password' })).status).toBe(200);
    const failure = emulator.control.journal.waitFor((e) => e.kind === 'connection.error' && e.connectionId === id, 5000, 'the refresh to fail');
    emulator.control.advanceClock({ ms: 300_000 }); // past the refresh (before the 300 s binding expires)
    expect(await failure).toMatchObject({ error: { code: 401, message: 'SIP registration failed: 401 Unauthorized' } });
    const errors = await api('GET', `/public/sip-connections/${id}/errors`);
    expect(errors.body.at(-1)).toMatchObject({ code: 401, message: 'SIP registration failed: 401 Unauthorized', timestamp: expect.any(String) });
    expect((await api('POST', `/public/sip-connections/${id}/status`)).body.status.sipStatus).toBe('registering');

    expect((await api('DELETE', `/public/sip-connections/${id}`)).status).toBe(204);
  });

  it('DELETE unregisters: the PBX forgets the binding', async () => {
    const agent = await api('POST', '/public/agents', guideAgent);
    const connection = guideConnection(agent.body.id);
    connection.settings.username = 'to-delete';
    const id = (await api('POST', '/public/sip-connections', connection)).body.id as string;
    emulator.control.advanceClock({ ms: 2000 });
    await emulator.control.waitForStatus(id, (s) => s.sipStatus === 'online', 5000);
    // A control account with the same password keeps the account listed after the mirror goes.
    await api('PUT', '/_emulator/pbx/accounts/to-delete', { password: 'your-sip-password' });
    const account = async () => (await api('GET', '/_emulator/pbx/accounts')).body.items.find((a: { username: string }) => a.username === 'to-delete');
    expect(await account()).toMatchObject({ registered: true });
    await api('DELETE', `/public/sip-connections/${id}`);
    await expect.poll(account).toMatchObject({ source: 'control', registered: false, contacts: [] });
  });
});
