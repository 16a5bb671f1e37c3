import assert from 'node:assert/strict';
import { assertError, assertPage, successObject } from '../assertions.js';
import { guideHandoff, guideSipConnectionBody, minimalAgentBody } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { anyOf, needsOtherApiKey, needsSip } from '../skips.js';
import type { ContractCase, ContractContext } from '../types.js';

const group = 'auth and isolation';

function otherKey(ctx: ContractContext): string {
  assert.ok(ctx.otherApiKey, 'this case needs otherApiKey');
  return ctx.otherApiKey;
}

/** Pages through a list with `key`, returning every id on it. */
async function listedIds(ctx: ContractContext, path: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  for (let pageIndex = 0; pageIndex < 50; pageIndex++) {
    const res = await ctx.request('GET', `${path}?pageSize=100&pageIndex=${pageIndex}`, { key });
    assert.equal(res.status, 200, `GET ${path} with the other key: ${res.status} ${res.text}`);
    const items = assertPage(res, `GET ${path}`);
    ids.push(...items.map((item) => String(item.id)));
    if (items.length < 100) return ids;
  }
  return ids;
}

export const authCases: ContractCase[] = [
  {
    group,
    name: 'answers 401 to every operation sent without X-Api-Key',
    // Prism checks the security scheme itself and would answer its own 401.
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const none = { key: null };
      const requests: Array<[string, string, unknown?]> = [
        ['GET', '/public/agents'],
        ['POST', '/public/agents', minimalAgentBody(ctx.companionId, ctx.profile)],
        ['GET', '/public/agents/agent_abc123'],
        ['PATCH', '/public/agents/agent_abc123', { voiceId: 'echo' }],
        ['DELETE', '/public/agents/agent_abc123'],
        ['PUT', '/public/agents/agent_abc123/channels/sip', guideHandoff],
        ['GET', '/public/agents/agent_abc123/channels/sip'],
        ['GET', '/public/sip-connections'],
        ['GET', '/public/sip-connections/sipconn_abc123'],
        ['POST', '/public/sip-connections/sipconn_abc123/status'],
        ['GET', '/public/sip-connections/sipconn_abc123/errors'],
        ['DELETE', '/public/sip-connections/sipconn_abc123'],
      ];
      for (const [method, path, body] of requests) {
        assertError(ctx, await ctx.request(method, path, { ...none, ...(body ? { body } : {}) }), 401, 'Unauthorized', `${method} ${path} without a key`);
      }
      // A create refused for want of a key must not create anything, even by mistake.
      assertError(ctx, await r.createRefused('/public/sip-connections', guideSipConnectionBody('agent_abc123'), { key: null }), 401, 'Unauthorized', 'POST /public/sip-connections without a key');
    }),
  },
  {
    group,
    name: 'answers 401 to the key sent as Authorization: Bearer (the wrong scheme)',
    sendsInvalidRequests: true,
    run: async (ctx) => {
      const res = await ctx.request('GET', '/public/agents', { key: null, headers: { Authorization: `Bearer ${ctx.apiKey}` } });
      assertError(ctx, res, 401, 'Unauthorized', 'GET /public/agents with Authorization: Bearer');
    },
  },
  {
    group,
    name: "answers 404 to another project's key for an agent and its channel configs, and does not list it",
    skip: needsOtherApiKey,
    run: (ctx) => withResources(ctx, async (r) => {
      const other = otherKey(ctx);
      const agent = await r.createAgent();
      await r.putChannel(agent.id, 'sip', guideHandoff);
      const path = `/public/agents/${encodeURIComponent(agent.id)}`;
      assertError(ctx, await ctx.request('GET', path, { key: other }), 404, 'AgentNotFound', 'GET with the other key');
      assertError(ctx, await ctx.request('PATCH', path, { key: other, body: { voiceId: 'echo' } }), 404, 'AgentNotFound', 'PATCH with the other key');
      assertError(ctx, await ctx.request('GET', `${path}/channels/sip`, { key: other }), 404, 'AgentNotFound', 'GET channel with the other key');
      assertError(ctx, await ctx.request('PUT', `${path}/channels/sip`, { key: other, body: {} }), 404, 'AgentNotFound', 'PUT channel with the other key');
      assertError(ctx, await ctx.request('DELETE', `${path}/channels/sip`, { key: other }), 404, 'AgentNotFound', 'DELETE channel with the other key');
      assertError(ctx, await ctx.request('DELETE', path, { key: other }), 404, 'AgentNotFound', 'DELETE with the other key');
      assert.ok(!(await listedIds(ctx, '/public/agents', other)).includes(agent.id), "the other project's list does not show the agent");
      const untouched = successObject(ctx, await ctx.request('GET', path), 'GET with the owner key');
      assert.deepEqual(untouched, agent, "the other key's attempts changed nothing");
      successObject(ctx, await ctx.request('GET', `${path}/channels/sip`), 'the sip config is still there');
    }),
  },
  {
    group,
    name: "answers 404 to another project's key for a SIP connection, and refuses its agent as agentId",
    skip: anyOf(needsOtherApiKey, needsSip),
    run: (ctx) => withResources(ctx, async (r) => {
      const other = otherKey(ctx);
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const path = `/public/sip-connections/${encodeURIComponent(connection.id)}`;
      const code = 'SipConnectionNotFound';
      assertError(ctx, await ctx.request('GET', path, { key: other }), 404, code, 'GET with the other key');
      assertError(ctx, await ctx.request('POST', `${path}/status`, { key: other }), 404, code, 'POST status with the other key');
      assertError(ctx, await ctx.request('GET', `${path}/errors`, { key: other }), 404, code, 'GET errors with the other key');
      assertError(ctx, await ctx.request('PATCH', path, { key: other, body: { name: 'hijacked' } }), 404, code, 'PATCH with the other key');
      assertError(ctx, await ctx.request('DELETE', path, { key: other }), 404, code, 'DELETE with the other key');
      assert.ok(!(await listedIds(ctx, '/public/sip-connections', other)).includes(connection.id), "the other project's list does not show the connection");
      const borrowed = await r.createRefused('/public/sip-connections', guideSipConnectionBody(agent.id), { key: other });
      // 404 is omnisip's choice for an unknown agentId; the docs leave 400 open too (conflict 16).
      const refusal = ctx.strict || borrowed.status !== 400 ? 404 : 400;
      assertError(ctx, borrowed, refusal, 'AgentNotFound', "POST a connection with the other key and this project's agent");
      const untouched = successObject(ctx, await ctx.request('GET', path), 'GET with the owner key');
      assert.equal(untouched.name, connection.name, "the other key's PATCH changed nothing");
    }),
  },
];
