import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../emulator/core/logger.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { changeLogFile, snapshotFile } from '../emulator/store/index.js';
import { guideAgent, guideConnection } from './support/world.js';

/**
 * Issue 10 §5: a restart with the same --state-dir puts back the guide's setup (same ids,
 * `created`, settings), the PBX account override and the fault rule, and the connection's password
 * still works: it goes Pending → Running/registering → Running/online again on the built-in PBX.
 */
describe('a restart with the same --state-dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'omnisip-restart-'));
  const stateDir = join(root, 'state');
  const running: RunningEmulator[] = [];
  /** Every log line of both emulators, at info level. */
  const logLines: string[] = [];
  const start = async () => {
    const logger = createLogger('info', (line) => logLines.push(line));
    const emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 50, logger, validateResponses: true, stateDir });
    running.push(emulator);
    return emulator;
  };
  afterAll(async () => {
    await Promise.all(running.map((e) => e.close()));
    rmSync(root, { recursive: true, force: true });
  });
  const api = (emulator: RunningEmulator) => async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': 'restart-key', 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  };

  it('brings back agent, channel config, connection (online again), PBX account override and fault rule; no password leaves', async () => {
    const first = await start();
    const call1 = api(first);
    const agent = (await call1('POST', '/public/agents', guideAgent)).body;
    const channel = (await call1('PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } })).body;
    const created = await call1('POST', '/public/sip-connections', guideConnection(agent.id));
    expect(created.status).toBe(200);
    const connection = created.body;
    await first.control.waitForStatus(connection.id, (s) => s.sipStatus === 'online', 10_000);
    first.control.putPbxAccount('200', { password: 'human-side', domain: 'your-provider.com', quirks: { strictDigestUri: true, registerRejected: 405 } });
    const fault = first.control.createFault({ match: { target: 'sip', method: 'OPTIONS' }, action: { type: 'respond', status: 503 } });
    await first.close();

    const second = await start();
    const call2 = api(second);
    expect(second.world.state?.restored.counts).toEqual({ projects: 1, agents: 1, channelConfigs: 1, sipConnections: 1, pbxAccounts: 1, faultRules: 1 });
    expect((await call2('GET', `/public/agents/${agent.id}`)).body).toEqual(agent);
    expect((await call2('GET', `/public/agents/${agent.id}/channels/sip`)).body).toEqual(channel);
    const restored = (await call2('GET', `/public/sip-connections/${connection.id}`)).body;
    expect({ ...restored, status: undefined }).toEqual({ ...connection, status: undefined });
    // The password still works: the same lifecycle as a new connection, up to online on the PBX.
    await second.control.waitForStatus(connection.id, (s) => s.sipStatus === 'online', 10_000);
    const statuses = second.control.getJournal({ kind: ['connection.status'], connectionId: connection.id }).items.map((e) =>
      e.kind === 'connection.status' ? `${e.status.lifecycleStatus}/${e.status.sipStatus ?? '-'}` : '',
    );
    expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(['Pending/-', 'Running/registering', 'Running/online']);
    expect(second.control.listPbxAccounts().items.find((a) => a.username === '200')).toMatchObject({ source: 'control', domain: 'your-provider.com', quirks: { strictDigestUri: true, registerRejected: 405 } });
    expect(second.control.listFaults().items).toEqual([fault]);

    // Passwords: on disk in the state dir only; never in the journal, a response or a default export.
    const password = 'your-sip-password';
    expect(readFileSync(join(stateDir, snapshotFile), 'utf8')).toContain(password);
    await call2('PATCH', `/public/sip-connections/${connection.id}`, { settings: { password: 'rotated-password' } });
    expect(readFileSync(join(stateDir, changeLogFile), 'utf8')).toContain('rotated-password');
    // Asked for by name, the export carries them; the journal records that response redacted.
    const withSecrets = (await fetch(`${second.url}/_emulator/state?includeSecrets=true`).then((r) => r.json())) as { projects: Array<{ sipConnections: Array<{ password?: string }> }>; pbxAccounts: unknown[] };
    const listed = await call2('GET', '/public/sip-connections');
    const exported = await fetch(`${second.url}/_emulator/state`).then((r) => r.text());
    const projects = await fetch(`${second.url}/_emulator/projects`).then((r) => r.text());
    const journal = JSON.stringify(second.control.getJournal().items) + JSON.stringify(first.control.getJournal().items);
    expect(logLines.join('\n')).toMatch(/state dir .*: restored 1 projects, 1 agents, 1 channel configs, 1 SIP connections, 1 PBX accounts, 1 fault rules/);
    for (const text of [listed.text, exported, projects, journal, logLines.join('\n')]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain('rotated-password');
      expect(text).not.toContain('human-side');
    }
    expect(JSON.parse(exported).projects[0].sipConnections[0]).toEqual({ id: connection.id, agentId: agent.id, name: connection.name, settings: connection.settings, created: connection.created });
    expect(withSecrets.projects[0]?.sipConnections[0]?.password).toBe('rotated-password');
    expect(withSecrets.pbxAccounts).toEqual([{ username: '200', password: 'human-side', domain: 'your-provider.com', quirks: { strictDigestUri: true, registerRejected: 405 } }]);
  });
});

describe('a restart with the same --state-dir, latest profile', () => {
  it('keeps the sipPods quota and its requests, and a project whose SIP was switched off stays off', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'omnisip-restart-quota-')), 'state');
    const options = { apiPort: 0, sip: false, logLevel: 'silent' as const, apiProfile: 'latest' as const, quotaApproval: 'manual' as const, stateDir };
    const call = (emulator: RunningEmulator, key: string) => async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };
    const first = await startEmulator(options);
    const request = (await call(first, 'quota-key')('POST', '/public/quota-requests', { quotaType: 'sipPods', requestedValue: 2 })).body;
    first.control.reviewQuotaRequest('quota-key', request.id, { status: 'approved' });
    await call(first, 'quota-key')('POST', '/public/quota-requests', { quotaType: 'sipPods', requestedValue: 9 });
    first.control.putProjectSip('off-key', { enabled: false });
    await first.close();

    const second = await startEmulator(options);
    try {
      expect(second.control.getProjectSip('quota-key')).toMatchObject({ quota: 2, requests: [{ id: request.id, status: 'approved' }, { requestedValue: 9, status: 'pending' }] });
      expect((await call(second, 'off-key')('GET', '/public/sip-connections')).status).toBe(403);
      const next = (await call(second, 'quota-key')('POST', '/public/quota-requests', { quotaType: 'sipPods', requestedValue: 3 })).body;
      expect(next.id).not.toBe(request.id);
    } finally {
      await second.close();
    }
  });
});
