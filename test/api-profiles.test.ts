import { describe, expect, it } from 'vitest';
import { guideAgent, createTestWorld } from './support/world.js';

const connectionBody = (agentId: string) => ({ agentId, settings: { server: 'sip.your-provider.com', port: 5060, domain: 'your-provider.com', username: '101', password: 'pw-profile-secret', transport: 'TCP' } });
const latestAgent = { ...guideAgent, language: 'en' };

describe('the guide profile (default): the vendor SIP guide, as openapi.yaml says', () => {
  it('takes plain language names, an agent without name, and has no kiosk channel, quota or outbound call', async () => {
    const world = createTestWorld();
    expect((await world.call('GET', '/_emulator/health')).body.apiProfile).toBe('guide');
    const agent = await world.call('POST', '/public/agents', { body: { companionId: 'c', voiceId: 'alloy', providerSettings: {}, language: 'English' } });
    expect(agent.status).toBe(200);
    expect(agent.body.useWebSearch).toBeUndefined();
    expect((await world.call('PUT', `/public/agents/${agent.body.id}/channels/kiosk`, { body: {} })).status).toBe(400);
    expect((await world.call('GET', '/public/quota-requests')).body.code).toBe('RouteNotFound');
    const created = await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) });
    expect(created.status).toBe(200);
    expect((await world.call('POST', `/public/sip-connections/${created.body.id}/call`, { body: { destination: '200' } })).status).toBe(404);
  });

  it('SIP as a private preview: a project the control plane marks as not enabled gets 403 on every SIP-connection call, until enabled', async () => {
    const world = createTestWorld();
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    const before = await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) });
    expect((await world.call('PUT', '/_emulator/projects/test-key/sip', { body: { enabled: false } })).body).toMatchObject({ enabled: false, used: 1 });
    for (const [method, path, body] of [
      ['POST', '/public/sip-connections', connectionBody(agent.body.id)],
      ['GET', '/public/sip-connections'],
      ['POST', `/public/sip-connections/${before.body.id}/status`],
      ['GET', `/public/sip-connections/${before.body.id}/errors`],
      ['PATCH', `/public/sip-connections/${before.body.id}`, { name: 'x' }],
    ] as const) {
      const res = await world.call(method, path, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ code: 'SipConnectionsNotEnabled', type: 6, numericType: 6 });
      expect(res.body.description).toMatch(/private preview/);
    }
    // Another project is not affected; agents of this one are not either.
    expect((await world.call('GET', '/public/sip-connections', { key: 'other' })).status).toBe(200);
    expect((await world.call('GET', '/public/agents')).status).toBe(200);
    await world.call('PUT', '/_emulator/projects/test-key/sip', { body: { enabled: true } });
    expect((await world.call('GET', '/public/sip-connections')).body.totalCount).toBe(1);
  });
});

