import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from './runLoad.js';

let server: Server | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  if (child?.pid !== undefined && child.exitCode === null) {
    process.kill(child.pid, 'SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
});

/** A server in its own process that spends 3 ms of CPU on each request; resolves with its URL once listening. */
async function startBusyServer(): Promise<{ url: string; pid: number }> {
  const code = `
    const server = require('node:http').createServer((req, res) => {
      const until = performance.now() + 3;
      while (performance.now() < until);
      res.end('{}');
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${Number(line.toString().trim())}/public/agents`, pid: child.pid! };
}

/** Answers 200 with the request's method and body echoed, except every third request: 409. */
async function start(): Promise<{ url: string; seen: { method: string; body: string; key: string }[] }> {
  const seen: { method: string; body: string; key: string }[] = [];
  let n = 0;
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, body, key: String(req.headers['x-api-key']) });
      res.writeHead(++n % 3 === 0 ? 409 : 200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/public/agents`, seen };
}

describe('runLoad', () => {
  it('sends the request as given, counts answers by status and records every 2xx latency', async () => {
    const { url, seen } = await start();
    const result = await runLoad(
      { url, method: 'POST', headers: { 'X-Api-Key': 'bench', 'Content-Type': 'application/json' }, body: '{"companionId":"c"}' },
      { connections: 4, durationSeconds: 1, warmupSeconds: 0, amount: 90 },
    );
    expect(seen.length).toBeGreaterThanOrEqual(90);
    expect(seen[0]).toEqual({ method: 'POST', body: '{"companionId":"c"}', key: 'bench' });
    expect(result.requests).toBe(90);
    expect(result.status2xx + result.non2xx).toBe(90);
    expect(result.non2xx).toBe(result.statusCodes['409']);
    expect(result.non2xx).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    const latency = result.latency!;
    expect(latency.count).toBe(result.status2xx);
    expect(latency.min).toBeGreaterThan(0);
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p50);
    expect(latency.max).toBeGreaterThanOrEqual(latency.p99);
    // Full precision: autocannon's own histogram would have floored these to whole milliseconds.
    expect(Number.isInteger(latency.p50)).toBe(false);
  });

  it("measures the server's CPU and its own while the load runs, in percent of one core", async () => {
    const { url, pid } = await startBusyServer();
    const result = await runLoad({ url, method: 'GET', headers: {} }, { connections: 4, durationSeconds: 1, warmupSeconds: 0, amount: 150 }, pid);
    expect(result.status2xx).toBe(150);
    // 150 requests at 3 ms of CPU each are 0.45 s of the server's CPU, most of the run's wall time.
    expect(result.cpu?.serverPercent).toBeGreaterThan(10);
    expect(result.cpu?.serverPercent).toBeLessThanOrEqual(110);
    expect(result.cpu?.generatorPercent).toBeGreaterThan(0);
    // Without a pid, only the generator's share.
    const alone = await runLoad({ url, method: 'GET', headers: {} }, { connections: 4, durationSeconds: 1, warmupSeconds: 0, amount: 20 });
    expect(alone.cpu).toEqual({ generatorPercent: expect.any(Number) });
    // The threads outside the benchmark that ran: never the server, which this process started (TaskMeter.test.ts shows one that is not ours).
    if (process.platform === 'linux') {
      expect(Array.isArray(result.otherTasks)).toBe(true);
      expect(result.otherTasks!.some((t) => t.tid === pid)).toBe(false);
      expect(alone.otherTasks!.some((t) => t.tid === pid)).toBe(false);
    }
  });
});
