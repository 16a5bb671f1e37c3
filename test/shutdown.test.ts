import { describe, expect, it } from 'vitest';
import { startEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';

/**
 * close() with calls up: the softphones stop first, so the agents' BYEs have nobody to answer them.
 * close() must not wait for those answers (Timer F is 32 s, past this test's timeout).
 */
describe('shutting down with calls in progress', () => {
  it('closes without waiting on peers that are going away', async () => {
    const emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    const headers = { 'X-Api-Key': 'shutdown', 'Content-Type': 'application/json' };
    const post = async (path: string, body: unknown, method = 'POST') => (await (await fetch(`${emulator.url}${path}`, { method, headers, body: JSON.stringify(body) })).json()) as any;
    const agent = await post('/public/agents', { companionId: 'c', voiceId: 'alloy', providerSettings: {} });
    await post(`/public/agents/${agent.id}/channels/sip`, {}, 'PUT');
    const conn = await post('/public/sip-connections', { agentId: agent.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'p', transport: 'UDP' } });
    await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online');
    const active = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.state === 'active', 10_000, 'the call to be up');
    await post('/_emulator/calls', { from: 'caller', to: '101' });
    await active;
    const ended = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.state === 'ended', 10_000, 'the call to end');
    await emulator.close();
    expect(await ended).toMatchObject({ state: 'ended' });
  }, 20_000);
});
