import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideAgentBody, guideSipConnectionBody } from '../../contracts/fixtures.js';
import type { Logger } from '../core/logger.js';
import type { JournalEntry } from '../journal/index.js';
import { startEmulator, type RunningEmulator } from '../startEmulator.js';

/**
 * The public API's operations are served by Node directly under `omnisip start` (nodeRoutes.ts) and
 * by Hono in-process (`app.request()`): the two must answer alike and journal alike. Each case
 * here goes both ways against the same emulator and compares status, headers and body.
 */
const logged: string[] = [];
const logger: Logger = { info: () => {}, warn: () => {}, error: (message) => void logged.push(message) };
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ apiPort: 0, sip: false, provisionDelayMs: 0, logger, validateResponses: true, maxBodyBytes: 4096 });
});
afterAll(() => emulator?.close());

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  allow: string | null;
  body: string;
}

async function read(response: Response): Promise<Answer> {
  return { status: response.status, contentType: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), allow: response.headers.get('allow'), body: await response.text() };
}

/** The same request over HTTP (Node's path) and in-process (Hono's). */
async function both(method: string, path: string, init: { key?: string; body?: string; headers?: Record<string, string> } = {}): Promise<[Answer, Answer]> {
  const headers = { ...(init.key !== undefined && { 'x-api-key': init.key }), ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers };
  const request = { method, headers, ...(init.body !== undefined && { body: init.body }) };
  const overHttp = await read(await fetch(`${emulator.url}${path}`, request));
  const inProcess = await read(await emulator.world.app.request(path, request));
  return [overHttp, inProcess];
}

const apiEntries = (): Extract<JournalEntry, { kind: 'api' }>[] => emulator.world.journal.entries({ kinds: ['api'] }) as Extract<JournalEntry, { kind: 'api' }>[];
/** An entry without what differs between two runs of the same request (ids, times, order). */
const comparable = (entry: Extract<JournalEntry, { kind: 'api' }>) => {
  const { seq, at, wall, durationMs, after, ...rest } = entry as Extract<JournalEntry, { kind: 'api' }> & { seq: number; at: number; wall: number };
  void [seq, at, wall, durationMs, after];
  return rest;
};

