import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../core/clock.js';
import type { ApiEntry } from '../journal/entries.js';
import { createTestWorld, guideAgent, guideConnection } from '../../test/support/world.js';

describe('request pipeline', () => {
  it('answers 401 in the envelope without a key, before validating anything', async () => {
    const world = createTestWorld();
    const res = await world.call('POST', '/public/agents', { key: null, body: { nonsense: true } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'Unauthorized', description: expect.stringContaining('X-Api-Key'), type: 5, numericType: 5 });
  });

  it('names the missing field and the wrong type in the 400 description', async () => {
    const world = createTestWorld();
    const missing = await world.call('POST', '/public/agents', { body: { companionId: 'c', providerSettings: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('ValidationError');
    expect(missing.body.description).toContain("'voiceId' is required");
    const wrongType = await world.call('POST', '/public/sip-connections', {
      body: { agentId: 'a', settings: { server: 's', port: '5060', domain: 'd', username: 'u', password: 'p', transport: 'TCP' } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.description).toContain("'settings.port' must be integer");
  });

  it('tells malformed JSON, a non-JSON content type and an oversized body apart', async () => {
    const world = createTestWorld({ maxBodyBytes: 2048 });
    const malformed = await world.call('POST', '/public/agents', { body: '{"companionId": ' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'MalformedJson']);
    const form = await world.call('POST', '/public/agents', { body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect([form.status, form.body.code]).toEqual([415, 'UnsupportedMediaType']);
    const big = await world.call('POST', '/public/agents', { body: { ...guideAgent, name: 'x'.repeat(4096) } });
    expect([big.status, big.body.code]).toEqual([413, 'PayloadTooLarge']);
  });

  it('answers unknown routes 404 and wrong methods 405 with Allow', async () => {
    const world = createTestWorld();
    const unknown = await world.call('GET', '/public/agentz');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'RouteNotFound']);
    const wrong = await world.call('PUT', '/public/agents');
    expect([wrong.status, wrong.body.code]).toEqual([405, 'MethodNotAllowed']);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('rejects a query parameter out of range with the parameter named', async () => {
    const world = createTestWorld();
    const res = await world.call('GET', '/public/agents?pageSize=101');
    expect(res.status).toBe(400);
    expect(res.body.description).toContain('pageSize');
  });
});

describe('API fault rules', () => {
  it('answers 429 with Retry-After for the matched operation, the given number of times', async () => {
    const world = createTestWorld();
    const rule = await world.call('POST', '/_emulator/faults', {
      key: null,
      body: { match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 429, retryAfter: 7 }, times: 2 },
    });
    expect(rule.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const limited = await world.call('GET', '/public/agents');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.body).toMatchObject({ code: 'RequestRateLimitExceeded', type: 12, numericType: 12 });
    }
    expect((await world.call('GET', '/public/agents')).status).toBe(200);
    expect((await world.call('POST', '/public/agents', { body: guideAgent })).status).toBe(200);
    expect((await world.call('GET', '/_emulator/faults', { key: null })).body.items).toEqual([]);
  });

  it('fires with the seeded probability: the same seed gives the same outcomes', async () => {
    const outcomes = async (seed: number) => {
      const world = createTestWorld({ seed });
      await world.call('POST', '/_emulator/faults', { key: null, body: { match: { target: 'api' }, action: { type: 'respond', status: 503 }, probability: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await world.call('GET', '/public/agents')).status);
      return statuses;
    };
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('removes a rule by id, and says so when it is gone', async () => {
    const world = createTestWorld();
    const rule = await world.call('POST', '/_emulator/faults', { key: null, body: { match: { target: 'api' }, action: { type: 'respond', status: 500 } } });
    expect((await world.call('GET', '/public/agents')).status).toBe(500);
    expect((await world.call('DELETE', `/_emulator/faults/${rule.body.id}`, { key: null })).status).toBe(204);
    expect((await world.call('GET', '/public/agents')).status).toBe(200);
    const again = await world.call('DELETE', `/_emulator/faults/${rule.body.id}`, { key: null });
    expect([again.status, again.body.code]).toEqual([404, 'FaultNotFound']);
  });
});

describe('control API', () => {
  it('reports health with the bound ports and the clock', async () => {
    const world = createTestWorld();
    const res = await world.call('GET', '/_emulator/health', { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', ports: { api: expect.any(Number) }, clock: { mode: 'virtual' } });
  });

  it('refuses to move a real clock', async () => {
    const world = createTestWorld({ clock: 'real' });
    const res = await world.call('POST', '/_emulator/clock/advance', { key: null, body: { ms: 10 } });
    expect([res.status, res.body.code]).toEqual([409, 'ClockNotVirtual']);
  });

  it('reset forgets every project and rule', async () => {
    const world = createTestWorld();
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    await world.call('POST', '/_emulator/faults', { key: null, body: { match: { target: 'api', operation: 'createAgent' }, action: { type: 'respond', status: 500 } } });
    expect((await world.call('POST', '/_emulator/reset', { key: null })).status).toBe(204);
    expect((await world.call('GET', `/public/agents/${agent.body.id}`)).status).toBe(404);
    expect((await world.call('POST', '/public/agents', { body: guideAgent })).status).toBe(200);
  });

  it('answers a connection read again with its current status, and journals each read with its path, query, key and connection', async () => {
    const world = createTestWorld();
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    const created = await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
    const path = `/public/sip-connections/${created.body.id}`;
    const pending = await world.call('GET', path);
    expect(pending.body).toEqual(created.body);
    expect((await world.call('GET', path)).body).toEqual(pending.body);
    (world.clock as VirtualClock).advance(1000);
    const provisioned = await world.call('GET', path);
    expect(provisioned.body.status.lifecycleStatus).not.toBe('Pending');
    expect(provisioned.body).toEqual({ ...pending.body, status: { ...provisioned.body.status } });
    await world.call('PATCH', path, { body: { name: 'Renamed' } });
    expect((await world.call('GET', path)).body.name).toBe('Renamed');
    await world.call('GET', `${path}?unused=1`, { key: 'other-key' });
    await world.call('GET', '/public/agents?pageSize=5');
    const reads = (world.journal.entries({ kinds: ['api'] }) as ApiEntry[]).filter((e) => e.method === 'GET').map((e) => [e.path, e.query, e.apiKey, e.connectionId]);
    expect(reads).toEqual([
      ...Array.from({ length: 4 }, () => [path, undefined, 'test-key', created.body.id]),
      [path, 'unused=1', 'other-key', created.body.id],
      ['/public/agents', 'pageSize=5', 'test-key', undefined],
    ]);
  });
});
