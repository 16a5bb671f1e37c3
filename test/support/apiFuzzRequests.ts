import fc from 'fast-check';
import { guideAgent, guideConnection } from './world.js';

/** One request the fuzz sends. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Random and schema-violating API requests for the fuzz tests (api-fuzz.test.ts, and
 * api-fuzz-node.test.ts, which sends each both ways). `ids` is read when a request is drawn, so
 * it may be filled in after this is called (in a beforeAll).
 */
export function fuzzRequests(ids: { agent: string; connection: string }) {
  // Routes that are not the JSON API (docs, YAML, the redirect at /) or that could change the
  // emulator itself (the control API could add fault rules) are left out.
  // Judged on the path as the URL parser normalizes it (`/public/..` is `/`) and the router decodes it.
  // A path starting `//` would be read as a host name by `app.request`: those are left out too.
  const outsideTheApi = (path: string) => {
    if (path.startsWith('//') || !URL.canParse(path, 'http://localhost')) return true;
    const pathname = new URL(path, 'http://localhost').pathname;
    const decoded = (() => {
      try {
        return decodeURIComponent(pathname);
      } catch {
        return pathname;
      }
    })();
    return [pathname, decoded].some((p) => /^\/(?:$|docs|openapi\.yaml|control-openapi\.yaml|_emulator)(?:\/|$)/i.test(p));
  };

  const segment = fc.oneof(
    fc.constantFrom('agent_abc123', 'sipconn_abc123', '%', '%zz', '%2F', '%00', '..', '.', 'agents', 'sip-connections', 'channels', 'status', 'errors'),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).map((s) => s.replace(/[/?#\s\\]/g, '')),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => 'a'.repeat(n)),
    fc.constant('').map(() => ids.agent),
    fc.constant('').map(() => ids.connection),
  );
  const channel = fc.oneof(fc.constantFrom('sip', 'voip', 'webrtc', 'websocket', 'kiosk', 'SIP', ''), segment);
  /** The API's routes with the methods each has: requests pick a fitting method most of the time. */
  const knownRoute = fc.oneof(
    fc.constant({ path: '/public/agents', methods: ['GET', 'POST'] }),
    fc.constant({ path: '/public/sip-connections', methods: ['GET', 'POST'] }),
    segment.map((id) => ({ path: `/public/agents/${id}`, methods: ['GET', 'PATCH', 'DELETE'] })),
    fc.tuple(segment, channel).map(([id, ch]) => ({ path: `/public/agents/${id}/channels/${ch}`, methods: ['GET', 'PUT', 'DELETE'] })),
    segment.map((id) => ({ path: `/public/sip-connections/${id}`, methods: ['GET', 'PATCH', 'DELETE'] })),
    segment.map((id) => ({ path: `/public/sip-connections/${id}/status`, methods: ['POST'] })),
    segment.map((id) => ({ path: `/public/sip-connections/${id}/errors`, methods: ['GET'] })),
  );
  const unknownPath = fc.array(segment, { minLength: 1, maxLength: 5 }).chain((parts) =>
    fc.constantFrom('/', '/public/', '/public/agents/x/', '/public/sip-connections/x/').map((prefix) => `${prefix}${parts.join('/')}`),
  );
  const queryValue = fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.constantFrom('', 'ten', '1.5', '1e2', '0x10', '%', '-0'), fc.string({ maxLength: 10 }).map(encodeURIComponent));
  const query = fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(fc.constantFrom('pageIndex', 'pageSize', 'agentId', 'x', '__proto__'), queryValue), { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '')),
  );
  const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'get');
  const target = fc.oneof(
    { weight: 4, arbitrary: knownRoute.chain(({ path, methods }) => fc.record({ path: fc.constant(path), method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: anyMethod }) })) },
    { weight: 1, arbitrary: fc.record({ path: unknownPath, method: anyMethod }) },
  );
  const routed = fc.tuple(target, query)
    .map(([t, q]) => ({ method: t.method, path: `${t.path}${q}` }))
    .filter((t) => !outsideTheApi(t.path));

  const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));
  const headers = fc.record(
    {
      'X-Api-Key': fc.oneof({ weight: 8, arbitrary: fc.constant('fuzz-key') }, fc.constant(undefined), fc.constant(''), fc.constant('   '), headerValue),
      'Content-Type': fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'json'),
      'X-API-Version': fc.constantFrom('1.0', '', '99', 'ÿ'),
      Authorization: fc.constant('Bearer fuzz-key'),
      Accept: fc.constantFrom('application/json', 'text/html', '*/*'),
    },
    { requiredKeys: ['X-Api-Key'] },
  ).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

  /** A valid body of one of the API's request schemas, to be mutated. */
  const validBody = fc.constantFrom<Record<string, unknown>>(
    { ...guideAgent },
    { companionId: 'c', voiceId: 'alloy', providerSettings: {} },
    { humanHandoff: { enabled: true, transferExtension: '200', transferDescription: 'x' } },
    { ...guideConnection('agent_abc123') },
    { name: 'Updated Support Line', settings: { password: 'p', port: 5070 } },
    { voiceId: 'shimmer', functions: ['fn_x'] },
  );
  const junk = fc.oneof(
    fc.anything(),
    fc.string({ minLength: 5_000, maxLength: 6_000 }),
    fc.integer({ min: 50_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 50, max: 2_000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
    fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
  );
  const mutatedBody = fc.tuple(validBody, fc.nat(), fc.integer({ min: 0, max: 3 }), junk).map(([body, pick, how, value]) => {
    const copy = structuredClone(body) as Record<string, unknown>;
    const target = (typeof copy.settings === 'object' && pick % 3 === 0 ? copy.settings : copy) as Record<string, unknown>;
    const keys = Object.keys(target);
    const key = keys[pick % Math.max(1, keys.length)] ?? 'companionId';
    if (how === 0) delete target[key];
    else if (how === 1) target[key] = value;
    else if (how === 2) target.__proto__ = value as never;
    else target[`extra${pick}`] = value;
    // `__proto__` set above is a prototype change, not a key: write it into the text as a key too.
    return JSON.stringify(copy).replace(/^\{/, how === 2 ? `{"__proto__":${JSON.stringify(value) ?? 'null'},` : '{').replace(/,}$/, '}');
  });
  const invalidJson = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json().chain((text) => fc.nat(Math.max(0, text.length - 1)).map((cut) => text.slice(0, cut))),
    fc.constantFrom('{', '{"a":}', "{'a':1}", '[1,]', 'NaN', 'undefined', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', '{"a":"\\x"}'),
  );
  const body = fc.oneof(
    fc.constant(undefined),
    validBody.map((b) => JSON.stringify(b)),
    fc.json({ maxDepth: 4 }),
    fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    mutatedBody,
    invalidJson,
  );

  const request: fc.Arbitrary<FuzzRequest> = fc.record({ routed, headers, body }).map(({ routed: { method, path }, ...r }) => ({
    ...r,
    method,
    path,
    // A GET or HEAD Request cannot carry a body (fetch throws): send those without.
    body: method.toUpperCase() === 'GET' || method.toUpperCase() === 'HEAD' ? undefined : r.body,
  }));
  return { request, mutatedBody, invalidJson };
}
