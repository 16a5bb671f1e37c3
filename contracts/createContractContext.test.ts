import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractContext } from './createContractContext.js';
import { sipPassword } from './fixtures.js';

type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const routes: Record<string, Route> = {
  '/echo': (req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ key: req.headers['x-api-key'] ?? null, type: req.headers['content-type'] ?? null, body }));
  },
  '/empty': (_req, _body, res) => res.writeHead(204).end(),
  '/text': (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'),
  '/leak-body': (_req, _body, res) => res.writeHead(200).end(JSON.stringify({ settings: { note: `pw=${sipPassword}` } })),
  '/leak-header': (_req, _body, res) => res.writeHead(200, { 'x-debug': sipPassword }).end('{}'),
  // The two shapes of a Prism verdict, as `prism proxy --errors` sends them (seen by experiment).
  '/violation': (_req, _body, res) =>
    res.writeHead(500, { 'content-type': 'application/problem+json', 'sl-violations': JSON.stringify([{ location: ['response', 'body', 'id'], severity: 'Error', code: 'pattern', message: 'Response body property id must match pattern "^agent_[a-z0-9]{20,}$"' }]) })
      .end(JSON.stringify({ type: 'https://stoplight.io/prism/errors#VIOLATIONS', title: 'Request/Response not valid', status: 500 })),
  '/prism-refused': (_req, _body, res) =>
    res.writeHead(422, { 'content-type': 'application/problem+json' }).end(JSON.stringify({
      type: 'https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY', title: 'Invalid request', status: 422,
      validation: [{ location: ['body'], severity: 'Error', code: 'required', message: "Request body must have required property 'voiceId'" }],
    })),
};

let baseUrl: string;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => (routes[req.url ?? ''] ?? ((_q, _b, r) => r.writeHead(404).end()))(req, body, res));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createContractContext', () => {
  const ctx = () => createContractContext({ baseUrl, apiKey: 'key-1', target: 'live' });

  it('sends the key unless told not to, JSON bodies as JSON and string bodies verbatim', async () => {
    expect((await ctx().request('POST', '/echo', { body: { a: 1 } })).body).toEqual({ key: 'key-1', type: 'application/json', body: '{"a":1}' });
    expect((await ctx().request('POST', '/echo', { body: '{"a":', key: null })).body).toEqual({ key: null, type: 'application/json', body: '{"a":' });
    expect((await ctx().request('POST', '/echo', { body: 'a=b', key: 'other', headers: { 'content-type': 'text/plain' } })).body).toEqual({ key: 'other', type: 'text/plain', body: 'a=b' });
  });

  it('parses JSON, leaves an empty body undefined and other text as text', async () => {
    expect((await ctx().request('DELETE', '/empty')).body).toBeUndefined();
    expect((await ctx().request('GET', '/text')).body).toBe('hello');
  });

  it('fails on any response that contains a SIP password the suite sent, in the body or a header', async () => {
    await expect(ctx().request('GET', '/leak-body')).rejects.toThrow(/GET \/leak-body answered 200 with a SIP password/);
    await expect(ctx().request('GET', '/leak-header')).rejects.toThrow(/SIP password/);
  });

  it("fails with Prism's own words when Prism reports a violation or answered the request itself", async () => {
    await expect(ctx().request('GET', '/violation')).rejects.toThrow(/does not match openapi\.yaml \(status 500\): response\.body\.id: Response body property id must match pattern/);
    await expect(ctx().request('POST', '/prism-refused', { body: {} })).rejects.toThrow(/Prism answered 422 itself \(UNPROCESSABLE_ENTITY.*required property 'voiceId'/);
  });

  it('is strict against the emulator and lenient live unless told', () => {
    expect(createContractContext({ baseUrl, apiKey: 'k', target: 'emulator' }).strict).toBe(true);
    expect(ctx().strict).toBe(false);
    expect(createContractContext({ baseUrl, apiKey: 'k', target: 'live', strict: true }).strict).toBe(true);
  });

  it('says where it could not connect', async () => {
    const closed = createContractContext({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', target: 'live' });
    await expect(closed.request('GET', '/public/agents')).rejects.toThrow(/no answer from http:\/\/127\.0\.0\.1:9/);
  });
});
