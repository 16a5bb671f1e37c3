import assert from 'node:assert/strict';
import { asObject, assertDeleted, assertEpochSecondsNear, assertError, assertPage, successObject, type JsonObject } from '../assertions.js';
import { guideAgentBody, minimalAgentBody, requiredAgentFields, unknownId } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { assumption } from '../skips.js';
import type { ContractCase, ContractContext } from '../types.js';

const group = 'agents';
const agentPath = (id: string) => `/public/agents/${encodeURIComponent(id)}`;

/** Every page of the project's agents, read with `pageSize` items per page. */
async function allAgents(ctx: ContractContext, pageSize: number): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  for (let pageIndex = 0; pageIndex < 200; pageIndex++) {
    const res = await ctx.request('GET', `/public/agents?pageIndex=${pageIndex}&pageSize=${pageSize}`);
    assert.equal(res.status, 200, `GET /public/agents page ${pageIndex}: ${res.status} ${res.text}`);
    const page = assertPage(res, `page ${pageIndex}`, { pageIndex, pageSize });
    items.push(...page);
    if (items.length >= (asObject(res.body, 'list').filteredCount as number) || page.length === 0) return items;
  }
  throw new Error('GET /public/agents never ran out of pages');
}

export const agentCases: ContractCase[] = [
  {
    group,
    name: "creates an agent from the guide's body and returns every field with a prefixed id and created",
    run: (ctx) => withResources(ctx, async (r) => {
      const body = guideAgentBody(ctx.companionId, ctx.profile);
      const agent = await r.createAgent(body);
      const { id, created, ...rest } = agent;
      // The latest docs: useWebSearch defaults to true, so an agent created without it shows it.
      const expected = ctx.profile === 'latest' ? { ...body, useWebSearch: true } : body;
      if (ctx.strict) assert.deepEqual(rest, expected, 'the created agent is exactly the fields sent');
      else for (const [field, value] of Object.entries(body)) assert.deepEqual(rest[field], value, `the created agent echoes '${field}'`);
      assertEpochSecondsNear(ctx, created, "the agent's 'created'");
      const again = await r.createAgent(body);
      assert.notEqual(again.id, id, 'every agent gets its own id');
    }),
  },
  {
    group,
    name: 'creates an agent with only the required fields: companionId, voiceId, an empty providerSettings (and name, in the latest docs)',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(minimalAgentBody(ctx.companionId, ctx.profile));
      assert.equal(agent.companionId, ctx.companionId);
      assert.equal(agent.voiceId, 'alloy');
      assert.deepEqual(agent.providerSettings, {});
      // Optional fields are absent when not set (omnisip's reading of the docs' examples).
      const latest = ctx.profile === 'latest' ? ['name', 'useWebSearch'] : [];
      if (ctx.strict) assert.deepEqual(Object.keys(agent).sort(), ['companionId', 'created', 'id', 'providerSettings', 'voiceId', ...latest].sort());
    }),
  },
  {
    group,
    name: 'answers 400 in the error envelope when a required field is missing',
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      for (const field of requiredAgentFields(ctx.profile)) {
        const body: JsonObject = { ...minimalAgentBody(ctx.companionId, ctx.profile) };
        delete body[field];
        const res = await r.createRefused('/public/agents', body);
        assertError(ctx, res, 400, 'ValidationError', `POST /public/agents without ${field}`);
        if (ctx.strict) assert.match(String(asObject(res.body, 'error').description), new RegExp(field), `the description names '${field}'`);
      }
    }),
  },
  {
    group,
    name: 'answers 400 when a known field has the wrong type',
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const wrong: JsonObject[] = [
        { companionId: 42 }, { voiceId: true }, { providerSettings: 'defaults' }, { providerSettings: [] },
        { functions: 'fn_order_status' }, { faqCollections: [1, 2] }, { name: 5 }, { language: {} },
      ];
      for (const change of wrong) {
        const res = await r.createRefused('/public/agents', { ...minimalAgentBody(ctx.companionId, ctx.profile), ...change });
        assertError(ctx, res, 400, 'ValidationError', `POST /public/agents with ${JSON.stringify(change)}`);
      }
    }),
  },
  {
    group,
    name: 'gets an agent by id, exactly as created',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(guideAgentBody(ctx.companionId, ctx.profile));
      const res = await ctx.request('GET', agentPath(agent.id));
      assert.equal(res.status, 200, `GET agent: ${res.status} ${res.text}`);
      assert.deepEqual(res.body, agent);
    }),
  },
  {
    group,
    name: 'answers 404 for an agent that does not exist',
    run: async (ctx) => {
      const id = unknownId('agent');
      assertError(ctx, await ctx.request('GET', agentPath(id)), 404, 'AgentNotFound', 'GET unknown agent');
      assertError(ctx, await ctx.request('PATCH', agentPath(id), { body: { voiceId: 'echo' } }), 404, 'AgentNotFound', 'PATCH unknown agent');
      assertError(ctx, await ctx.request('DELETE', agentPath(id)), 404, 'AgentNotFound', 'DELETE unknown agent');
    },
  },
  {
    group,
    name: 'lists agents in the paged envelope {items, filteredCount, totalCount, pageIndex, pageSize}',
    run: (ctx) => withResources(ctx, async (r) => {
      const mine = [await r.createAgent(), await r.createAgent(), await r.createAgent()];
      const res = await ctx.request('GET', '/public/agents');
      assert.equal(res.status, 200, `GET /public/agents: ${res.status} ${res.text}`);
      assertPage(res, 'GET /public/agents', ctx.strict ? { pageIndex: 0, pageSize: 20 } : { pageIndex: 0 });
      const list = asObject(res.body, 'list');
      assert.ok((list.totalCount as number) >= 3, 'totalCount counts the agents just created');
      assert.equal(list.filteredCount, list.totalCount, 'the agent list has no filter');
      const all = await allAgents(ctx, 100);
      for (const agent of mine) assert.deepEqual(all.find((a) => a.id === agent.id), agent, `agent ${agent.id} is listed as created`);
    }),
  },
  {
    group,
    name: 'pages with a 0-based pageIndex and pageSize, each agent on exactly one page',
    run: (ctx) => withResources(ctx, async (r) => {
      const mine = [await r.createAgent(), await r.createAgent(), await r.createAgent()];
      const everything = await allAgents(ctx, 100);
      const byTwos = await allAgents(ctx, 2);
      assert.deepEqual(byTwos.map((a) => a.id), everything.map((a) => a.id), 'pages of 2 list the same agents, in the same order, as one page of 100');
      const past = await ctx.request('GET', `/public/agents?pageIndex=${everything.length}&pageSize=1`);
      assert.equal(past.status, 200, `a page past the end: ${past.status} ${past.text}`);
      assert.deepEqual(assertPage(past, 'a page past the end', { pageIndex: everything.length, pageSize: 1 }), []);
      // Oldest first (assumed): the agents just created come last, in creation order.
      if (ctx.strict) assert.deepEqual(everything.slice(-3).map((a) => a.id), mine.map((a) => a.id));
    }),
  },
  {
    group,
    name: 'answers 400 for a pageIndex or pageSize out of bounds (0-based index, size 1 to 100)',
    sendsInvalidRequests: true,
    skip: assumption('page size limits 1..100, api-facts.md conflict 11'),
    run: async (ctx) => {
      for (const query of ['pageIndex=-1', 'pageSize=0', 'pageSize=101', 'pageSize=ten', 'pageIndex=1.5']) {
        assertError(ctx, await ctx.request('GET', `/public/agents?${query}`), 400, 'ValidationError', `GET /public/agents?${query}`);
      }
      const largest = await ctx.request('GET', '/public/agents?pageSize=100');
      assert.equal(largest.status, 200, `pageSize=100 is allowed: ${largest.status} ${largest.text}`);
    },
  },
  {
    group,
    name: 'PATCH replaces each top-level field sent (arrays and providerSettings wholesale) and keeps the rest',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(guideAgentBody(ctx.companionId, ctx.profile));
      const patch = { voiceId: 'shimmer', functions: ['fn_new'], providerSettings: { temperature: 0.2 } };
      const res = await ctx.request('PATCH', agentPath(agent.id), { body: patch });
      const patched = successObject(ctx, res, 'PATCH agent');
      assert.equal(patched.voiceId, 'shimmer');
      assert.deepEqual(patched.functions, ['fn_new'], 'arrays are replaced, not merged (documented)');
      // providerSettings replaced, not deep-merged: assumed by omnisip (conflict 10).
      if (ctx.strict) assert.deepEqual(patched.providerSettings, { temperature: 0.2 });
      else assert.equal(asObject(patched.providerSettings, 'providerSettings').temperature, 0.2);
      const { voiceId: _v, functions: _f, providerSettings: _p, ...unchanged } = agent;
      for (const [field, value] of Object.entries(unchanged)) assert.deepEqual(patched[field], value, `PATCH keeps '${field}'`);
      const read = await ctx.request('GET', agentPath(agent.id));
      assert.deepEqual(read.body, patched, 'GET shows the patched agent');
    }),
  },
  {
    group,
    name: 'PATCH with an empty body changes nothing',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(guideAgentBody(ctx.companionId, ctx.profile));
      const patched = successObject(ctx, await ctx.request('PATCH', agentPath(agent.id), { body: {} }), 'PATCH {}');
      assert.deepEqual(patched, agent);
    }),
  },
  {
    group,
    name: 'PATCH answers 400 for a field of the wrong type, and the agent is unchanged',
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(guideAgentBody(ctx.companionId, ctx.profile));
      const changes: JsonObject[] = [{ voiceId: 5 }, { functions: 'fn_x' }, { providerSettings: 0.7 }, { voiceId: '' }];
      if (ctx.strict) changes.push({ name: null });
      for (const change of changes) {
        assertError(ctx, await ctx.request('PATCH', agentPath(agent.id), { body: change }), 400, 'ValidationError', `PATCH ${JSON.stringify(change)}`);
      }
      assert.deepEqual((await ctx.request('GET', agentPath(agent.id))).body, agent, 'a refused PATCH changes nothing');
    }),
  },
  {
    group,
    name: 'DELETE answers 2xx, then the agent is gone (404) and no longer listed',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      assertDeleted(ctx, await ctx.request('DELETE', agentPath(agent.id)), 'DELETE agent');
      assertError(ctx, await ctx.request('GET', agentPath(agent.id)), 404, 'AgentNotFound', 'GET deleted agent');
      assertError(ctx, await ctx.request('DELETE', agentPath(agent.id)), 404, 'AgentNotFound', 'DELETE it again');
      assert.equal((await allAgents(ctx, 100)).find((a) => a.id === agent.id), undefined, 'a deleted agent is not listed');
    }),
  },
];
