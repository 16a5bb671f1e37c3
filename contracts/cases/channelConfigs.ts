import assert from 'node:assert/strict';
import { assertDeleted, assertEpochSecondsNear, assertError, assertId, successObject } from '../assertions.js';
import { guideHandoff, unknownId } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { assumption, needsSip } from '../skips.js';
import type { ContractCase } from '../types.js';

const group = 'channel configs';
const channelPath = (agentId: string, channelType: string) => `/public/agents/${encodeURIComponent(agentId)}/channels/${channelType}`;

export const channelConfigCases: ContractCase[] = [
  {
    group,
    name: "PUT sip creates the config from the guide's body, then replaces it keeping id and created",
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const first = await r.putChannel(agent.id, 'sip', guideHandoff);
      assertId(ctx, first.id, 'chanconfig', 'the channel config id');
      assert.equal(first.channelType, 'sip');
      assert.deepEqual(first.humanHandoff, guideHandoff.humanHandoff);
      assertEpochSecondsNear(ctx, first.created, "the config's 'created'");
      assert.ok(typeof first.apiKeyId === 'string' && first.apiKeyId.length > 0, "'apiKeyId' names the key");
      assert.notEqual(first.apiKeyId, ctx.apiKey, "'apiKeyId' is the key's id, never the key itself");
      if (ctx.strict) assert.deepEqual(Object.keys(first).sort(), ['apiKeyId', 'channelType', 'created', 'humanHandoff', 'id']);

      const replacement = { functions: ['fn_sip_only'], providerSettings: { turnDetection: { silence_duration_ms: 800 } } };
      const second = successObject(ctx, await ctx.request('PUT', channelPath(agent.id, 'sip'), { body: replacement }), 'PUT sip again');
      assert.equal(second.id, first.id, 'replacing keeps the id');
      assert.equal(second.created, first.created, 'replacing keeps created');
      assert.deepEqual(second.functions, replacement.functions);
      assert.deepEqual(second.providerSettings, replacement.providerSettings);
      // PUT replaces the whole config, so the handoff left out is gone (assumed, conflict 21).
      if (ctx.strict) assert.equal(second.humanHandoff, undefined, 'fields left out of a PUT are removed');

      const read = await ctx.request('GET', channelPath(agent.id, 'sip'));
      assert.equal(read.status, 200, `GET sip config: ${read.status} ${read.text}`);
      assert.deepEqual(read.body, second, 'GET shows the replaced config');
    }),
  },
  {
    group,
    name: 'PUT accepts an empty body on every channel type',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      for (const channelType of ['sip', 'webrtc', 'websocket', 'voip', ...(ctx.profile === 'latest' ? ['kiosk'] : [])]) {
        const config = await r.putChannel(agent.id, channelType, {});
        assert.equal(config.channelType, channelType);
        // voipEndpoint is server-generated for voip only (api-facts.md conflict 22).
        if (ctx.strict) assert.equal(typeof config.voipEndpoint === 'string', channelType === 'voip', `voipEndpoint on ${channelType}`);
      }
    }),
  },
  {
    group,
    name: 'GET answers 404 for a channel the agent has no config for',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      await r.putChannel(agent.id, 'webrtc', {});
      assertError(ctx, await ctx.request('GET', channelPath(agent.id, 'sip')), 404, 'ChannelConfigNotFound', 'GET sip config never PUT');
    }),
  },
  {
    group,
    name: 'DELETE removes the config and keeps the agent',
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      await r.putChannel(agent.id, 'sip', guideHandoff);
      assertDeleted(ctx, await ctx.request('DELETE', channelPath(agent.id, 'sip')), 'DELETE sip config');
      assertError(ctx, await ctx.request('GET', channelPath(agent.id, 'sip')), 404, 'ChannelConfigNotFound', 'GET deleted sip config');
      const stillThere = await ctx.request('GET', `/public/agents/${encodeURIComponent(agent.id)}`);
      assert.equal(stillThere.status, 200, `the agent stays: ${stillThere.status} ${stillThere.text}`);
      assert.deepEqual(stillThere.body, agent);
    }),
  },
  {
    group,
    name: 'PUT, GET and DELETE under an agent that does not exist answer 404',
    run: async (ctx) => {
      const path = channelPath(unknownId('agent'), 'sip');
      assertError(ctx, await ctx.request('PUT', path, { body: {} }), 404, 'AgentNotFound', 'PUT under an unknown agent');
      assertError(ctx, await ctx.request('GET', path), 404, 'AgentNotFound', 'GET under an unknown agent');
      assertError(ctx, await ctx.request('DELETE', path), 404, 'AgentNotFound', 'DELETE under an unknown agent');
    },
  },
  {
    group,
    name: "answers 400 for a channel type the API does not have (kiosk is one only from the latest docs)",
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      for (const channelType of [...(ctx.profile === 'guide' ? ['kiosk'] : []), 'SIP', 'phone']) {
        assertError(ctx, await ctx.request('PUT', channelPath(agent.id, channelType), { body: {} }), 400, 'ValidationError', `PUT channels/${channelType}`);
        assertError(ctx, await ctx.request('GET', channelPath(agent.id, channelType)), 400, 'ValidationError', `GET channels/${channelType}`);
      }
    }),
  },
  {
    group,
    name: 'answers 400 for humanHandoff on a channel other than sip',
    skip: assumption('humanHandoff is refused outside sip, api-facts.md conflict 20'),
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      for (const channelType of ['voip', 'webrtc', 'websocket']) {
        assertError(ctx, await ctx.request('PUT', channelPath(agent.id, channelType), { body: guideHandoff }), 400, 'ValidationError', `PUT ${channelType} with humanHandoff`);
        assertError(ctx, await ctx.request('GET', channelPath(agent.id, channelType)), 404, 'ChannelConfigNotFound', `no ${channelType} config was stored`);
      }
    }),
  },
  {
    group,
    name: "deleting the agent deletes its channel configs and leaves its SIP connections running",
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      await r.putChannel(agent.id, 'sip', guideHandoff);
      const connection = await r.createSipConnection(agent.id);
      assertDeleted(ctx, await ctx.request('DELETE', `/public/agents/${encodeURIComponent(agent.id)}`), 'DELETE agent');
      // The configs are sub-resources of the agent (assumed, conflict 18); a gone agent answers 404 either way.
      assertError(ctx, await ctx.request('GET', channelPath(agent.id, 'sip')), 404, 'AgentNotFound', 'GET the sip config of a deleted agent');
      const kept = await ctx.request('GET', `/public/sip-connections/${encodeURIComponent(connection.id)}`);
      const keptBody = successObject(ctx, kept, 'GET the SIP connection of a deleted agent');
      assert.equal(keptBody.agentId, agent.id, 'the connection keeps its agentId (the docs: delete the SIP connection too)');
      const status = await ctx.request('POST', `/public/sip-connections/${encodeURIComponent(connection.id)}/status`);
      successObject(ctx, status, 'POST status of a connection whose agent is gone');
    }),
  },
];
