import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './freePort.js';
import { waitForHttp } from './waitForHttp.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(port: number, status: () => number, seen: string[] = []): Server {
  const server = createServer((req, res) => {
    seen.push(String(req.headers['x-api-key']));
    res.writeHead(status()).end();
  });
  servers.push(server);
  server.listen(port, '127.0.0.1');
  return server;
}

describe('waitForHttp', () => {
  it('keeps polling through refused connections until the server answers', async () => {
    const port = await freePort();
    const keys: string[] = [];
    const result = await waitForHttp(`http://127.0.0.1:${port}/public/agents`, {
      headers: { 'X-Api-Key': 'bench' },
      onAttempt: (n) => {
        if (n === 3) listen(port, () => 200, keys);
      },
    });
    expect(result.ok).toBe(true);
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(keys[0]).toBe('bench');
  });

  it('treats a non-2xx answer as not ready yet', async () => {
    const port = await freePort();
    let answers = 0;
    listen(port, () => (++answers < 3 ? 503 : 200));
    const result = await waitForHttp(`http://127.0.0.1:${port}/`);
    expect(result).toEqual({ ok: true, attempts: 3, status: 200 });
  });

  it('returns the last failure when the deadline passes', async () => {
    const port = await freePort();
    const result = await waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 30 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not ready after 30 ms \(last: .*ECONNREFUSED/);
  });

  it('keeps the last answer when the deadline cuts short an attempt that got none', async () => {
    const port = await freePort();
    let answered = false;
    // Answers 503 once, then holds every request open, as a server busy warming up can.
    const server = createServer((_req, res) => {
      if (answered) return;
      answered = true;
      res.writeHead(503).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const result = await waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 150 });
    server.closeAllConnections();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not ready after 150 ms \(last: HTTP 503, then no answer before the deadline\)$/);
  });

  it('stops when aborted, e.g. because the server process exited', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const result = await waitForHttp(`http://127.0.0.1:${port}/`, {
      signal: controller.signal,
      onAttempt: (n) => n === 2 && controller.abort('server exited with code 1'),
    });
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(!result.ok && result.reason).toMatch(/server exited with code 1/);
  });
});
