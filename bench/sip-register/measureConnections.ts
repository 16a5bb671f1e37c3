import { performance } from 'node:perf_hooks';
import { processMemory, type ProcessMemory } from './processMemory.js';
import { startOmnisip } from './sipServers.js';

export interface ConnectionsResult {
  requested: number;
  created: number;
  online: number;
  /** First POST → last connection created (201/200 answered). */
  createSeconds: number;
  /** First POST → every connection Running/online (polled), or undefined if that never happened. */
  allOnlineSeconds: number | undefined;
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
 * `count` SIP connections through the public API in one emulator process (provisioning delay 0),
 * half over UDP and half over TCP, each a listener with its own socket registering to the built-in
 * PBX; then the time until all are Running/online and the process's memory.
 */
export async function measureConnections(root: string, count: number, options: { timeoutSeconds?: number; log?: (line: string) => void } = {}): Promise<{ ok: true; result: ConnectionsResult } | { ok: false; reason: string }> {
  const started = await startOmnisip(root, [], { provisionDelayMs: 0 });
  if (!started.ok) return started;
  const { process: child, apiUrl = '' } = started.server;
  try {
    const memoryIdle = processMemory(child.pid);
    const agent = await post(`${apiUrl}/public/agents`, { companionId: 'comp_bench', voiceId: 'alloy', providerSettings: {} });
    if (agent.status !== 200 || agent.json.id === undefined) return { ok: false, reason: `creating the agent answered ${agent.status}` };
    const t0 = performance.now();
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

    const deadline = t0 + (options.timeoutSeconds ?? 120) * 1000;
    let online = 0;
    let allOnlineSeconds: number | undefined;
    for (;;) {
      online = await countOnline(apiUrl, count);
      const now = performance.now();
      if (online === count) allOnlineSeconds = (now - t0) / 1000;
      if (online === count || now > deadline) break;
      // Polling is the user's view of readiness; 20 ms is the resolution of the measured time.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { ok: true, result: { requested: count, created, online, createSeconds, allOnlineSeconds, memoryIdle, memoryOnline: processMemory(child.pid) } };
  } finally {
    await child.stop();
  }
}
