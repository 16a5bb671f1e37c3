import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRequests, type FuzzRequest } from './support/apiFuzzRequests.js';
import { createTestWorld, guideAgent, guideConnection, type TestWorld } from './support/world.js';

/**
 * The same random requests sent to two emulators built alike (same seed, virtual clock, same
 * requests in the same order): one served over HTTP by `world.listener`, where Node serves the
 * public API's operations itself (emulator/http/nodeRoutes.ts), the other in-process through Hono
 * (`app.request()`). Their ids and times match, so every answer must too: status, content type
 * and body, request after request, creates and deletes included.
 */
const maxBodyBytes = 64 * 1024;
let overHttp: TestWorld;
let inProcess: TestWorld;
let server: Server;
let base: string;
const ids = { agent: '', connection: '' };
/**
 * Node's HTTP parser refuses a request line and headers over 16 KiB (431) before any route sees
 * them, with Hono or without; `app.request` has no such limit. The fuzz's longest paths are left out.
 */
const { request } = fuzzRequests(ids);
const fitsNodeHeaderLimit = (r: FuzzRequest) => r.path.length + JSON.stringify(r.headers).length < 15_000;

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

/** The answer, or the error a client raises before sending (a header value fetch refuses), as text. */
async function answerOf(send: () => Promise<Response>, method: string): Promise<Answer | string> {
  try {
    const response = await send();
    const body = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body: method.toUpperCase() === 'HEAD' ? '' : body };
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

async function both(r: FuzzRequest): Promise<[Answer | string, Answer | string]> {
  const init = { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) };
  return [await answerOf(() => fetch(`${base}${r.path}`, init), r.method), await answerOf(async () => inProcess.app.request(r.path, init), r.method)];
}

beforeAll(async () => {
  overHttp = createTestWorld({ maxBodyBytes });
  inProcess = createTestWorld({ maxBodyBytes });
  server = createServer(overHttp.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { 'X-Api-Key': 'fuzz-key', 'Content-Type': 'application/json' };
  const setup = [
    { method: 'POST', path: '/public/agents', headers, body: JSON.stringify(guideAgent) },
    { method: 'PUT', path: '/public/agents/AGENT/channels/sip', headers, body: '{}' },
    { method: 'POST', path: '/public/sip-connections', headers, body: '' },
  ];
  for (const step of setup) {
    const path = step.path.replace('AGENT', ids.agent);
    const body = step.path === '/public/sip-connections' ? JSON.stringify(guideConnection(ids.agent)) : step.body;
    const [a, b] = await both({ ...step, path, body });
    expect(a).toEqual(b);
    const id = typeof a === 'string' ? undefined : (JSON.parse(a.body) as { id?: string }).id;
    if (step.path === '/public/agents') ids.agent = id!;
    if (step.path === '/public/sip-connections') ids.connection = id!;
  }
  expect(ids.agent).not.toBe('');
  expect(ids.connection).not.toBe('');
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await Promise.all([overHttp?.close(), inProcess?.close()]);
});

describe('the public API served by Node and by Hono, fuzzed', () => {
  it('answers 1,000 random requests alike, in order, on two emulators built alike', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request.filter(fitsNodeHeaderLimit), async (r) => {
        const [a, b] = await both(r);
        expect(a, `${r.method} ${r.path.slice(0, 200)}`).toEqual(b);
        if (typeof a !== 'string') statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      }),
      { numRuns: 1000 },
    );
    // The comparison covered successes and each kind of refusal, not only 404s.
    for (const status of [200, 400, 401, 404, 405]) expect(statuses.get(status) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);
  }, 120_000);
});
