import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { startKamailio, type Kamailio } from '../support/kamailio.js';
import { peerAvailable, skipReason } from '../support/peers.js';

const available = peerAvailable('kamailio');

describe.skipIf(!available)(available ? 'a listener registers to Kamailio' : `a listener registers to Kamailio (skipped: ${skipReason('kamailio')})`, () => {
  let kamailio: Kamailio;
  let emulator: RunningEmulator;
  const key = 'kamailio-interop';

  beforeAll(async () => {
    kamailio = await startKamailio({ users: { '101': 'secret101', '102': 'secret102' } });
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', validateResponses: true, registerRetryMs: 60_000 });
  });
  afterAll(async () => {
    await emulator?.close();
    await kamailio?.stop();
  });

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { 'X-Api-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  }

  async function connect(username: string, password: string, transport: string) {
    const agent = await api('POST', '/public/agents', { companionId: 'comp_1', voiceId: 'alloy', providerSettings: {} });
    const conn = await api('POST', '/public/sip-connections', {
      agentId: agent.body.id,
      settings: { server: '127.0.0.1', port: kamailio.port, domain: '127.0.0.1', username, password, transport },
    });
    expect(conn.status).toBe(200);
    return conn.body.id as string;
  }

  it.each(['UDP', 'TCP'])('goes Running/online over %s', async (transport) => {
    const id = await connect('101', 'secret101', transport);
    const status = await emulator.control.waitForStatus(id, (s) => s.sipStatus === 'online', 15_000);
    expect(status.lifecycleStatus).toBe('Running');
    const trace = (await (await fetch(`${emulator.url}/_emulator/connections/${id}/sip-trace`)).json()) as any;
    const messages: string[] = trace.items.map((i: { message: string }) => i.message.split('\r\n')[0]);
    expect(messages).toContain('SIP/2.0 401 Unauthorized');
    expect(messages).toContain('SIP/2.0 200 OK');
    expect(trace.items.every((i: { transport: string }) => i.transport === transport)).toBe(true);
    expect(JSON.stringify(trace)).not.toContain('secret101');
    expect((await api('DELETE', `/public/sip-connections/${id}`)).status).toBe(204);
  });

  it('with a wrong password stays registering and /errors shows the 401', async () => {
    const id = await connect('102', 'wrong-password', 'UDP');
    const error = await emulator.control.journal.waitFor((e) => e.kind === 'connection.error' && e.connectionId === id, 15_000, 'a registration error');
    expect(error).toMatchObject({ error: { code: 401, message: 'SIP registration failed: 401 Unauthorized' } });
    const status = await api('POST', `/public/sip-connections/${id}/status`);
    expect(status.body.status).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'registering', message: 'SIP registration failed: 401 Unauthorized' });
    const errors = await api('GET', `/public/sip-connections/${id}/errors`);
    expect(errors.body.at(-1)).toMatchObject({ code: 401, message: 'SIP registration failed: 401 Unauthorized' });
  });
});
