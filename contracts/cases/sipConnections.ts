import assert from 'node:assert/strict';
import {
  asObject, assertDeleted, assertEpochSecondsNear, assertError, assertNoPasswordField, assertPage, successObject, type JsonObject,
} from '../assertions.js';
import { guideSettingsAsReturned, guideSipConnectionBody, newSipPassword, unknownId } from '../fixtures.js';
import { withResources } from '../Resources.js';
import { anyOf, assumption, needsSip } from '../skips.js';
import type { ContractCase } from '../types.js';
import { assertErrorLogEntry, assertStatusObject } from './sipStatus.js';

const group = 'SIP connections';
const connectionPath = (id: string) => `/public/sip-connections/${encodeURIComponent(id)}`;
const withSettings = (agentId: string, settings: JsonObject) => ({ ...guideSipConnectionBody(agentId), settings: { ...guideSipConnectionBody(agentId).settings, ...settings } });

export const sipConnectionCases: ContractCase[] = [
  {
    group,
    name: "creates a connection from the guide's body: Pending, sipStatus null, settings without the password",
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      await r.putChannel(agent.id, 'sip', {});
      const connection = await r.createSipConnection(agent.id);
      assertNoPasswordField(connection, 'the created connection');
      assert.equal(connection.agentId, agent.id);
      assert.equal(connection.name, 'Main Support Line');
      assert.deepEqual(connection.settings, guideSettingsAsReturned(), 'settings are echoed, password left out');
      const status = assertStatusObject(ctx, connection.status, 'status');
      assert.equal(status.lifecycleStatus, 'Pending', 'a new connection is Pending (the guide)');
      assert.equal(status.sipStatus, null);
      assert.equal(status.message, null);
      assertEpochSecondsNear(ctx, connection.created, "the connection's 'created'");
      if (ctx.strict) assert.deepEqual(Object.keys(connection).sort(), ['agentId', 'created', 'id', 'name', 'settings', 'status']);
    }),
  },
  {
    group,
    name: 'creates a connection without name or callerId (both optional), even with no sip channel config',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const { callerId: _c, ...settings } = guideSipConnectionBody(agent.id).settings;
      const connection = await r.createSipConnection({ agentId: agent.id, settings });
      assert.equal(connection.name, undefined, 'no name was sent');
      assert.equal(asObject(connection.settings, 'settings').callerId, undefined, 'no callerId was sent');
    }),
  },
  {
    group,
    name: 'accepts the transport UDP or TCP in any letter case',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      for (const transport of ['UDP', 'udp', 'Tcp']) {
        const connection = await r.createSipConnection(withSettings(agent.id, { transport }));
        assert.equal(String(asObject(connection.settings, 'settings').transport).toUpperCase(), transport.toUpperCase());
      }
    }),
  },
  {
    group,
    name: 'answers 400 for a missing agentId, settings or setting (all but callerId are required)',
    skip: needsSip,
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const { agentId: _a, ...noAgent } = guideSipConnectionBody(agent.id);
      const { settings: _s, ...noSettings } = guideSipConnectionBody(agent.id);
      assertError(ctx, await r.createRefused('/public/sip-connections', noAgent), 400, 'ValidationError', 'without agentId');
      assertError(ctx, await r.createRefused('/public/sip-connections', noSettings), 400, 'ValidationError', 'without settings');
      for (const field of ['server', 'port', 'domain', 'username', 'password', 'transport']) {
        const body = guideSipConnectionBody(agent.id) as unknown as { settings: JsonObject };
        delete body.settings[field];
        assertError(ctx, await r.createRefused('/public/sip-connections', body), 400, 'ValidationError', `without settings.${field}`);
      }
    }),
  },
  {
    group,
    name: 'answers 400 for a transport other than UDP or TCP, and for settings of the wrong type',
    skip: needsSip,
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const wrong: JsonObject[] = [{ transport: 'TLS' }, { transport: 'WS' }, { transport: '' }, { port: '5060' }, { port: 5060.5 }, { server: 7 }, { password: ['x'] }];
      // TLS is not emulated, so omnisip refuses it; the live API may accept it.
      const cases = ctx.strict ? wrong : wrong.filter((w) => w.transport !== 'TLS');
      for (const change of cases) {
        assertError(ctx, await r.createRefused('/public/sip-connections', withSettings(agent.id, change)), 400, 'ValidationError', `settings ${JSON.stringify(change)}`);
      }
      assertError(ctx, await r.createRefused('/public/sip-connections', { ...guideSipConnectionBody(agent.id), agentId: 5 }), 400, 'ValidationError', 'agentId 5');
      assertError(ctx, await r.createRefused('/public/sip-connections', { ...guideSipConnectionBody(agent.id), settings: 'sip:x' }), 400, 'ValidationError', 'settings as a string');
    }),
  },
  {
    group,
    name: 'answers 404 when agentId names no agent of the project',
    skip: anyOf(needsSip, assumption('an unknown agentId answers 404, api-facts.md conflict 16')),
    run: (ctx) => withResources(ctx, async (r) => {
      const res = await r.createRefused('/public/sip-connections', guideSipConnectionBody(unknownId('agent')));
      assertError(ctx, res, 404, 'AgentNotFound', 'POST with an unknown agentId');
    }),
  },
  {
    group,
    name: 'POST …/status answers {status, created} with the status object and lastRefreshed near now',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const res = await ctx.request('POST', `${connectionPath(connection.id)}/status`);
      const body = successObject(ctx, res, 'POST status');
      assert.deepEqual(Object.keys(body).sort(), ['created', 'status'], 'the answer is exactly {status, created}, as in the guide');
      assertStatusObject(ctx, body.status, 'status');
      assert.equal(body.created, connection.created, "'created' is the connection's");
    }),
  },
  {
    group,
    name: 'GET …/errors answers an array of {timestamp, message, code}',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const res = await ctx.request('GET', `${connectionPath(connection.id)}/errors`);
      assert.equal(res.status, 200, `GET errors: ${res.status} ${res.text}`);
      assert.ok(Array.isArray(res.body), `the error log is an array, got ${res.text}`);
      res.body.forEach((entry, i) => assertErrorLogEntry(entry, `errors[${i}]`));
    }),
  },
  {
    group,
    name: 'GET …/{id} answers the connection as created (not confirmed by the docs)',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const read = successObject(ctx, await ctx.request('GET', connectionPath(connection.id)), 'GET connection');
      const { status: _s1, ...readRest } = read;
      const { status: _s2, ...createdRest } = connection;
      assert.deepEqual(readRest, createdRest, 'the same connection (its status may have moved on)');
      assertStatusObject(ctx, read.status, 'status');
    }),
  },
  {
    group,
    name: 'PATCH name renames the connection and keeps its settings',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const patched = successObject(ctx, await ctx.request('PATCH', connectionPath(connection.id), { body: { name: 'Updated Support Line' } }), 'PATCH name');
      assert.equal(patched.name, 'Updated Support Line');
      assert.deepEqual(patched.settings, connection.settings);
      assert.equal(patched.id, connection.id);
      const read = successObject(ctx, await ctx.request('GET', connectionPath(connection.id)), 'GET after PATCH');
      assert.equal(read.name, 'Updated Support Line');
    }),
  },
  {
    group,
    name: 'PATCH settings replaces the fields sent, never returns the new password',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const res = await ctx.request('PATCH', connectionPath(connection.id), { body: { settings: { port: 5070, password: newSipPassword } } });
      const patched = successObject(ctx, res, 'PATCH settings');
      assertNoPasswordField(patched, 'the patched connection');
      const settings = asObject(patched.settings, 'settings');
      assert.equal(settings.port, 5070);
      // Settings fields are replaced one by one (assumed): the rest keep their values.
      if (ctx.strict) assert.deepEqual(settings, { ...guideSettingsAsReturned(), port: 5070 });
      assertStatusObject(ctx, patched.status, 'status');
    }),
  },
  {
    group,
    name: 'PATCH answers 404 for an agentId of no agent, and 400 for settings of the wrong type',
    skip: anyOf(needsSip, assumption('PATCH validates agentId and settings like create')),
    sendsInvalidRequests: true,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      assertError(ctx, await ctx.request('PATCH', connectionPath(connection.id), { body: { agentId: unknownId('agent') } }), 404, 'AgentNotFound', 'PATCH agentId');
      assertError(ctx, await ctx.request('PATCH', connectionPath(connection.id), { body: { settings: { port: 'x' } } }), 400, 'ValidationError', 'PATCH port');
      assertError(ctx, await ctx.request('PATCH', connectionPath(connection.id), { body: { settings: { transport: 'SCTP' } } }), 400, 'ValidationError', 'PATCH transport');
      const read = successObject(ctx, await ctx.request('GET', connectionPath(connection.id)), 'GET after refused PATCHes');
      assert.equal(read.agentId, agent.id);
      assert.deepEqual(read.settings, connection.settings);
    }),
  },
  {
    group,
    name: 'DELETE answers 2xx, then every operation on the connection answers 404',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const connection = await r.createSipConnection(agent.id);
      const path = connectionPath(connection.id);
      assertDeleted(ctx, await ctx.request('DELETE', path), 'DELETE connection');
      const code = 'SipConnectionNotFound';
      assertError(ctx, await ctx.request('GET', path), 404, code, 'GET deleted connection');
      assertError(ctx, await ctx.request('POST', `${path}/status`), 404, code, 'POST status of deleted connection');
      assertError(ctx, await ctx.request('GET', `${path}/errors`), 404, code, 'GET errors of deleted connection');
      assertError(ctx, await ctx.request('PATCH', path, { body: { name: 'x' } }), 404, code, 'PATCH deleted connection');
      assertError(ctx, await ctx.request('DELETE', path), 404, code, 'DELETE it again');
    }),
  },
  {
    group,
    name: 'lists connections in the paged envelope, without passwords',
    skip: needsSip,
    run: (ctx) => withResources(ctx, async (r) => {
      const agent = await r.createAgent();
      const mine = [await r.createSipConnection(agent.id), await r.createSipConnection(agent.id)];
      const res = await ctx.request('GET', '/public/sip-connections?pageSize=100');
      assert.equal(res.status, 200, `GET /public/sip-connections: ${res.status} ${res.text}`);
      const items = assertPage(res, 'GET /public/sip-connections', { pageIndex: 0, pageSize: 100 });
      assertNoPasswordField(res.body, 'the connection list');
      for (const connection of mine) assert.ok(items.some((c) => c.id === connection.id), `connection ${connection.id} is listed`);
      // Every listed status has the documented shape; only the suite's own connections are known to be fresh
      // (a project that already had connections, the live API's included, lists older ones too).
      const ours = new Set(mine.map((c) => c.id));
      items.forEach((c, i) => assertStatusObject(ctx, c.status, `items[${i}].status`, { fresh: ours.has(c.id as string) }));
    }),
  },
  {
    group,
    name: 'filters the list by agentId: filteredCount counts the matches, totalCount every connection',
    skip: anyOf(needsSip, assumption('the agentId filter, api-facts.md conflict 12')),
    run: (ctx) => withResources(ctx, async (r) => {
      const [a, b] = [await r.createAgent(), await r.createAgent()];
      const onA = [await r.createSipConnection(a.id), await r.createSipConnection(a.id)];
      await r.createSipConnection(b.id);
      const res = await ctx.request('GET', `/public/sip-connections?agentId=${encodeURIComponent(a.id)}&pageSize=1`);
      assert.equal(res.status, 200, `filtered list: ${res.status} ${res.text}`);
      const first = assertPage(res, 'filtered list', { pageIndex: 0, pageSize: 1 });
      const page = asObject(res.body, 'list');
      assert.equal(page.filteredCount, 2, 'two connections use agent A');
      assert.ok((page.totalCount as number) >= 3, 'totalCount ignores the filter');
      const second = assertPage(await ctx.request('GET', `/public/sip-connections?agentId=${encodeURIComponent(a.id)}&pageSize=1&pageIndex=1`), 'page 1');
      assert.deepEqual([...first, ...second].map((c) => c.id).sort(), onA.map((c) => c.id).sort(), 'the two pages hold exactly the connections of agent A');
    }),
  },
];
