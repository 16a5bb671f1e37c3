import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guideAgent } from './support/world.js';

/**
 * Issue 10 §5, kill -9: a child `omnisip start --state-dir` takes creates, patches and deletes
 * from several concurrent clients and is killed with SIGKILL at a seeded random moment. After a
 * restart on the same directory, every request that got a 2xx is there with its last acknowledged
 * value, nothing that was refused is, and (where the SIP side runs) the connections go online.
 * A request in flight at the kill got no answer: either outcome is right for it alone.
 */
const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
const RUNS = 20;
const REQUESTS = 1000;
const CLIENTS = 4;
/** Every SIP_EVERY-th run starts the SIP side and checks that each restored connection is online. */
const SIP_EVERY = 5;
/** Runs at a time. */
const LANES = 4;

/** mulberry32: a small seeded PRNG, so each run's choices and kill moment repeat. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Child { process: ChildProcess; url: string; readyMs: number; output: () => string }

const children = new Set<ChildProcess>();

async function startChild(stateDir: string, sip: boolean, logLevel: 'warn' | 'info'): Promise<Child> {
  const args = [cli, 'start', '--state-dir', stateDir, '--api-port', '0', '--provision-delay-ms', '0', '--agent-limit', '30', '--log-level', logLevel, ...(sip ? ['--sip-port', '0'] : ['--no-sip'])];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`omnisip start printed no ready line within 15 s:\n${output}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /omnisip ready: API (http:\/\/\S+)\/public/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`omnisip start exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return { process: child, url, readyMs: performance.now() - started, output: () => output };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid!, signal);
  await exited;
}

type Json = Record<string, any>;

/** What one client (one API key) was told: the last acknowledged value of each resource, and its request in flight, if any. */
interface ClientModel {
  key: string;
  agents: Map<string, Json>;
  channels: Map<string, Json>;
  connections: Map<string, Json>;
  passwords: Map<string, string>;
  inFlight?: { op: string; id?: string };
}

const withoutStatus = ({ status: _status, ...rest }: Json) => rest;

