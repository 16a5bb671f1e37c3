import assert from 'node:assert/strict';
import { asObject, assertError, successObject, type JsonObject } from '../assertions.js';
import { guideAgentBody, guideSipConnectionBody, minimalAgentBody } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { anyOf, assumption, needsSip } from '../skips.js';
import type { ContractCase, ContractEnvironment } from '../types.js';

const group = 'latest docs (August 2026)';

/** These cases check what the vendor's docs changed after the SIP guide; a guide run has nothing of them to check. */
const onlyLatest = ({ profile }: ContractEnvironment) => (profile === 'latest' ? undefined : 'checks the latest docs; run with --profile latest');

export const latestCases: ContractCase[] = [
  {
    group,
    name: 'refuses a plain language name ("English") with 400: languages are ISO 639-1 codes',
    sendsInvalidRequests: true,
    skip: onlyLatest,
    run: (ctx) => withResources(ctx, async (r) => {
      const res = await r.createRefused('/public/agents', { ...guideAgentBody(ctx.companionId, 'latest'), language: 'English' });
      assertError(ctx, res, 400, 'ValidationError', 'POST /public/agents with language English');
      if (ctx.strict) assert.match(String(asObject(res.body, 'error').description), /ISO 639-1/, 'the description says to send an ISO 639-1 code');
      const agent = await r.createAgent(guideAgentBody(ctx.companionId, 'latest'));
      assert.equal(agent.language, 'en');
    }),
  },
  {
    group,
    name: 'requires name on create',
    sendsInvalidRequests: true,
    skip: onlyLatest,
    run: (ctx) => withResources(ctx, async (r) => {
      const { name: _name, ...nameless } = minimalAgentBody(ctx.companionId, 'latest');
      assertError(ctx, await r.createRefused('/public/agents', nameless), 400, 'ValidationError', 'POST /public/agents without name');
    }),
  },
  {
    group,
    name: 'accepts and returns useWebSearch (true when left out) and mcp, which PATCH replaces',
    skip: onlyLatest,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(minimalAgentBody(ctx.companionId, 'latest'));
      assert.equal(agent.useWebSearch, true, 'useWebSearch defaults to true');
      const mcp = { servers: [{ name: 'orders', url: 'https://mcp.example.com/orders' }], connectors: [] };
      const res = await ctx.request('PATCH', `/public/agents/${agent.id}`, { body: { useWebSearch: false, mcp } });
      const patched = successObject(ctx, res, 'PATCH the agent');
      assert.equal(patched.useWebSearch, false);
      assert.deepEqual(patched.mcp, mcp);
    }),
  },
  {
    group,
    name: 'has the kiosk channel: PUT keeps its fields, GET returns them, DELETE removes it',
    skip: onlyLatest,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(minimalAgentBody(ctx.companionId, 'latest'));
      const body = { theme: 'dark', initialSpeech: 'Welcome! How can I help?', idleTimeoutSeconds: 120 };
      const config = await r.putChannel(agent.id, 'kiosk', body);
      assert.equal(config.channelType, 'kiosk');
      const read = successObject(ctx, await ctx.request('GET', `/public/agents/${agent.id}/channels/kiosk`), 'GET the kiosk config');
      for (const [field, value] of Object.entries(body)) assert.deepEqual((read as JsonObject)[field], value, `kiosk config keeps ${field}`);
      const deleted = await ctx.request('DELETE', `/public/agents/${agent.id}/channels/kiosk`);
      assert.ok(deleted.status >= 200 && deleted.status < 300, `DELETE answered ${deleted.status}`);
    }),
  },
  {
    group,
    name: 'POST /public/quota-requests takes {quotaType: sipPods, requestedValue, reason}; GET lists it',
    skip: anyOf(onlyLatest, needsSip),
    run: async (ctx) => {
      const res = await ctx.request('POST', '/public/quota-requests', { body: { quotaType: 'sipPods', requestedValue: 10, reason: 'omnisip contract suite' } });
      const request = successObject(ctx, res, 'POST /public/quota-requests');
      assert.equal(request.quotaType, 'sipPods');
      assert.equal(request.requestedValue, 10);
      const list = await ctx.request('GET', '/public/quota-requests');
      assert.equal(list.status, 200, `GET /public/quota-requests answered ${list.status}`);
      if (ctx.strict) {
        assert.ok(Array.isArray(list.body) && list.body.some((q) => (q as JsonObject).id === request.id), 'the list holds the new request');
        assert.ok(['pending', 'approved', 'rejected'].includes(String(request.status)), `status is pending, approved or rejected, got ${JSON.stringify(request.status)}`);
      }
    },
  },
  {
    group,
    name: 'an outbound call from a connection that is not online yet is refused with 409 SipConnectionNotOnline',
    sendsInvalidRequests: true,
    skip: anyOf(onlyLatest, needsSip, assumption('the status and code of an outbound call refused before the line is online')),
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent(minimalAgentBody(ctx.companionId, 'latest'));
      const connection = await r.createSipConnection(guideSipConnectionBody(agent.id));
      const status = asObject(connection.status, 'status');
      if (status.sipStatus === 'online') return; // already up: nothing to refuse
      const res = await ctx.request('POST', `/public/sip-connections/${connection.id}/call`, { body: { destination: '15551234567' } });
      assertError(ctx, res, 409, 'SipConnectionNotOnline', 'POST .../call on a connection still Pending');
    }),
  },
];
