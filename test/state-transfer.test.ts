import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateCommand, type StateOutput } from '../cli/stateCommand.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { guideAgent, guideConnection } from './support/world.js';

/**
 * Issue 10 §5: `omnisip state export` from one emulator and `omnisip state import` into another
 * give the same resources; a default export carries no password, and the import names each
 * connection that arrives without one (its registration then fails with a clear error); with
 * --include-secrets the connections come back online.
 */
describe('omnisip state export / import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-transfer-'));
  let source: RunningEmulator;
  let target: RunningEmulator;
  let agent: Record<string, unknown> & { id: string };
  let channel: Record<string, unknown>;
  let connection: Record<string, unknown> & { id: string };
  const key = 'transfer-key';
  const api = async (emulator: RunningEmulator, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return response.json() as Promise<any>;
  };
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const output: StateOutput = { out: (text) => (stdout += text), err: (text) => (stderr += text) };
    const code = await stateCommand(argv, output);
    return { code, stdout, stderr };
  };
  const options = { apiPort: 0, sipPort: 0, provisionDelayMs: 50, logLevel: 'silent' as const, validateResponses: true };

  beforeAll(async () => {
    [source, target] = await Promise.all([startEmulator(options), startEmulator(options)]);
    agent = await api(source, 'POST', '/public/agents', guideAgent);
    channel = await api(source, 'PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    connection = await api(source, 'POST', '/public/sip-connections', guideConnection(agent.id));
    source.control.putPbxAccount('200', { password: 'human-side' });
    source.control.createFault({ match: { target: 'sip', method: 'OPTIONS' }, action: { type: 'respond', status: 503 } });
  });
  afterAll(async () => {
    await Promise.all([source?.close(), target?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports without passwords; the import brings the same resources and names what has no password, whose registration fails visibly', async () => {
    const exported = await run(['export', '--base-url', source.url]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain('your-sip-password');
    expect(exported.stdout).not.toContain('human-side');
    const file = join(dir, 'setup.json');
    writeFileSync(file, exported.stdout);

    const imported = await run(['import', file, '--base-url', target.url]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe(`imported ${file} into ${target.url}: 1 projects, 1 agents, 1 channelConfigs, 1 sipConnections, 0 pbxAccounts, 1 faultRules\n`);
    expect(imported.stderr).toContain(`warning: ${connection.id} has no password (exported without --include-secrets): PATCH /public/sip-connections/${connection.id} with settings.password`);
    expect(imported.stderr).toContain('warning: PBX account 200 not imported: it has no password');

    expect(await api(target, 'GET', `/public/agents/${agent.id}`)).toEqual(agent);
    expect(await api(target, 'GET', `/public/agents/${agent.id}/channels/sip`)).toEqual(channel);
    const restored = await api(target, 'GET', `/public/sip-connections/${connection.id}`);
    expect({ ...restored, status: undefined }).toEqual({ ...connection, status: undefined });
    expect(target.control.listFaults().items).toEqual(source.control.listFaults().items);

    const status = await target.control.waitForStatus(connection.id, (s) => s.sipStatus === 'registering' && s.lifecycleStatus === 'Running' && /no password/.test(s.message ?? ''), 5000);
    expect(status.message).toContain('PATCH /public/sip-connections/');
    const errors = await api(target, 'GET', `/public/sip-connections/${connection.id}/errors`);
    expect(errors.at(-1)).toMatchObject({ code: 401, message: expect.stringContaining(`connection ${connection.id} has no password`) });

    // Fixing it as the warning says brings it online.
    await api(target, 'PATCH', `/public/sip-connections/${connection.id}`, { settings: { password: 'your-sip-password' } });
    await target.control.waitForStatus(connection.id, (s) => s.sipStatus === 'online', 10_000);
  });

  it('with --include-secrets the import needs nothing more: the connection comes back online, the account override too', async () => {
    const exported = await run(['export', '--include-secrets', '--base-url', source.url]);
    expect(exported.stdout).toContain('your-sip-password');
    const file = join(dir, 'secrets.json');
    writeFileSync(file, exported.stdout);
    const imported = await run(['import', file, '--base-url', target.url]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toContain('1 sipConnections, 1 pbxAccounts, 1 faultRules');
    await target.control.waitForStatus(connection.id, (s) => s.sipStatus === 'online', 10_000);
    expect(target.control.listPbxAccounts().items.find((a) => a.username === '200')).toMatchObject({ source: 'control' });
  });

  it('says what is wrong with a bad file or an unreachable emulator', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 2 }));
    await expect(run(['import', file, '--base-url', target.url])).rejects.toThrow(/PUT \/_emulator\/state failed with 400: .*version/);
    await expect(run(['export', '--base-url', 'http://127.0.0.1:1'])).rejects.toThrow(/cannot reach the emulator at http:\/\/127\.0\.0\.1:1/);
    await expect(run(['import', join(dir, 'missing.json')])).rejects.toThrow(/cannot read .*missing\.json: no such file/);
  });
});