describe('the latest profile (--api-profile latest): the docs of August 2026', () => {
  it('refuses "language":"English" with a 400 that says to send an ISO 639-1 code, and requires name', async () => {
    const world = createTestWorld({ apiProfile: 'latest' });
    expect((await world.call('GET', '/_emulator/health')).body.apiProfile).toBe('latest');
    const english = await world.call('POST', '/public/agents', { body: { ...guideAgent, language: 'English' } });
    expect(english.status).toBe(400);
    expect(english.body).toMatchObject({ code: 'ValidationError', type: 2 });
    expect(english.body.description).toMatch(/'language' must be an ISO 639-1 code such as 'en'/);
    const { name: _name, ...nameless } = latestAgent;
    const noName = await world.call('POST', '/public/agents', { body: nameless });
    expect(noName.status).toBe(400);
    expect(noName.body.description).toMatch(/'name' is required/);
    expect((await world.call('PATCH', '/public/agents/agent_x', { body: { language: 'Spanish' } })).status).toBe(400);
  });

  it('accepts and returns useWebSearch (default true) and mcp, and has the kiosk channel and videoPolicy', async () => {
    const world = createTestWorld({ apiProfile: 'latest' });
    const agent = await world.call('POST', '/public/agents', { body: latestAgent });
    expect(agent.status).toBe(200);
    expect(agent.body).toMatchObject({ language: 'en', useWebSearch: true });
    const mcp = { servers: [{ name: 'orders', url: 'https://mcp.example.com/orders' }], connectors: [] };
    const patched = await world.call('PATCH', `/public/agents/${agent.body.id}`, { body: { useWebSearch: false, mcp } });
    expect(patched.body).toMatchObject({ useWebSearch: false, mcp });
    const kiosk = await world.call('PUT', `/public/agents/${agent.body.id}/channels/kiosk`, { body: { theme: 'dark', initialSpeech: 'Welcome!', idleTimeoutSeconds: 120 } });
    expect(kiosk.status).toBe(200);
    expect(kiosk.body).toMatchObject({ channelType: 'kiosk', theme: 'dark', initialSpeech: 'Welcome!', idleTimeoutSeconds: 120 });
    expect((await world.call('PUT', `/public/agents/${agent.body.id}/channels/sip`, { body: { theme: 'dark' } })).body.description).toMatch(/'theme' is only supported on the 'kiosk' channel/);
    expect((await world.call('PUT', `/public/agents/${agent.body.id}/channels/webrtc`, { body: { videoPolicy: 'deferred' } })).body).toMatchObject({ videoPolicy: 'deferred' });
  });

  it('serves its own document: /openapi.yaml and /public list the quota and outbound-call operations', async () => {
    const world = createTestWorld({ apiProfile: 'latest' });
    const yaml = await world.call('GET', '/openapi.yaml');
    expect(yaml.body).toContain('/public/quota-requests:');
    expect(yaml.body).toContain("language: en");
    const index = JSON.stringify((await world.call('GET', '/public')).body);
    expect(index).toContain('/public/sip-connections/{id}/call');
  });

  it('sipPods quota: 0 until a request is approved, then exactly the approved number of connections', async () => {
    const world = createTestWorld({ apiProfile: 'latest' });
    const agent = await world.call('POST', '/public/agents', { body: latestAgent });
    const refused = await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'SipQuotaExceeded', type: 3, numericType: 3 });
    expect(refused.body.description).toMatch(/POST \/public\/quota-requests/);
    const request = await world.call('POST', '/public/quota-requests', { body: { quotaType: 'sipPods', requestedValue: 1, reason: 'one line' } });
    expect(request.status).toBe(200);
    expect(request.body).toMatchObject({ quotaType: 'sipPods', requestedValue: 1, reason: 'one line', status: 'approved' });
    expect((await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) })).status).toBe(200);
    expect((await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) })).body.code).toBe('SipQuotaExceeded');
    expect((await world.call('GET', '/public/quota-requests')).body).toEqual([request.body]);
    expect((await world.call('POST', '/public/quota-requests', { body: { quotaType: 'webrtcPods', requestedValue: 1 } })).status).toBe(400);
  });

  it('with --quota-approval manual a request stays pending until the control plane approves it; --sip-quota sets the starting quota', async () => {
    const world = createTestWorld({ apiProfile: 'latest', quotaApproval: 'manual', sipQuota: 0 });
    const agent = await world.call('POST', '/public/agents', { body: latestAgent });
    const request = await world.call('POST', '/public/quota-requests', { body: { quotaType: 'sipPods', requestedValue: 2 } });
    expect(request.body.status).toBe('pending');
    expect((await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) })).status).toBe(409);
    const reviewed = await world.call('PUT', `/_emulator/projects/test-key/quota-requests/${request.body.id}`, { body: { status: 'approved' } });
    expect(reviewed.body.status).toBe('approved');
    expect((await world.call('GET', '/_emulator/projects/test-key/sip')).body).toMatchObject({ quota: 2, used: 0, approval: 'manual' });
    expect((await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) })).status).toBe(200);
    expect((await world.call('PUT', '/_emulator/projects/test-key/quota-requests/quotareq_nope', { body: { status: 'rejected' } })).body.code).toBe('QuotaRequestNotFound');
    const three = createTestWorld({ apiProfile: 'latest', sipQuota: 3 });
    expect((await three.call('GET', '/_emulator/projects/k/sip')).body).toMatchObject({ quota: 3, used: 0 });
  });

  it('an outbound call needs the connection Running/online: a Pending one gets 409 saying so', async () => {
    const world = createTestWorld({ apiProfile: 'latest', sipQuota: 1 });
    const agent = await world.call('POST', '/public/agents', { body: latestAgent });
    const conn = await world.call('POST', '/public/sip-connections', { body: connectionBody(agent.body.id) });
    const res = await world.call('POST', `/public/sip-connections/${conn.body.id}/call`, { body: { destination: '15551234567' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SipConnectionNotOnline');
    expect(res.body.description).toMatch(/is Pending\/null; an outbound call needs Running\/online/);
    expect((await world.call('POST', `/public/sip-connections/${conn.body.id}/call`, { body: { destination: '+1 555' } })).status).toBe(400);
    expect((await world.call('POST', '/public/sip-connections/sipconn_unknown/call', { body: { destination: '200' } })).status).toBe(404);
  });
});
