import type { AgentCreate, SipConnectionCreate } from '../emulator/generated/index.js';
import { assertId, successObject, type JsonObject } from './assertions.js';
import { guideSipConnectionBody, minimalAgentBody } from './fixtures.js';
import type { ContractContext, ContractRequestOptions, ContractResponse } from './types.js';

interface Created {
  path: string;
  key: string | undefined;
}

/**
 * What a case creates, deleted again when the case ends, pass or fail, newest first. A case may
 * delete things itself: a 404 at clean-up is fine.
 */
export class Resources {
  private readonly created: Created[] = [];

  constructor(private readonly ctx: ContractContext) {}

  /** Creates an agent (the reference's minimal body unless given) and returns it. */
  async createAgent(body: AgentCreate & Record<string, unknown> = minimalAgentBody(this.ctx.companionId, this.ctx.profile), { key, headers }: { key?: string; headers?: Record<string, string> } = {}): Promise<JsonObject & { id: string }> {
    const res = await this.ctx.request('POST', '/public/agents', { body, ...(key ? { key } : {}), ...(headers ? { headers } : {}) });
    const agent = successObject(this.ctx, res, 'POST /public/agents');
    const id = assertId(this.ctx, agent.id, 'agent', 'the agent id');
    this.created.push({ path: `/public/agents/${encodeURIComponent(id)}`, key });
    return { ...agent, id };
  }

  /** Creates (or replaces) a channel config; it is deleted before its agent. */
  async putChannel(agentId: string, channelType: string, body: unknown, key?: string): Promise<JsonObject> {
    const path = `/public/agents/${encodeURIComponent(agentId)}/channels/${channelType}`;
    const res = await this.ctx.request('PUT', path, { body, ...(key ? { key } : {}) });
    const config = successObject(this.ctx, res, `PUT ${path}`);
    this.created.push({ path, key });
    return config;
  }

  /** Creates a SIP connection (the guide's body for `agentId` unless given) and returns it. */
  async createSipConnection(body: SipConnectionCreate | string, key?: string): Promise<JsonObject & { id: string }> {
    await ensureSipQuota(this.ctx, key);
    const sent = typeof body === 'string' ? guideSipConnectionBody(body) : body;
    const res = await this.ctx.request('POST', '/public/sip-connections', { body: sent, ...(key ? { key } : {}) });
    const connection = successObject(this.ctx, res, 'POST /public/sip-connections');
    const id = assertId(this.ctx, connection.id, 'sipconn', 'the SIP connection id');
    this.created.push({ path: `/public/sip-connections/${encodeURIComponent(id)}`, key });
    return { ...connection, id };
  }

  /**
   * Sends a create the API must refuse. Should it create something anyway, that is cleaned up
   * too, so a lax API fails the case without leaving resources (or used quota) behind.
   */
  async createRefused(collectionPath: string, body: unknown, options: Omit<ContractRequestOptions, 'body'> = {}): Promise<ContractResponse> {
    const res = await this.ctx.request('POST', collectionPath, { ...options, body });
    const id = (res.body as { id?: unknown } | undefined)?.id;
    if (res.status >= 200 && res.status < 300 && typeof id === 'string') {
      this.created.push({ path: `${collectionPath}/${encodeURIComponent(id)}`, key: options.key ?? undefined });
    }
    return res;
  }

  /** Deletes everything created, newest first; returns what could not be deleted. */
  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const { path, key } of this.created.splice(0).reverse()) {
      try {
        const res = await this.ctx.request('DELETE', path, key ? { key } : {});
        if (!(res.status >= 200 && res.status < 300) && res.status !== 404) problems.push(`DELETE ${path} answered ${res.status} ${res.text}`);
      } catch (error) {
        problems.push(`DELETE ${path} failed: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}

/** The keys (per context) that have asked for sipPods quota in this run. */
const quotaAsked = new WeakMap<ContractContext, Set<string>>();

/**
 * The latest docs: SIP connections need `sipPods` quota (0 by default). Before its first
 * connection with a key, the suite asks for enough for its own cases; omnisip approves at once
 * (`--quota-approval auto`); on the live API an approved quota is needed before the run.
 */
async function ensureSipQuota(ctx: ContractContext, key: string | undefined): Promise<void> {
  if (ctx.profile !== 'latest') return;
  const asked = quotaAsked.get(ctx) ?? new Set<string>();
  quotaAsked.set(ctx, asked);
  const who = key ?? ctx.apiKey;
  if (asked.has(who)) return;
  asked.add(who);
  await ctx.request('POST', '/public/quota-requests', { body: { quotaType: 'sipPods', requestedValue: 10, reason: 'omnisip contract suite' }, ...(key ? { key } : {}) });
}

/**
 * Runs `body` with a fresh `Resources` and cleans up afterwards. A failure of the case wins over
 * a failure to clean up; a clean-up failure alone fails the case (it left things behind).
 */
export async function withResources(ctx: ContractContext, body: (resources: Resources) => Promise<void>): Promise<void> {
  const resources = new Resources(ctx);
  let failure: unknown;
  try {
    await body(resources);
  } catch (error) {
    failure = error;
  }
  const problems = await resources.cleanUp();
  if (failure !== undefined) throw failure;
  if (problems.length) throw new Error(`clean-up left resources behind: ${problems.join('; ')}`);
}
