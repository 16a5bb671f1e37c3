import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { guideSipConnection, loadCases } from './loadCases.js';
import { startServer } from './startServer.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'omnisip-api-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bare-Node floor server', () => {
  it("answers every load case's setup and request as the API does, and stops on SIGTERM", async () => {
    const script = join(dir, 'floorServer.mjs');
    buildSync({ entryPoints: [join(root, 'bench/api/floorServer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'silent' });
    const started = await startServer({ name: 'floor', command: process.execPath, args: (port) => [script, String(port)] }, { cwd: root });
    expect(started.ok, started.ok ? '' : started.reason).toBe(true);
    if (!started.ok) return;
    try {
      for (const loadCase of loadCases) {
        const prepared = await loadCase.prepare(started.baseUrl);
        expect(prepared.ok, prepared.ok ? '' : prepared.reason).toBe(true);
        if (!prepared.ok) continue;
        const { method, path, apiKey, body } = prepared.prepared;
        const response = await fetch(`${started.baseUrl}${path}`, { method, headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' }, ...(body !== undefined && { body }) });
        expect(response.status).toBe(200);
        const answer = (await response.json()) as { id?: string; name?: string; items?: unknown[]; totalCount?: number; agentId?: string };
        if (loadCase.name === 'list-agents') expect(answer).toMatchObject({ totalCount: 20, pageSize: 20 });
        if (loadCase.name === 'list-agents') expect(answer.items).toHaveLength(20);
        if (loadCase.name === 'get-sip-connection') expect(path).toBe(`/public/sip-connections/${answer.id}`);
        if (loadCase.name === 'get-sip-connection') expect(JSON.stringify(answer)).not.toContain(guideSipConnection('x').settings.password!);
        if (loadCase.name === 'create-agent') expect(answer).toMatchObject({ id: expect.stringMatching(/^agent-/), name: JSON.parse(body!).name });
      }
      const unkeyed = await fetch(`${started.baseUrl}/public/agents`);
      expect(unkeyed.status).toBe(401);
    } finally {
      expect(await started.process.stop()).toEqual({ code: 0, signal: null });
    }
  }, 30_000);
});
