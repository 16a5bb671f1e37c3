import { expect, it } from 'vitest';
import { startEmulator } from '../emulator/startEmulator.js';
import { runContracts } from './runContracts.js';

/**
 * Issue 9: `npm run contracts` against a project that already had connections failed, because
 * the list case wanted every listed connection refreshed within 120 s, the suite's or not. The
 * project here has one connection last refreshed an hour ago.
 */
it('passes the connection list case in a project with an hour-old connection', async () => {
  const emulator = await startEmulator({ apiPort: 0, sip: false, clock: 'virtual', clockStart: Date.now() - 3_600_000, provisionDelayMs: 0, logLevel: 'silent' });
  try {
    const headers = { 'X-Api-Key': 'older', 'Content-Type': 'application/json' };
    const agent = (await (await fetch(`${emulator.url}/public/agents`, { method: 'POST', headers, body: JSON.stringify({ companionId: 'c', voiceId: 'alloy', providerSettings: {} }) })).json()) as { id: string };
    const old = await fetch(`${emulator.url}/public/sip-connections`, { method: 'POST', headers, body: JSON.stringify({ agentId: agent.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: 'old', password: 'p', transport: 'UDP' } }) });
    expect(old.status).toBe(200);
    emulator.control.advanceClock({ ms: 3_600_000 });
    const summary = await runContracts({ baseUrl: emulator.url, apiKey: 'older', target: 'emulator', grep: 'lists connections in the paged envelope' });
    expect(summary.results.map((r) => `${r.outcome} ${r.name} ${r.error?.message ?? ''}`.trim())).toEqual(['passed lists connections in the paged envelope, without passwords']);
  } finally {
    await emulator.close();
  }
});
