import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guideAgent, listedAgents, loadCases, type CaseName } from './loadCases.js';

interface Seen {
  method: string;
  path: string;
  key: string;
  body: Record<string, unknown>;
}

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/** A stand-in API that numbers the ids it creates; `refuse` answers that path with 409. */
async function fakeApi(refuse?: string): Promise<{ baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, key: String(req.headers['x-api-key']), body: JSON.parse(text) as Record<string, unknown> });
      if (req.url === refuse) return res.writeHead(409).end('{"code":"AgentLimitExceeded"}');
      const prefix = req.url === '/public/agents' ? 'agent' : 'sipconn';
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `${prefix}_${seen.length}` }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const loadCase = (name: CaseName) => loadCases.find((c) => c.name === name)!;

describe('loadCases', () => {
  it('get-sip-connection creates the guide agent, then the guide connection for it, and reads that connection', async () => {
    const { baseUrl, seen } = await fakeApi();
    const result = await loadCase('get-sip-connection').prepare(baseUrl);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /public/agents', 'POST /public/sip-connections']);
    expect(seen[0]!.body).toEqual(guideAgent);
    expect(seen[1]!.body).toMatchObject({ agentId: 'agent_1', settings: { server: 'sip.your-provider.com', transport: 'TCP' } });
    expect(result).toEqual({ ok: true, prepared: { method: 'GET', path: '/public/sip-connections/sipconn_2', apiKey: seen[0]!.key } });
  });

  it('list-agents fills one page of agents in a project of its own', async () => {
    const { baseUrl, seen } = await fakeApi();
    const result = await loadCase('list-agents').prepare(baseUrl);
    expect(seen).toHaveLength(listedAgents);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    expect(result).toEqual({ ok: true, prepared: { method: 'GET', path: '/public/agents', apiKey: seen[0]!.key } });
  });

  it('create-agent posts the guide body, in a project no other case reads', async () => {
    const result = await loadCase('create-agent').prepare('http://127.0.0.1:9');
    expect(result.ok && JSON.parse(result.prepared.body!)).toEqual(guideAgent);
    const keys: string[] = [];
    for (const c of loadCases) {
      const { baseUrl } = await fakeApi();
      const prepared = await c.prepare(baseUrl);
      if (prepared.ok) keys.push(prepared.prepared.apiKey);
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    }
    expect(new Set(keys).size).toBe(loadCases.length);
  });

  it('returns a failed setup as a value naming the request and the answer', async () => {
    const { baseUrl } = await fakeApi('/public/sip-connections');
    const result = await loadCase('get-sip-connection').prepare(baseUrl);
    expect(result).toEqual({ ok: false, reason: 'POST /public/sip-connections answered 409: {"code":"AgentLimitExceeded"}' });
  });

  it('returns an unreachable server as a value too', async () => {
    const { baseUrl } = await fakeApi();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const result = await loadCase('list-agents').prepare(baseUrl);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/public\/agents failed: .*ECONNREFUSED/);
  });
});
