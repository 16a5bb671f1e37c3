import assert from 'node:assert/strict';
import { assertError, successObject } from '../assertions.js';
import { guideHandoff, minimalAgentBody, unknownId } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { assumption } from '../skips.js';
import type { ContractCase } from '../types.js';

const group = 'errors';

export const errorCases: ContractCase[] = [
  {
    group,
    name: 'answers malformed JSON with 400 in the error envelope, on every operation with a body',
    // Prism parses the body first and answers its own 400 for text that is not JSON.
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const agentPath = `/public/agents/${encodeURIComponent(agent.id)}`;
      const bodies = ['{"companionId": ', '{companionId: "x"}', "{'a': 1}", '[1, 2', 'null null'];
      const targets: Array<[string, string]> = [['PATCH', agentPath], ['PUT', `${agentPath}/channels/sip`], ['PATCH', `/public/sip-connections/${unknownId('sipconn')}`]];
      for (const body of bodies) {
        assertError(ctx, await r.createRefused('/public/agents', body), 400, 'MalformedJson', `POST /public/agents with ${body}`);
        assertError(ctx, await r.createRefused('/public/sip-connections', body), 400, 'MalformedJson', `POST /public/sip-connections with ${body}`);
      }
      for (const [method, path] of targets) {
        assertError(ctx, await ctx.request(method, path, { body: '{"name": "unterminated' }), 400, 'MalformedJson', `${method} ${path} with malformed JSON`);
      }
      assert.deepEqual((await ctx.request('GET', agentPath)).body, agent, 'a malformed PATCH changes nothing');
    }),
  },
  {
    group,
    name: 'answers a path outside the API with 404 in the error envelope',
    sendsInvalidRequests: true,
    run: async (ctx) => {
      // Not `/public` itself: the docs say nothing of it, and the emulator answers it with an index of its routes.
      for (const path of ['/public/agentz', '/public/agents/agent_abc123/channels/sip/extra', '/public/sip-connections/sipconn_abc123/calls', '/nope']) {
        assertError(ctx, await ctx.request('GET', path), 404, 'RouteNotFound', `GET ${path}`);
      }
    },
  },
  {
    group,
    name: 'answers a method a path does not have with 405 and Allow',
    sendsInvalidRequests: true,
    skip: assumption('405 MethodNotAllowed with Allow'),
    run: async (ctx) => {
      const res = await ctx.request('PUT', '/public/agents', { body: {} });
      assertError(ctx, res, 405, 'MethodNotAllowed', 'PUT /public/agents');
      assert.deepEqual(res.headers.get('allow')?.split(/,\s*/).sort(), ['GET', 'POST']);
      const status = await ctx.request('GET', `/public/sip-connections/${unknownId('sipconn')}/status`);
      assertError(ctx, status, 405, 'MethodNotAllowed', 'GET …/status');
      assert.equal(status.headers.get('allow'), 'POST');
    },
  },
  {
    group,
    name: 'answers a body that is not JSON with 415',
    sendsInvalidRequests: true,
    skip: assumption('415 UnsupportedMediaType for a non-JSON Content-Type'),
    run: (ctx) => withResources(ctx, async (r) => {
      const res = await r.createRefused('/public/agents', 'companionId=c&voiceId=alloy', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      assertError(ctx, res, 415, 'UnsupportedMediaType', 'POST /public/agents as a form');
    }),
  },
  {
    group,
    name: 'every error body is exactly {code, description, type, numericType} with a description',
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const samples: Array<[number, string, string, { body?: unknown; key?: null }?]> = [
        [404, 'GET', `/public/agents/${unknownId('agent')}`],
        [404, 'GET', `/public/agents/${encodeURIComponent(agent.id)}/channels/webrtc`],
        [404, 'POST', `/public/sip-connections/${unknownId('sipconn')}/status`],
        [404, 'GET', `/public/sip-connections/${unknownId('sipconn')}/errors`],
        [400, 'PATCH', `/public/agents/${encodeURIComponent(agent.id)}`, { body: { functions: [1] } }],
        [400, 'PUT', `/public/agents/${encodeURIComponent(agent.id)}/channels/sip`, { body: { humanHandoff: { enabled: 'yes' } } }],
        [400, 'PATCH', `/public/agents/${encodeURIComponent(agent.id)}`, { body: '{' }],
        [401, 'GET', '/public/sip-connections', { key: null }],
        [404, 'DELETE', '/public/nothing-here'],
      ];
      for (const [status, method, path, options] of samples) {
        // assertError checks the exact envelope; a lenient run skips the undocumented 401 body only.
        assertError(ctx, await ctx.request(method, path, options ?? {}), status, undefined, `${method} ${path}`);
      }
    }),
  },
  {
    group,
    name: 'accepts the optional X-API-Version header and ignores it',
    run: (ctx) => withResources(ctx, async (r) => {
      const headers = { 'X-API-Version': '1.0' };
      const agent = await r.createAgent(minimalAgentBody(ctx.companionId, ctx.profile), { headers });
      const path = `/public/agents/${encodeURIComponent(agent.id)}`;
      const read = await ctx.request('GET', path, { headers });
      assert.deepEqual(read.body, agent, 'X-API-Version changes nothing');
      successObject(ctx, await ctx.request('PATCH', path, { body: { name: 'Versioned' }, headers }), 'PATCH with X-API-Version');
    }),
  },
  {
    group,
    name: 'ignores unknown top-level fields in request bodies',
    skip: assumption('unknown fields are accepted and ignored, api-facts.md conflict 24'),
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent({ ...minimalAgentBody(ctx.companionId, ctx.profile), favouriteColour: 'teal' });
      assert.equal(agent.favouriteColour, undefined, 'an unknown field is not stored');
      const config = await r.putChannel(agent.id, 'sip', { ...guideHandoff, priority: 'high' });
      assert.equal(config.priority, undefined, 'an unknown field is not stored');
    }),
  },
];
