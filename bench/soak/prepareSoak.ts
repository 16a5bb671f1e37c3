import { guideAgent } from '../api/index.js';
import { request } from './http.js';

export interface SoakTarget {
  apiKey: string;
  connectionId: string;
  /** The listener's extension and domain, as SIPp and the callers dial them. */
  extension: string;
  domain: string;
}

/**
 * The guide's agent with human handoff to extension 200, a UDP connection registered on the
 * built-in PBX as 101, and softphone 200 answering the handoffs; resolves once the connection is online.
 */
export async function prepareSoak(apiUrl: string, timeoutMs = 15_000): Promise<{ ok: true; target: SoakTarget } | { ok: false; reason: string }> {
  const apiKey = 'bench-soak';
  const api = (method: string, path: string, body?: unknown) => request(`${apiUrl}${path}`, method, { apiKey, body });
  const agent = await api('POST', '/public/agents', guideAgent);
  if (agent.status >= 300) return { ok: false, reason: `POST /public/agents answered ${agent.status}: ${JSON.stringify(agent.body)}` };
  const channel = await api('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
  if (channel.status >= 300) return { ok: false, reason: `PUT the SIP channel config answered ${channel.status}: ${JSON.stringify(channel.body)}` };
  const softphone = await api('POST', '/_emulator/softphones', { username: '200', password: 'soak-human', autoAnswer: { status: 200 } });
  if (softphone.status !== 201) return { ok: false, reason: `POST /_emulator/softphones answered ${softphone.status}: ${JSON.stringify(softphone.body)}` };
  const domain = 'pbx.example';
  const settings = { server: domain, port: 5060, domain, username: '101', password: 'soak-secret', transport: 'UDP' };
  const connection = await api('POST', '/public/sip-connections', { agentId: agent.body.id, name: 'soak', settings });
  if (connection.status >= 300) return { ok: false, reason: `POST /public/sip-connections answered ${connection.status}: ${JSON.stringify(connection.body)}` };
  const id = connection.body.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await api('POST', `/public/sip-connections/${id}/status`);
    if (status.body?.status?.sipStatus === 'online') return { ok: true, target: { apiKey, connectionId: id, extension: '101', domain } };
    if (Date.now() > deadline) return { ok: false, reason: `connection ${id} not online within ${timeoutMs} ms: ${JSON.stringify(status.body)}` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
