import { describe, expect, it } from 'vitest';
import { measureColdStarts } from './measureColdStarts.js';
import type { ServerName, ServerUnderTest } from './servers.js';
import { benchApiKey, readinessPath, startServer } from './startServer.js';

/** A stand-in API server: like the real ones, it wants an API key and only starts listening after some work. */
const fakeApiScript = `
const http = require('node:http');
const port = Number(process.argv[1]);
setTimeout(() => {
  http.createServer((req, res) => {
    if (!req.headers['x-api-key']) return res.writeHead(401).end();
    res.writeHead(req.url === '/public/agents' ? 200 : 404, { 'Content-Type': 'application/json' }).end('{"items":[]}');
  }).listen(port, '127.0.0.1');
}, 20);
`;

const fake = (name: ServerName, script = fakeApiScript): ServerUnderTest => ({ name, command: process.execPath, args: (port) => ['-e', script, String(port)] });

describe('startServer', () => {
  it('measures spawn to the first 2xx answer of GET /public/agents and hands back a running server', async () => {
    const started = await startServer(fake('omnisip'), { cwd: process.cwd() });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(started.readyMs).toBeGreaterThanOrEqual(20);
    const answer = await fetch(`${started.baseUrl}${readinessPath}`, { headers: { 'X-Api-Key': benchApiKey } });
    expect(answer.status).toBe(200);
    expect(await started.process.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('reports a server that dies before answering, with its stderr', async () => {
    const started = await startServer(fake('prism', 'console.error("listen EADDRINUSE 127.0.0.1"); process.exit(1)'), { cwd: process.cwd() });
    expect(started.ok).toBe(false);
    expect(!started.ok && started.reason).toMatch(/^prism did not answer \/public\/agents: .*prism exited \(code 1, signal null\)[^]*its stderr:\nlisten EADDRINUSE/);
  });

  it('gives up on a server that never answers 2xx, and stops it', async () => {
    const started = await startServer(fake('omnisip', 'require("node:http").createServer((q, s) => s.writeHead(503).end()).listen(Number(process.argv[1]), "127.0.0.1")'), { cwd: process.cwd(), timeoutMs: 2_000 });
    // 2 s leaves a loaded CI machine time to start node; the deadline may cut the last poll short.
    expect(!started.ok && started.reason).toMatch(/not ready after 2000 ms \(last: HTTP 503(, then no answer before the deadline)?\)/);
  });
});

/** A stand-in with a PBX: the API as above at once, a UDP SIP responder on the second port after some more work. */
const fakeWithPbxScript = (answersSip: boolean) => `
${fakeApiScript}
const sip = require('node:dgram').createSocket('udp4');
setTimeout(() => {
  sip.on('message', (message, remote) => { if (${answersSip}) sip.send('SIP/2.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n', remote.port, remote.address); });
  sip.bind(Number(process.argv[2]), '127.0.0.1');
}, 60);
`;
const fakeWithPbx = (answersSip: boolean): ServerUnderTest => ({ name: 'omnisip', command: process.execPath, pbx: true, args: (port, sipPort) => ['-e', fakeWithPbxScript(answersSip), String(port), String(sipPort)] });

describe('startServer, a server with a PBX', () => {
  it('is ready when the API answers 2xx and the PBX answers OPTIONS, whichever comes last', async () => {
    const started = await startServer(fakeWithPbx(true), { cwd: process.cwd() });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    await started.process.stop();
    expect(started.sipMs).toBeGreaterThanOrEqual(60);
    expect(started.readyMs).toBe(Math.max(started.apiMs, started.sipMs!));
  });

  it('is not ready while the PBX is silent, and says so', async () => {
    const started = await startServer(fakeWithPbx(false), { cwd: process.cwd(), timeoutMs: 2_000 });
    expect(!started.ok && started.reason).toMatch(/^omnisip's PBX did not answer OPTIONS: no SIP answer to OPTIONS on UDP 127\.0\.0\.1:\d+ within 2000 ms/);
  });
});

describe('measureColdStarts', () => {
  it('starts and stops each server the given number of times and reports the median', async () => {
    const result = await measureColdStarts({ omnisip: fake('omnisip'), prism: fake('prism') }, 3, process.cwd());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const cold of Object.values(result.byServer)) {
      expect(cold.samplesMs).toHaveLength(3);
      expect(cold.medianMs).toBe([...cold.samplesMs].sort((a, b) => a - b)[1]);
    }
  });
});
