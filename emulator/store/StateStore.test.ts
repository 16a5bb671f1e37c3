import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestWorld, guideAgent, guideConnection, type TestWorld } from '../../test/support/world.js';
import { createLogger } from '../core/logger.js';
import { encodeLine, readChangeLog } from './ChangeLog.js';
import { changeLogFile, lockFile, snapshotFile } from './StateStore.js';

/**
 * The state dir in-process: worlds on one directory, the next one opened without closing the
 * last (as after kill -9: nothing is flushed on the way out, and nothing needs to be).
 */
describe('StateStore', () => {
  let dir: string;
  const worlds: TestWorld[] = [];
  const open = (options: Parameters<typeof createTestWorld>[0] = {}) => {
    const world = createTestWorld({ stateDir: dir, ...options });
    worlds.push(world);
    return world;
  };
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'omnisip-state-')), 'state');
  });
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.close()));
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  async function setUp(world: TestWorld) {
    const agent = (await world.call('POST', '/public/agents', { body: guideAgent })).body;
    const channel = (await world.call('PUT', `/public/agents/${agent.id}/channels/sip`, { body: { humanHandoff: { enabled: true, transferExtension: '200' } } })).body;
    const connection = (await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.id) })).body;
    const fault = world.control.createFault({ match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 503 }, times: 2 });
    return { agent, channel, connection, fault };
  }

  it('puts back every resource with its id, created and password, in a directory of mode 0700 with files of 0600', async () => {
    const first = open();
    const { agent, channel, connection, fault } = await setUp(first);
    const second = open();
    expect((await second.call('GET', `/public/agents/${agent.id}`)).body).toEqual(agent);
    expect((await second.call('GET', `/public/agents/${agent.id}/channels/sip`)).body).toEqual(channel);
    const restored = (await second.call('GET', `/public/sip-connections/${connection.id}`)).body;
    expect(restored).toMatchObject({ id: connection.id, agentId: agent.id, settings: connection.settings, created: connection.created });
    expect(second.projects.findSipConnection(connection.id)?.password).toBe('your-sip-password');
    expect(second.control.listFaults().items).toEqual([fault]);
    expect(second.state?.restored.counts).toEqual({ projects: 1, agents: 1, channelConfigs: 1, sipConnections: 1, pbxAccounts: 0, faultRules: 1 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, snapshotFile)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, changeLogFile)).mode & 0o777).toBe(0o600);
  });

  it('compacts on open: the snapshot holds everything and the log starts empty; later changes replay on it', async () => {
    const first = open();
    const { agent, connection } = await setUp(first);
    expect(readChangeLog(join(dir, changeLogFile)).entries.length).toBeGreaterThanOrEqual(4);
    const second = open();
    expect(readFileSync(join(dir, changeLogFile), 'utf8')).toBe('');
    expect(JSON.parse(readFileSync(join(dir, snapshotFile), 'utf8')).projects[0].sipConnections[0]).toMatchObject({ id: connection.id, password: 'your-sip-password' });

    // The fault rule (listAgents → 503, times 2) is used once: one time is left after a restart.
    expect((await second.call('GET', '/public/agents')).status).toBe(503);
    expect(second.control.listFaults().items[0]?.remaining).toBe(1);
    const afterUse = open();
    expect(afterUse.control.listFaults().items[0]).toMatchObject({ remaining: 1 });
    await second.call('PATCH', `/public/agents/${agent.id}`, { body: { name: 'Renamed' } });
    await second.call('PATCH', `/public/sip-connections/${connection.id}`, { body: { settings: { password: 'new-password' } } });
    await second.call('DELETE', `/public/agents/${agent.id}/channels/sip`);
    const other = (await second.call('POST', '/public/agents', { key: 'other-key', body: guideAgent })).body;
    second.control.deleteFaults();
    expect(readChangeLog(join(dir, changeLogFile)).entries).toHaveLength(5);

    const third = open();
    expect(third.state?.restored.replayed).toBe(5);
    expect((await third.call('GET', `/public/agents/${agent.id}`)).body.name).toBe('Renamed');
    expect((await third.call('GET', `/public/agents/${agent.id}/channels/sip`)).status).toBe(404);
    expect(third.projects.findSipConnection(connection.id)?.password).toBe('new-password');
    expect((await third.call('GET', `/public/agents/${other.id}`, { key: 'other-key' })).body).toEqual(other);
    expect(third.control.listFaults().items).toEqual([]);
  });

  it('ignores a torn last line with a warning, and starts', async () => {
    const first = open();
    const { agent } = await setUp(first);
    const line = encodeLine({ section: 'projects', change: { type: 'agent.deleted', apiKey: 'test-key', agentId: agent.id } });
    appendFileSync(join(dir, changeLogFile), line.slice(0, 20));
    const warnings: string[] = [];
    const second = open({ logger: createLogger('warn', (text) => warnings.push(text)) });
    expect((await second.call('GET', `/public/agents/${agent.id}`)).status).toBe(200);
    expect(warnings.join('\n')).toMatch(/ignored the change log's last line \d+ \(.*torn write\)/);
  });

  it('with a seed, a new id never repeats a restored one (the seeded source draws them again)', async () => {
    const first = open({ seed: 7 });
    const a = (await first.call('POST', '/public/agents', { body: guideAgent })).body;
    const second = open({ seed: 7 });
    const b = (await second.call('POST', '/public/agents', { body: guideAgent })).body;
    expect(b.id).not.toBe(a.id);
    expect((await second.call('GET', '/public/agents')).body.items.map((x: { id: string }) => x.id)).toEqual([a.id, b.id]);
    // Without the state dir the same seed gives the same first id: the skip above is what kept them apart.
    const fresh = createTestWorld({ seed: 7 });
    worlds.push(fresh);
    expect((await fresh.call('POST', '/public/agents', { body: guideAgent })).body.id).toBe(a.id);
  });

  it('reset is durable too: a restart after it comes back empty', async () => {
    const first = open();
    await setUp(first);
    await first.control.reset();
    const second = open();
    expect(second.control.listProjects().items).toEqual([]);
    expect(second.control.listFaults().items).toEqual([]);
  });

  it('refuses a directory a live other process holds, and takes over one whose owner is gone (kill -9)', async () => {
    open();
    // PID 1 is always alive and never this test.
    writeFileSync(join(dir, lockFile), '1\n');
    expect(() => open()).toThrow(/state dir .* is in use by another emulator \(pid 1\).*give this one its own --state-dir/);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, lockFile), `${gone}\n`);
    expect(open().state?.dir).toBe(dir);
    expect(readFileSync(join(dir, lockFile), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('without a state dir nothing is written', () => {
    const world = createTestWorld({});
    worlds.push(world);
    expect(world.state).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