/** One client: sequential requests of random kinds until `budget` says stop or the server is gone. */
async function runClient(url: string, model: ClientModel, random: () => number, budget: { left: number; acknowledged: number; refused: number; onAck: () => void }): Promise<void> {
  let n = 0;
  const pick = <T,>(items: T[]): T | undefined => items[Math.floor(random() * items.length)];
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, { method, headers: { 'X-Api-Key': model.key, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  while (budget.left > 0) {
    budget.left -= 1;
    n += 1;
    const agentId = pick([...model.agents.keys()]);
    const connectionId = pick([...model.connections.keys()]);
    const roll = random();
    let op: { op: string; id?: string; method: string; path: string; body?: unknown; ok: (body: any) => void };
    if (roll < 0.2 || !agentId) {
      op = { op: 'createAgent', method: 'POST', path: '/public/agents', body: { ...guideAgent, name: `a${n}` }, ok: (b) => model.agents.set(b.id, b) };
    } else if (roll < 0.3) {
      op = { op: 'patchAgent', id: agentId, method: 'PATCH', path: `/public/agents/${agentId}`, body: { name: `renamed ${n}` }, ok: (b) => model.agents.set(agentId, b) };
    } else if (roll < 0.35) {
      op = { op: 'deleteAgent', id: agentId, method: 'DELETE', path: `/public/agents/${agentId}`, ok: () => (model.agents.delete(agentId), model.channels.delete(agentId)) };
    } else if (roll < 0.5) {
      op = { op: 'putChannel', id: agentId, method: 'PUT', path: `/public/agents/${agentId}/channels/sip`, body: { humanHandoff: { enabled: true, transferExtension: String(200 + n) } }, ok: (b) => model.channels.set(agentId, b) };
    } else if (roll < 0.55) {
      op = { op: 'deleteChannel', id: agentId, method: 'DELETE', path: `/public/agents/${agentId}/channels/sip`, ok: () => model.channels.delete(agentId) };
    } else if (roll < 0.75 || !connectionId) {
      const password = `pw-${n}`;
      const settings = { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: `${model.key}-${n}`, password, transport: 'UDP' };
      op = { op: 'createConnection', method: 'POST', path: '/public/sip-connections', body: { agentId, name: `c${n}`, settings }, ok: (b) => (model.connections.set(b.id, withoutStatus(b)), model.passwords.set(b.id, password)) };
    } else if (roll < 0.88) {
      const password = `pw-${n}`;
      op = { op: 'patchConnection', id: connectionId, method: 'PATCH', path: `/public/sip-connections/${connectionId}`, body: { name: `patched ${n}`, settings: { password } }, ok: (b) => (model.connections.set(connectionId, withoutStatus(b)), model.passwords.set(connectionId, password)) };
    } else if (roll < 0.95) {
      op = { op: 'deleteConnection', id: connectionId, method: 'DELETE', path: `/public/sip-connections/${connectionId}`, ok: () => (model.connections.delete(connectionId), model.passwords.delete(connectionId)) };
    } else {
      // Refused on purpose (404): it must not leave a connection behind.
      op = { op: 'refusedConnection', method: 'POST', path: '/public/sip-connections', body: { agentId: 'agent_doesnotexist', settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: 'x', password: 'x', transport: 'UDP' } }, ok: () => { throw new Error('a connection for an unknown agent was accepted'); } };
    }
    model.inFlight = { op: op.op, ...(op.id !== undefined && { id: op.id }) };
    let result: { status: number; body: any };
    try {
      result = await send(op.method, op.path, op.body);
    } catch {
      return; // killed: this request stays in flight, unanswered
    }
    model.inFlight = undefined;
    if (result.status >= 200 && result.status < 300) {
      op.ok(result.body);
      budget.acknowledged += 1;
      budget.onAck();
    } else if (result.status === 409 || result.status === 404) {
      budget.refused += 1;
    } else {
      throw new Error(`${op.method} ${op.path}: unexpected ${result.status} ${JSON.stringify(result.body)}`);
    }
  }
}

/**
 * Compares the restarted emulator with what the clients were told; returns how many resources were
 * checked. Agents and connections are read through the public API's lists, channel configs and
 * passwords from the state export with secrets.
 */
async function verify(url: string, models: ClientModel[]): Promise<number> {
  const state = await fetch(`${url}/_emulator/state?includeSecrets=true`).then((r) => r.json() as Promise<Json>);
  let checked = 0;
  for (const model of models) {
    const listAll = async (path: string): Promise<Map<string, Json>> => {
      const all = new Map<string, Json>();
      for (let pageIndex = 0; ; pageIndex++) {
        const page = await fetch(`${url}${path}?pageSize=100&pageIndex=${pageIndex}`, { headers: { 'X-Api-Key': model.key } }).then((r) => r.json() as Promise<Json>);
        for (const item of page.items as Json[]) all.set(item.id, item);
        if (page.items.length < 100) return all;
      }
    };
    const uncertain = model.inFlight;
    const agents = await listAll('/public/agents');
    const connections = await listAll('/public/sip-connections');
    const saved = state.projects.find((p: Json) => p.apiKey === model.key) ?? { channelConfigs: [], sipConnections: [] };
    // Nothing beyond what was acknowledged, except what the unanswered request created.
    const extraAgents = [...agents.keys()].filter((id) => !model.agents.has(id));
    const extraConnections = [...connections.keys()].filter((id) => !model.connections.has(id));
    expect(extraAgents.length, `${model.key}: agents no 2xx acknowledged: ${extraAgents}`).toBeLessThanOrEqual(uncertain?.op === 'createAgent' ? 1 : 0);
    expect(extraConnections.length, `${model.key}: connections no 2xx acknowledged: ${extraConnections}`).toBeLessThanOrEqual(uncertain?.op === 'createConnection' ? 1 : 0);
    for (const [id, agent] of model.agents) {
      if (uncertain?.id === id) continue;
      expect(agents.get(id), `${model.key}: agent ${id}`).toEqual(agent);
      const channel = saved.channelConfigs.find((c: Json) => c.agentId === id)?.config;
      expect(channel, `${model.key}: sip channel of ${id}`).toEqual(model.channels.get(id));
      checked += channel ? 2 : 1;
    }
    for (const [id, connection] of model.connections) {
      if (uncertain?.id === id) continue;
      const restored = connections.get(id);
      expect(restored && withoutStatus(restored), `${model.key}: connection ${id}`).toEqual(connection);
      expect(saved.sipConnections.find((c: Json) => c.id === id)?.password, `${model.key}: password of ${id}`).toBe(model.passwords.get(id));
      checked += 1;
    }
  }
  return checked;
}

async function waitOnline(url: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const projects = ((await fetch(`${url}/_emulator/projects`).then((r) => r.json())) as Json).items as Json[];
    const connections = projects.flatMap((p) => p.sipConnections as Json[]);
    const offline = connections.filter((c) => c.status.sipStatus !== 'online');
    if (offline.length === 0) return connections.length;
    if (performance.now() > deadline) throw new Error(`${offline.length} of ${connections.length} restored connections not online within ${timeoutMs} ms, e.g. ${JSON.stringify(offline[0])}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!existsSync(cli))(existsSync(cli) ? 'kill -9 with --state-dir' : 'kill -9 with --state-dir (skipped: run npm run build first)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all([...children].map((child) => kill(child, 'SIGKILL')));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** One seeded run: start, load from CLIENTS clients, SIGKILL after a random number of 2xx, restart, compare. */
  async function crashRun(run: number) {
    const random = prng(run * 7919 + 17);
    const dir = mkdtempSync(join(tmpdir(), 'omnisip-crash-'));
    dirs.push(dir);
    const stateDir = join(dir, 'state');
    const sip = run % SIP_EVERY === 0;
    const first = await startChild(stateDir, sip, 'warn');
    const models: ClientModel[] = Array.from({ length: CLIENTS }, (_, i) => ({ key: `crash-${run}-${i}`, agents: new Map(), channels: new Map(), connections: new Map(), passwords: new Map() }));
    const killAfter = 20 + Math.floor(random() * (REQUESTS - 20));
    let killed: Promise<void> | undefined;
    const budget = { left: REQUESTS, acknowledged: 0, refused: 0, onAck: () => { if (budget.acknowledged >= killAfter) killed ??= kill(first.process, 'SIGKILL'); } };
    await Promise.all(models.map((model, i) => runClient(first.url, model, prng(run * 7919 + 100 + i), budget)));
    await (killed ?? kill(first.process, 'SIGKILL'));

    const second = await startChild(stateDir, sip, 'info');
    const recovered = await verify(second.url, models);
    const online = sip ? await waitOnline(second.url, 15_000) : 0;
    await kill(second.process, 'SIGTERM');
    const restoreMs = Number(/state dir .*: restored .* in (\d+) ms/.exec(second.output())?.[1]);
    expect(restoreMs, `the restart's "restored" log line:\n${second.output()}`).toBeGreaterThanOrEqual(0);
    const line = `run ${String(run).padStart(2)}: ${String(budget.acknowledged).padStart(4)} acknowledged before the kill (${budget.refused} refused), ${recovered} resources recovered, lost 0, restart ${Math.round(second.readyMs)} ms to ready (restore ${restoreMs} ms)${sip ? `, ${online} connections online again` : ''}`;
    console.log(line);
    return { acknowledged: budget.acknowledged, refused: budget.refused, recovered, online, readyMs: second.readyMs, restoreMs };
  }

  it(`loses no acknowledged change in ${RUNS} seeded runs of up to ${REQUESTS} requests from ${CLIENTS} clients`, async () => {
    const started = performance.now();
    const results: Array<Awaited<ReturnType<typeof crashRun>>> = [];
    // LANES runs at a time: each child is one single-threaded process, so on a shared machine the
    // runs' wall time is mostly waiting for a CPU share; a few at once keep the test short.
    await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
      for (let run = lane + 1; run <= RUNS; run += LANES) results.push(await crashRun(run));
    }));
    const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + pick(r), 0);
    console.log(`total of ${results.length} runs in ${Math.round((performance.now() - started) / 1000)} s: ${sum((r) => r.acknowledged)} acknowledged, ${sum((r) => r.refused)} refused, ${sum((r) => r.recovered)} resources recovered, lost 0, ${sum((r) => r.online)} connections online again; restart to ready ${Math.round(Math.min(...results.map((r) => r.readyMs)))}–${Math.round(Math.max(...results.map((r) => r.readyMs)))} ms, restore ${Math.min(...results.map((r) => r.restoreMs))}–${Math.max(...results.map((r) => r.restoreMs))} ms`);
    expect(results).toHaveLength(RUNS);
  }, 300_000);
});
