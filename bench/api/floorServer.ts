import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The bare-Node floor of bench:api: Node's own HTTP server answering the benchmark's requests
 * with the least work that still answers them as the API does (bench/api/servers.ts
 * `floorServer`). A create reads and parses the JSON body and stores the answer's text; a read
 * answers stored text; a list is the project's first page, kept until the next create. No
 * routing table, validation, fault rules, journal, events or error envelope: what omnisip answers
 * above this is what those cost, and what Node's server and the kernel cost on this machine is
 * what neither can go below.
 *
 *   node dist/bench/api/floorServer.js <port>
 */
const port = Number(process.argv[2] ?? 0);
const byId = new Map<string, string>();
const agentsByKey = new Map<string, string[]>();
const pages = new Map<string, Buffer>();
let next = 0;

function answer(res: ServerResponse, status: number, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function create(req: IncomingMessage, res: ServerResponse, kind: 'agent' | 'connection', key: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return answer(res, 400, '{"code":"ValidationError"}');
    }
    // Write-only, as everywhere in omnisip: a connection's password is never answered.
    if (kind === 'connection' && typeof body.settings === 'object' && body.settings !== null) body.settings = { ...body.settings, password: undefined };
    const id = `${kind}-${++next}`;
    const text = JSON.stringify({ id, ...body, created: Math.floor(Date.now() / 1000) });
    byId.set(id, text);
    if (kind === 'agent') {
      const agents = agentsByKey.get(key) ?? [];
      agents.push(text);
      agentsByKey.set(key, agents);
      pages.delete(key);
    }
    answer(res, 200, text);
  });
}

function list(res: ServerResponse, key: string): void {
  let page = pages.get(key);
  if (page === undefined) {
    const agents = agentsByKey.get(key) ?? [];
    page = Buffer.from(`{"items":[${agents.slice(0, 20).join(',')}],"filteredCount":${agents.length},"totalCount":${agents.length},"pageIndex":0,"pageSize":20}`);
    pages.set(key, page);
  }
  answer(res, 200, page);
}

const server = createServer((req, res) => {
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || key === '') return answer(res, 401, '{"code":"Unauthorized"}');
  const url = req.url ?? '';
  if (req.method === 'POST' && url === '/public/agents') return create(req, res, 'agent', key);
  if (req.method === 'POST' && url === '/public/sip-connections') return create(req, res, 'connection', key);
  if (req.method === 'GET' && url === '/public/agents') return list(res, key);
  if (req.method === 'GET' && url.startsWith('/public/sip-connections/')) {
    const text = byId.get(url.slice('/public/sip-connections/'.length));
    return text === undefined ? answer(res, 404, '{"code":"NotFound"}') : answer(res, 200, text);
  }
  answer(res, 404, '{"code":"NotFound"}');
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  // autocannon's keep-alive connections would hold close() open.
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
