import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuzzRequests, type FuzzRequest } from './support/apiFuzzRequests.js';
import { createTestWorld, guideAgent, guideConnection, type TestWorld } from './support/world.js';

/**
 * Random and schema-violating requests against an in-process emulator. Whatever comes in, the API
 * never answers 5xx, every error is the vendor's envelope, and every success matches openapi.yaml
 * (the test world validates each response and turns a mismatch into a 500, which fails here).
 * No fault rule is ever set, so a 5xx can only be a bug.
 */
const maxBodyBytes = 64 * 1024;
let world: TestWorld;
const ids = { agent: '', connection: '' };
const seen = new Map<number, number>();

beforeAll(async () => {
  world = createTestWorld({ maxBodyBytes });
  const agent = await world.call('POST', '/public/agents', { body: guideAgent });
  ids.agent = agent.body.id;
  await world.call('PUT', `/public/agents/${ids.agent}/channels/sip`, { body: {} });
  ids.connection = (await world.call('POST', '/public/sip-connections', { body: guideConnection(ids.agent) })).body.id;
});

const { request, mutatedBody, invalidJson } = fuzzRequests(ids);

async function send(r: FuzzRequest): Promise<void> {
  const response = await world.app.request(r.path, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) });
  const text = await response.text();
  seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
  const where = `${r.method} ${r.path.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, where).toBeLessThan(500);
  if (r.method.toUpperCase() === 'HEAD') return;
  if (response.status === 204) {
    expect(text, where).toBe('');
  } else if (response.status >= 200 && response.status < 300) {
    expect(response.headers.get('content-type'), where).toMatch(/^application\/json/);
    JSON.parse(text);
  } else {
    const error = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(error).sort(), where).toEqual(['code', 'description', 'numericType', 'type']);
    expect(error.code, where).toEqual(expect.stringMatching(/\S/));
    expect(error.description, where).toEqual(expect.stringMatching(/\S/));
    expect(Number.isInteger(error.numericType), where).toBe(true);
    expect(error.type, where).toBe(error.numericType);
  }
}

describe('API fuzz', () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  it('answers 2,500 random requests (methods, paths, ids, headers, bodies) without a 5xx and with the envelope on every error', async () => {
    await fc.assert(fc.asyncProperty(request, send), { numRuns: 2500 });
  });

  it('answers 1,000 mutated valid bodies on every operation that takes one the same way', async () => {
    const withBody = fc.record({
      method: fc.constantFrom('POST', 'PATCH', 'PUT'),
      path: fc.constantFrom('/public/agents', '/public/sip-connections', `/public/agents/AGENT`, '/public/agents/AGENT/channels/sip', '/public/agents/AGENT/channels/webrtc', '/public/sip-connections/CONN'),
      headers: fc.constant({ 'X-Api-Key': 'fuzz-key', 'Content-Type': 'application/json' }),
      body: fc.oneof(mutatedBody, invalidJson),
    });
    await fc.assert(fc.asyncProperty(withBody, (r) => send({ ...r, path: r.path.replace('AGENT', ids.agent).replace('CONN', ids.connection) })), { numRuns: 1000 });
  });

  it('leaves Object.prototype untouched', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('reached every kind of answer: successes, 400, 401, 404, 405, 413 and 415', () => {
    const statuses = [...seen.keys()];
    expect(statuses.some((s) => s >= 200 && s < 300)).toBe(true);
    for (const status of [400, 401, 404, 405, 413, 415]) expect(seen.get(status) ?? 0, `status ${status}: ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
  });
});
