import { describe, expect, it } from 'vitest';
import { createTestWorld, guideAgent, guideConnection } from './support/world.js';

/** The URLs a new user opens first answer something useful (issue 9's first hour). */
describe('indexes, docs and the dashboard shell', () => {
  it('answers GET /public and /_emulator (with or without a slash) with an index of their routes', async () => {
    const world = createTestWorld();
    for (const path of ['/public', '/public/']) {
      const index = await world.call('GET', path, { key: null });
      expect(index.status, path).toBe(200);
      expect(index.body).toMatchObject({ docs: '/docs', openapi: '/openapi.yaml' });
      expect(index.body.routes).toContainEqual({ method: 'POST', path: '/public/sip-connections', operationId: 'createSipConnection', summary: expect.any(String) });
    }
    for (const path of ['/_emulator', '/_emulator/']) {
      const index = await world.call('GET', path, { key: null });
      expect(index.status, path).toBe(200);
      expect(index.body.routes.map((r: { operationId: string }) => r.operationId)).toEqual(expect.arrayContaining(['listProjects', 'getJournal', 'createFault']));
    }
  });

  it('serves a read with a trailing slash as without it, and says what to fix for an empty path segment', async () => {
    const world = createTestWorld();
    const faults = await world.call('GET', '/_emulator/faults/', { key: null });
    expect([faults.status, faults.body]).toEqual([200, { items: [] }]);
    const agents = await world.call('GET', '/public/agents/');
    expect(agents.status).toBe(200);
    const unset = await world.call('PUT', '/public/agents//channels/sip', { body: {} });
    expect(unset.status).toBe(404);
    expect(unset.body.description).toMatch(/empty segment.*\$AGENT_ID/);
  });

  it('serves Swagger UI for both documents, offline, with this emulator as the first server', async () => {
    const world = createTestWorld();
    for (const path of ['/docs', '/docs/', '/docs/control']) {
      const page = await world.call('GET', path, { key: null });
      expect(page.status, path).toBe(200);
      expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    }
    const bundle = await world.app.request('/docs/assets/swagger-ui-bundle.js');
    expect([bundle.status, bundle.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    const spec = await world.call('GET', '/docs/openapi.json', { key: null });
    expect(spec.body.servers[0]).toEqual({ url: 'http://localhost', description: expect.any(String) });
    expect(spec.body.paths['/public/sip-connections'].post.operationId).toBe('createSipConnection');
    expect((await world.app.request('/docs/assets/package.json')).status).toBe(404);
  });

  it('serves the dashboard page at each view URL', async () => {
    const world = createTestWorld();
    for (const path of ['/', '/calls', '/calls/call_abc', '/journal', '/scenarios']) {
      const page = await world.app.request(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });
});

describe('GET /_emulator/projects', () => {
  it('lists every project with agents, channel configs and connections, and never a password', async () => {
    const world = createTestWorld();
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    await world.call('PUT', `/public/agents/${agent.body.id}/channels/sip`, { body: { humanHandoff: { enabled: true, transferExtension: '200' } } });
    const conn = await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
    await world.call('GET', '/public/agents', { key: 'other-project' });
    const projects = await world.call('GET', '/_emulator/projects', { key: null, headers: { 'X-Omnisip-Journal': 'skip' } });
    expect(projects.status).toBe(200);
    expect(JSON.stringify(projects.body)).not.toContain('your-sip-password');
    expect(projects.body.items.map((p: { apiKey: string }) => p.apiKey)).toEqual(['test-key', 'other-project']);
    const [mine] = projects.body.items;
    expect(mine.agents).toEqual([expect.objectContaining({ id: agent.body.id, channels: [expect.objectContaining({ channelType: 'sip', humanHandoff: { enabled: true, transferExtension: '200' } })] })]);
    expect(mine.sipConnections).toEqual([{ ...conn.body, errors: [] }]);
    expect(projects.body.lastSeq).toBe(world.control.getJournal().lastSeq);
    expect(world.control.listProjects()).toEqual(projects.body);
  });

  it('keeps reads sent with X-Omnisip-Journal: skip out of the journal, and records every change', async () => {
    const world = createTestWorld();
    const before = world.control.getJournal().lastSeq;
    await world.call('GET', '/_emulator/projects', { key: null, headers: { 'X-Omnisip-Journal': 'skip' } });
    await world.call('GET', '/_emulator/faults', { key: null, headers: { 'X-Omnisip-Journal': 'skip' } });
    expect(world.control.getJournal({ since: before }).items).toEqual([]);
    await world.call('GET', '/_emulator/faults', { key: null });
    await world.call('DELETE', '/_emulator/faults', { key: null, headers: { 'X-Omnisip-Journal': 'skip' } });
    expect(world.control.getJournal({ since: before }).items.map((e) => e.kind === 'api' && `${e.method} ${e.path}`)).toEqual(['GET /_emulator/faults', 'DELETE /_emulator/faults']);
  });
});
