import { describe, expect, it } from 'vitest';
import type { Diagnostics } from '../generated/index.js';
import { startEmulator } from '../startEmulator.js';
import { createTestWorld, guideAgent, guideConnection } from '../../test/support/world.js';

describe('GET /_emulator/diagnostics', () => {
  it('reports memory, handles and store sizes, the loop delay from the second read on, and never a password', async () => {
    const world = createTestWorld({ clock: 'real' });
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
    const skip = { key: null, headers: { 'X-Omnisip-Journal': 'skip' } };
    const first = (await world.call('GET', '/_emulator/diagnostics', skip)).body as Diagnostics;
    // The test world validates every response against control-openapi.yaml: a 200 here is a valid body.
    expect(first.eventLoopDelay).toBeNull();
    expect(first.memory.heapUsed).toBeGreaterThan(0);
    // By heap space: the young generation and the old one at least, each within what V8 holds for it.
    expect(Object.keys(first.memory.heapSpaces)).toEqual(expect.arrayContaining(['new_space', 'old_space', 'code_space']));
    for (const space of Object.values(first.memory.heapSpaces)) expect(space.used).toBeLessThanOrEqual(space.size);
    expect(first.memory.heapSpaces.old_space!.used).toBeGreaterThan(0);
    expect(first.handles.total).toBe(Object.values(first.handles.byType).reduce((a, b) => a + b, 0));
    expect(first.stores.journal).toEqual(world.control.journal.usage());
    expect(first.stores.journal.entries).toBeGreaterThan(0);
    expect(first.stores.pbx).toBeNull();
    expect(first.stores.softphones).toBeNull();
    expect(first.stores.calls).toEqual({ records: 0, agentCalls: 0, captures: 0, captureChunksInUse: 0, captureBytesAllocated: 0 });
    const second = (await world.call('GET', '/_emulator/diagnostics', skip)).body as Diagnostics;
    expect(second.eventLoopDelay).toMatchObject({ windowMs: expect.any(Number), p99: expect.any(Number) });
    expect(second.eventLoopDelay!.p99).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify([first, second])).not.toContain('your-sip-password');
  });

  it('counts the PBX stack, the listeners and the softphones when the SIP side runs', async () => {
    const emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    try {
      await emulator.control.createSoftphone({ username: '200', password: 'human', autoAnswer: { status: 200 } });
      const diagnostics = emulator.control.getDiagnostics();
      expect(diagnostics.stores.softphones).toEqual({ softphones: 1, liveCalls: 0, recordings: 0, recordingBytes: 0 });
      // The softphone's REGISTER (401, then 200) were two server transactions at the PBX; over UDP they live on as absorbers for Timer J.
      expect(diagnostics.stores.pbx).toMatchObject({ serverTransactions: 0, registeredUsers: 1 });
      expect(diagnostics.stores.pbx!.absorbers).toBeGreaterThanOrEqual(1);
      expect(diagnostics.stores.listeners).toEqual({ listeners: 0, clientTransactions: 0, serverTransactions: 0, absorbers: 0 });
      expect(diagnostics.handles.byType.UDPWrap).toBeGreaterThanOrEqual(2);
    } finally {
      await emulator.close();
    }
  });
});
