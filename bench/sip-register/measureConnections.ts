import { performance } from 'node:perf_hooks';
import { readProcessUsage } from '../calls/processUsage.js';
import { OnlineCounter, SseReader } from './onlineCounter.js';
import { processMemory, type ProcessMemory } from './processMemory.js';
import { startOmnisip } from './sipServers.js';

export interface ConnectionsResult {
  requested: number;
  created: number;
  online: number;
  /** First POST → last connection created (201/200 answered). */
  createSeconds: number;
  /** First POST → every connection Running/online (from the event stream), or undefined if that never happened. */
  allOnlineSeconds: number | undefined;
  /** The emulator's CPU time (user + system) from the first POST until all were online (or the timeout). */
  cpuSeconds: number;
  memoryIdle: ProcessMemory | undefined;
  /** The emulator process once every connection is online (or at the timeout). */
  memoryOnline: ProcessMemory | undefined;
}

const apiKey = 'bench-sip-connections';
const headers = { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' };
/** Requests in flight while creating: enough to keep the API busy, few enough not to measure the HTTP queue. */
const creators = 16;

async function post(url: string, body: unknown): Promise<{ status: number; json: { id?: string } }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { id?: string } };
}

async function countOnline(apiUrl: string, total: number): Promise<number> {
  let online = 0;
  for (let page = 0; page * 100 < total; page++) {
    const res = await fetch(`${apiUrl}/public/sip-connections?pageSize=100&pageIndex=${page}`, { headers });
    const body = (await res.json()) as { items: Array<{ status: { sipStatus: string | null } }> };
    online += body.items.filter((c) => c.status.sipStatus === 'online').length;
  }
  return online;
}

/**
 * Follows the emulator's event stream (`connection.status` entries) and resolves once `count`
 * connections are Running/online, or at `deadline` (performance.now()). The bench watches as a test
 * would, instead of listing every connection every few milliseconds: with 5,000 connections such
 * polling was itself a good part of the emulator's load.
 */
async function followOnline(apiUrl: string, count: number, deadline: number, signal: AbortSignal): Promise<{ ready: Promise<void>; allOnline: Promise<number | undefined> }> {
  const counter = new OnlineCounter();
  const res = await fetch(`${apiUrl}/_emulator/events?kind=connection.status`, { headers: { 'X-Omnisip-Journal': 'skip' }, signal });
  if (!res.ok || res.body === null) throw new Error(`the event stream answered ${res.status}`);
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const reader = new SseReader((event, data) => (event === 'ready' ? opened() : counter.apply(data as Parameters<OnlineCounter['apply']>[0])));
  const allOnline = (async () => {
    const decoder = new TextDecoder();
    const timer = setTimeout(() => void res.body!.cancel().catch(() => undefined), Math.max(0, deadline - performance.now()));
    try {
      for await (const chunk of res.body! as AsyncIterable<Uint8Array>) {
        reader.push(decoder.decode(chunk, { stream: true }));
        if (counter.count === count) return performance.now();
      }
      return undefined;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  })();
  return { ready, allOnline };
}

/**
 * `count` SIP connections through the public API in one emulator process (provisioning delay 0),
 * half over UDP and half over TCP, each a listener with its own socket registering to the built-in
 * PBX; then the time until all are Running/online and the process's memory.
 */
export async function measureConnections(
  root: string,
  count: number,
  options: { timeoutSeconds?: number; log?: (line: string) => void; nodeFlags?: string[] } = {},
): Promise<{ ok: true; result: ConnectionsResult } | { ok: false; reason: string }> {
  const started = await startOmnisip(root, [], { provisionDelayMs: 0, ...(options.nodeFlags && { nodeFlags: options.nodeFlags }) });
  if (!started.ok) return started;
  const { process: child, apiUrl = '' } = started.server;
  const stream = new AbortController();
  try {
    const memoryIdle = processMemory(child.pid);
    const agent = await post(`${apiUrl}/public/agents`, { companionId: 'comp_bench', voiceId: 'alloy', providerSettings: {} });
    if (agent.status !== 200 || agent.json.id === undefined) return { ok: false, reason: `creating the agent answered ${agent.status}` };
    const cpu0 = readProcessUsage(child.pid).cpuSeconds;
    const t0 = performance.now();
    const deadline = t0 + (options.timeoutSeconds ?? 120) * 1000;
    const follow = await followOnline(apiUrl, count, deadline, stream.signal);
    await follow.ready;
    let next = 0;
    let created = 0;
    const failures: string[] = [];
    const create = async () => {
      for (let i = next++; i < count; i = next++) {
        const settings = { server: 'sip.your-provider.com', port: 5060, domain: 'your-provider.com', username: `line${i}`, password: `pw-line${i}`, transport: i % 2 === 0 ? 'UDP' : 'TCP' };
        const res = await post(`${apiUrl}/public/sip-connections`, { agentId: agent.json.id, name: `Line ${i}`, settings });
        if (res.status === 200) created++;
        else if (failures.length < 5) failures.push(`connection ${i}: HTTP ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: creators }, create));
    const createSeconds = (performance.now() - t0) / 1000;
    if (created !== count) return { ok: false, reason: `only ${created} of ${count} connections were created: ${failures.join('; ')}` };
    options.log?.(`created ${count} SIP connections in ${createSeconds.toFixed(2)} s; waiting for Running/online`);

    const onlineAt = await follow.allOnline;
    const cpuSeconds = readProcessUsage(child.pid).cpuSeconds - cpu0;
    const memoryOnline = processMemory(child.pid);
    // What the API says, once: the event stream's count must agree with it.
    const online = await countOnline(apiUrl, count);
    const allOnlineSeconds = onlineAt !== undefined && online === count ? (onlineAt - t0) / 1000 : undefined;
    return { ok: true, result: { requested: count, created, online, createSeconds, allOnlineSeconds, cpuSeconds, memoryIdle, memoryOnline } };
  } finally {
    stream.abort();
    // Time for every listener's un-REGISTER (and a --cpu-prof to be written) before SIGKILL.
    await child.stop({ graceMs: 30_000 });
  }
}
