import { guideAgentBody, guideSipConnectionBody } from '../../contracts/fixtures.js';
/** The guide's "Create an agent" body, as the contract suite sends it. */
export const guideAgent = guideAgentBody();

/** The guide's "Create a SIP connection" example, for a given agent. */
export const guideSipConnection = guideSipConnectionBody;

export type CaseName = 'get-sip-connection' | 'list-agents' | 'create-agent';

/** What autocannon sends, once the case is prepared. */
export interface PreparedCase {
  method: 'GET' | 'POST';
  path: string;
  apiKey: string;
  body?: string;
}

export type PrepareResult = { ok: true; prepared: PreparedCase } | { ok: false; reason: string };

/**
 * One load case. `prepare` creates what the request needs through the public API itself, on both
 * servers alike: omnisip stores it, Prism answers with its examples (whose ids it accepts back).
 * Each case has its own API key, i.e. its own project, so the agents created by one case do not
 * lengthen the list read by another.
 */
export interface LoadCase {
  name: CaseName;
  title: string;
  prepare(baseUrl: string): Promise<PrepareResult>;
}

type Created = { ok: true; id: string } | { ok: false; reason: string };

async function create(baseUrl: string, apiKey: string, path: string, body: unknown): Promise<Created> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    text = await response.text();
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return { ok: false, reason: `POST ${baseUrl}${path} failed: ${cause?.message ?? (error as Error).message}` };
  }
  if (!response.ok) return { ok: false, reason: `POST ${path} answered ${response.status}: ${text.slice(0, 300)}` };
  const id = (JSON.parse(text) as { id?: unknown }).id;
  return typeof id === 'string' ? { ok: true, id } : { ok: false, reason: `POST ${path} answered without an id: ${text.slice(0, 300)}` };
}

/** How many agents the list case reads: one default page (pageSize 20). */
export const listedAgents = 20;

export const loadCases: readonly LoadCase[] = [
  {
    name: 'get-sip-connection',
    title: 'GET /public/sip-connections/{id}',
    async prepare(baseUrl) {
      const apiKey = 'bench-get-sip-connection';
      const agent = await create(baseUrl, apiKey, '/public/agents', guideAgent);
      if (!agent.ok) return agent;
      const connection = await create(baseUrl, apiKey, '/public/sip-connections', guideSipConnection(agent.id));
      if (!connection.ok) return connection;
      return { ok: true, prepared: { method: 'GET', path: `/public/sip-connections/${connection.id}`, apiKey } };
    },
  },
  {
    name: 'list-agents',
    title: `GET /public/agents (${listedAgents} agents)`,
    async prepare(baseUrl) {
      const apiKey = 'bench-list-agents';
      for (let i = 0; i < listedAgents; i++) {
        const agent = await create(baseUrl, apiKey, '/public/agents', { ...guideAgent, name: `Support Agent ${i + 1}` });
        if (!agent.ok) return agent;
      }
      return { ok: true, prepared: { method: 'GET', path: '/public/agents', apiKey } };
    },
  },
  {
    name: 'create-agent',
    title: 'POST /public/agents',
    async prepare() {
      return { ok: true, prepared: { method: 'POST', path: '/public/agents', apiKey: 'bench-create-agent', body: JSON.stringify(guideAgent) } };
    },
  },
];
