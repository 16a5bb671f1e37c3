import { guideAgent } from '../api/index.js';

export interface Listener {
  connectionId: string;
  /** The Request-URI callers dial: the connection's extension at its (served) domain. */
  uri: string;
  apiKey: string;
}

export type PrepareListenerResult = { ok: true; listener: Listener } | { ok: false; reason: string };

const extension = '101';
const domain = 'pbx.example';

async function call(apiUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${apiUrl}${path}`, { method, headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * The guide's agent with a SIP channel config (handoff off) and a UDP connection registered on the
 * built-in PBX as 101, through the public API; resolves once the connection is online.
 */
export async function prepareListener(apiUrl: string, timeoutMs = 15_000): Promise<PrepareListenerResult> {
  const apiKey = 'bench-calls';
  const agent = await call(apiUrl, apiKey, 'POST', '/public/agents', guideAgent);
  if (agent.status >= 300) return { ok: false, reason: `POST /public/agents answered ${agent.status}: ${JSON.stringify(agent.body)}` };
  const channel = await call(apiUrl, apiKey, 'PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: false } });
  if (channel.status >= 300) return { ok: false, reason: `PUT the SIP channel config answered ${channel.status}: ${JSON.stringify(channel.body)}` };
  const settings = { server: domain, port: 5060, domain, username: extension, password: 'bench-secret', transport: 'UDP' };
  const connection = await call(apiUrl, apiKey, 'POST', '/public/sip-connections', { agentId: agent.body.id, name: 'bench', settings });
  if (connection.status >= 300) return { ok: false, reason: `POST /public/sip-connections answered ${connection.status}: ${JSON.stringify(connection.body)}` };
  const id = connection.body.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await call(apiUrl, apiKey, 'POST', `/public/sip-connections/${id}/status`);
    if (status.body?.status?.sipStatus === 'online') return { ok: true, listener: { connectionId: id, uri: `sip:${extension}@${domain}`, apiKey } };
    if (Date.now() > deadline) return { ok: false, reason: `connection ${id} not online within ${timeoutMs} ms: ${JSON.stringify(status.body)}` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
