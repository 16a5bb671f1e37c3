import { guideAgentBody, guideSipConnectionBody } from '../../contracts/fixtures.js';
import { resolveConfig, type EmulatorOptions } from '../../emulator/config.js';
import { silentLogger } from '../../emulator/core/logger.js';
import { createWorld, type World } from '../../emulator/createWorld.js';
import type { ListenerFactory } from '../../emulator/listener/ListenerManager.js';

export interface TestWorld extends World {
  /** `app.request()` with JSON in and out and the key as X-Api-Key. */
  call(method: string, path: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * A socket-free emulator for in-process tests: virtual clock, no provisioning delay unless given,
 * silent logs, every response checked against the OpenAPI documents.
 */
export function createTestWorld(options: EmulatorOptions = {}, listenerFactory?: ListenerFactory): TestWorld {
  const world = createWorld(
    resolveConfig({ clock: 'virtual', provisionDelayMs: 1000, seed: 1, logger: silentLogger, validateResponses: true, sip: false, ...options }),
    { ports: { api: 0 }, ...(listenerFactory && { listenerFactory }) },
  );
  const call: TestWorld['call'] = async (method, path, { key = 'test-key', body, headers = {} } = {}) => {
    const init: RequestInit = { method, headers: { ...(key === null ? {} : { 'X-Api-Key': key }), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const response = await world.app.request(path, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (docs, yaml): keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return { ...world, call };
}

/** The SIP guide's "Create an Agent" body (the contract suite's fixture). */
export const guideAgent = guideAgentBody();

/** The guide's "Create a SIP connection" example for an agent, with the guide's own password. */
export const guideConnection = (agentId: string) => {
  const body = guideSipConnectionBody(agentId);
  return { ...body, settings: { ...body.settings, password: 'your-sip-password' } };
};

/**
 * The guide's agent with handoff to 200 and a SIP connection for 101 on the built-in PBX of a
 * running emulator, waited for until online: the start of every handoff test. `api` speaks the
 * public API with `key`.
 */
export async function onlineHandoffConnection(
  emulator: { url: string; control: { waitForStatus(id: string, until: (s: { sipStatus: string | null }) => boolean, timeoutMs?: number): Promise<unknown> } },
  key: string,
  timeoutMs?: number,
): Promise<{ connectionId: string; api: (method: string, path: string, body?: unknown) => Promise<any> }> {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (res.status === 204 ? undefined : await res.json()) as any;
  };
  const agent = await api('POST', '/public/agents', guideAgent);
  await api('PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
  const conn = await api('POST', '/public/sip-connections', { agentId: agent.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'pw', transport: 'UDP' } });
  await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online', timeoutMs);
  return { connectionId: conn.id, api };
}
