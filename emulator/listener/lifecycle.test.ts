import { describe, expect, it } from 'vitest';
import { createTestWorld, guideAgent, guideConnection } from '../../test/support/world.js';
import type { LifecycleEvent } from '../core/lifecycle.js';
import type { ListenerContext, ListenerFactory } from './ListenerManager.js';

async function setup(options = {}, factory?: ListenerFactory) {
  const world = createTestWorld({ provisionDelayMs: 3000, ...options }, factory);
  const agent = await world.call('POST', '/public/agents', { body: guideAgent });
  const created = await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
  expect(created.status).toBe(200);
  const status = async () => (await world.call('POST', `/public/sip-connections/${created.body.id}/status`)).body.status;
  return { world, id: created.body.id as string, created: created.body, status };
}

/** A listener that lets the test report events, as the SIP listener will. */
function controllableFactory() {
  const contexts: ListenerContext[] = [];
  const stops: Array<{ unregister: boolean }> = [];
  const factory: ListenerFactory = (context) => {
    contexts.push(context);
    return { stop: (options) => void stops.push(options) };
  };
  const report = (event: LifecycleEvent) => contexts.at(-1)!.report(event);
  return { factory, contexts, stops, report };
}

describe('SIP connection lifecycle through the API', () => {
  it('is Pending with sipStatus null, then Running/registering after the provisioning delay, and never fakes online', async () => {
    const { world, created, status } = await setup();
    expect(created.status).toMatchObject({ lifecycleStatus: 'Pending', sipStatus: null, message: null });
    (world.clock as import('../core/clock.js').VirtualClock).advance(2999);
    expect((await status()).lifecycleStatus).toBe('Pending');
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 1 } });
    expect(await status()).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'registering' });
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 3_600_000 } });
    expect(await status()).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'registering' });
  });

  it('POST …/status refreshes lastRefreshed to the emulator clock', async () => {
    const { world, status } = await setup();
    const before = (await status()).lastRefreshed;
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 10_000 } });
    expect((await status()).lastRefreshed).toBe(before + 10);
  });

  it('shows what the listener reports: online, calling, a 401 in the error log', async () => {
    const listener = controllableFactory();
    const { world, id, status } = await setup({}, listener.factory);
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { toNextTimer: true } });
    listener.report({ type: 'registered' });
    expect(await status()).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'online' });
    listener.report({ type: 'callStarted' });
    expect((await status()).sipStatus).toBe('calling');
    listener.report({ type: 'callEnded' });
    listener.report({ type: 'registrationFailed', code: 401, message: 'SIP registration failed: 401 Unauthorized' });
    expect(await status()).toMatchObject({ sipStatus: 'registering', message: 'SIP registration failed: 401 Unauthorized' });
    const errors = await world.call('GET', `/public/sip-connections/${id}/errors`);
    expect(errors.body).toEqual([{ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), message: 'SIP registration failed: 401 Unauthorized', code: 401 }]);
  });

  it('redeploys on a settings PATCH (unregister, Pending, provision again) but not on a rename', async () => {
    const listener = controllableFactory();
    const { world, id, status } = await setup({}, listener.factory);
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { toNextTimer: true } });
    listener.report({ type: 'registered' });
    await world.call('PATCH', `/public/sip-connections/${id}`, { body: { name: 'Renamed' } });
    expect((await status()).sipStatus).toBe('online');
    const patched = await world.call('PATCH', `/public/sip-connections/${id}`, { body: { settings: { password: 'new-secret' } } });
    expect(patched.body.status).toMatchObject({ lifecycleStatus: 'Pending', sipStatus: null });
    expect(listener.stops).toEqual([{ unregister: true }]);
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { toNextTimer: true } });
    expect(listener.contexts).toHaveLength(2);
    expect(listener.contexts[1]!.record.password).toBe('new-secret');
    expect(JSON.stringify(patched.body)).not.toContain('new-secret');
  });

  it('stops and unregisters the listener on DELETE; deleting the agent leaves it running', async () => {
    const listener = controllableFactory();
    const { world, id, created, status } = await setup({}, listener.factory);
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { toNextTimer: true } });
    listener.report({ type: 'registered' });
    expect((await world.call('DELETE', `/public/agents/${created.agentId}`)).status).toBe(204);
    expect(await status()).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'online' });
    expect(listener.stops).toEqual([]);
    expect((await world.call('DELETE', `/public/sip-connections/${id}`)).status).toBe(204);
    expect(listener.stops).toEqual([{ unregister: true }]);
    expect((await world.call('POST', `/public/sip-connections/${id}/status`)).status).toBe(404);
  });

  it('a provisioning fault rule makes the connection Failed with status.message and an error entry', async () => {
    const world = createTestWorld({ provisionDelayMs: 1000 });
    await world.call('POST', '/_emulator/faults', { key: null, body: { match: { target: 'lifecycle', event: 'provisioning' }, action: { type: 'fail', message: 'Listener failed to start: image pull backoff' }, times: 1 } });
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    const conn = await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 1000 } });
    const status = (await world.call('POST', `/public/sip-connections/${conn.body.id}/status`)).body.status;
    expect(status).toMatchObject({ lifecycleStatus: 'Failed', sipStatus: null, message: 'Listener failed to start: image pull backoff' });
    const errors = (await world.call('GET', `/public/sip-connections/${conn.body.id}/errors`)).body;
    expect(errors.at(-1)).toMatchObject({ message: 'Listener failed to start: image pull backoff', code: 500 });
  });

  it('a crash fault rule puts a running listener in Error, and it restarts after restartAfterMs', async () => {
    const { world, id, status } = await setup({ provisionDelayMs: 1000 });
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 1000 } });
    await world.call('POST', '/_emulator/faults', { key: null, body: { match: { target: 'lifecycle', event: 'running', connectionId: id }, action: { type: 'crash', message: 'listener process exited (OOMKilled)', restartAfterMs: 5000 }, times: 1 } });
    expect(await status()).toMatchObject({ lifecycleStatus: 'Error', sipStatus: null, message: 'listener process exited (OOMKilled)' });
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 5000 } });
    expect((await status()).lifecycleStatus).toBe('Pending');
    await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 1000 } });
    expect(await status()).toMatchObject({ lifecycleStatus: 'Running', sipStatus: 'registering', message: null });
  });
});