describe('the public API served by Node and by Hono', () => {
  const failures: Array<[string, string, { key?: string; body?: string; headers?: Record<string, string> }]> = [
    ['no key', '/public/agents', {}],
    ['an unknown agent', '/public/agents/does-not-exist', { key: 'k1' }],
    ['a query that does not validate', '/public/agents?pageSize=abc', { key: 'k1' }],
    ['a repeated query parameter (the first counts)', '/public/agents?pageSize=1&pageSize=abc', { key: 'k1' }],
    ['an escaped path parameter (Hono decodes it)', '/public/agents/%61bc', { key: 'k1' }],
    ['a trailing slash', '/public/agents/', { key: 'k1' }],
    ['an empty segment', '/public/agents//channels/sip', { key: 'k1' }],
    ['an unknown path', '/public/agentz', { key: 'k1' }],
    ['an unknown path under a known one', '/public/agents/abc/channelz/sip', { key: 'k1' }],
  ];
  it.each(failures)('answers %s alike', async (_, path, init) => {
    const [overHttp, inProcess] = await both('GET', path, init);
    expect(overHttp).toEqual(inProcess);
  });

  it('refuses a bad body alike: malformed JSON, another media type, too large, invalid', async () => {
    for (const body of ['{"name":', '\ufeff{}', JSON.stringify({ name: 'x' }), JSON.stringify({ ...guideAgentBody(), name: 'x'.repeat(5000) })]) {
      const [overHttp, inProcess] = await both('POST', '/public/agents', { key: 'k2', body });
      expect(overHttp.status).toBeGreaterThanOrEqual(400);
      expect(overHttp).toEqual(inProcess);
    }
    const [overHttp, inProcess] = await both('POST', '/public/agents', { key: 'k2', body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(overHttp.status).toBe(415);
    expect(overHttp).toEqual(inProcess);
  });

  it('creates and reads alike, and journals both exchanges the same way', async () => {
    const before = emulator.world.journal.lastSeq;
    const created = await both('POST', '/public/agents', { key: 'k3', body: JSON.stringify(guideAgentBody()) });
    const [a, b] = created.map((answer) => JSON.parse(answer.body) as { id: string; name: string });
    expect(created.map((answer) => answer.status)).toEqual([200, 200]);
    expect({ ...a, id: undefined, created: undefined }).toEqual({ ...b, id: undefined, created: undefined });
    const [readA] = await both('GET', `/public/agents/${a!.id}`, { key: 'k3' });
    expect(JSON.parse(readA.body)).toEqual(a);

    const [httpEntry, inProcessEntry] = apiEntries().filter((e) => e.seq > before && e.method === 'POST');
    expect(httpEntry!.response.status).toBe(200);
    expect(httpEntry!.request.body).toEqual(guideAgentBody());
    const withoutIds = (entry: Extract<JournalEntry, { kind: 'api' }>) => ({ ...comparable(entry), response: { ...entry.response, body: { ...(entry.response.body as object), id: undefined, created: undefined } } });
    expect(withoutIds(httpEntry!)).toEqual(withoutIds(inProcessEntry!));
  });

  it("answers a fault rule's status and Retry-After alike, and a drop closes the connection", async () => {
    emulator.control.createFault({ match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 429, retryAfter: 7 }, times: 2 });
    const [overHttp, inProcess] = await both('GET', '/public/agents', { key: 'k4' });
    expect(overHttp).toMatchObject({ status: 429, retryAfter: '7' });
    expect(overHttp).toEqual(inProcess);

    emulator.control.createFault({ match: { target: 'api', operation: 'listAgents' }, action: { type: 'drop' }, times: 1 });
    await expect(fetch(`${emulator.url}/public/agents`, { headers: { 'x-api-key': 'k4' } })).rejects.toThrow();
    const dropped = apiEntries().at(-1)!;
    expect(dropped).toMatchObject({ operationId: 'listAgents', response: { status: 599 } });
  });

  it('answers a handler that throws with a 500 in the envelope, logged and journaled, alike', async () => {
    const projects = emulator.world.projects;
    const get = projects.get.bind(projects);
    projects.get = () => {
      throw new Error('boom in a handler');
    };
    try {
      const [overHttp, inProcess] = await both('GET', '/public/agents', { key: 'k5' });
      expect(overHttp.status).toBe(500);
      expect(JSON.parse(overHttp.body)).toMatchObject({ code: 'InternalError' });
      expect(overHttp).toEqual(inProcess);
      expect(logged.filter((line) => line.includes('GET /public/agents failed: Error: boom in a handler'))).toHaveLength(2);
      expect(apiEntries().slice(-2).map((e) => e.response.status)).toEqual([500, 500]);
    } finally {
      projects.get = get;
    }
  });

  it('never answers or journals a SIP password, served by Node', async () => {
    const agent = (await (await fetch(`${emulator.url}/public/agents`, { method: 'POST', headers: { 'x-api-key': 'k7', 'content-type': 'application/json' }, body: JSON.stringify(guideAgentBody()) })).json()) as { id: string };
    const body = guideSipConnectionBody(agent.id);
    const password = body.settings.password!;
    const before = emulator.world.journal.lastSeq;
    const created = await fetch(`${emulator.url}/public/sip-connections`, { method: 'POST', headers: { 'x-api-key': 'k7', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await created.text();
    expect(created.status).toBe(200);
    const { id } = JSON.parse(text) as { id: string };
    const read = await (await fetch(`${emulator.url}/public/sip-connections/${id}`, { headers: { 'x-api-key': 'k7' } })).text();
    const journaled = JSON.stringify(emulator.world.journal.entries({ since: before }));
    expect(journaled).toContain('/public/sip-connections');
    for (const place of [text, read, journaled]) expect(place).not.toContain(password);
  });

  it('answers a method the path does not have with 405 and Allow, alike', async () => {
    const [overHttp, inProcess] = await both('PUT', '/public/agents', { key: 'k1', body: '{}' });
    expect(overHttp).toMatchObject({ status: 405, allow: 'GET, POST' });
    expect(overHttp).toEqual(inProcess);
  });

  it('leaves HEAD and the control API to Hono', async () => {
    const head = await fetch(`${emulator.url}/public/agents`, { method: 'HEAD', headers: { 'x-api-key': 'k6' } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const health = await fetch(`${emulator.url}/_emulator/health`);
    expect(health.status).toBe(200);
  });
});
