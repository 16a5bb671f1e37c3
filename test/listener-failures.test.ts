import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { freeUdpTcpPort } from './support/peers.js';

/** Registration failures that need no peer: a silent UDP server (Timer F) and a closed TCP port. */
describe('listener registration failures', () => {
  let emulator: RunningEmulator;
  const silent = createSocket('udp4');
  let silentPort: number;

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    silentPort = silent.address().port;
    emulator = await startEmulator({
      apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', clock: 'virtual',
      // T1 = 5 ms makes Timer F (64*T1) fire after 320 ms instead of 32 s.
      sipTimers: { T1: 5, T2: 40 },
    });
  });
  afterAll(async () => {
    await emulator?.close();
    silent.close();
  });

  async function connect(server: string, port: number, transport: string) {
    const headers = { 'X-Api-Key': 'failures', 'Content-Type': 'application/json' };
    const agent: any = await (await fetch(`${emulator.url}/public/agents`, { method: 'POST', headers, body: JSON.stringify({ companionId: 'c', voiceId: 'alloy', providerSettings: {} }) })).json();
    const conn: any = await (await fetch(`${emulator.url}/public/sip-connections`, {
      method: 'POST', headers,
      body: JSON.stringify({ agentId: agent.id, settings: { server, port, domain: 'example.test', username: 'u', password: 'p', transport } }),
    })).json();
    emulator.control.advanceClock({ ms: 0 });
    return conn.id as string;
  }

  const nextError = (id: string) =>
    emulator.control.journal.waitFor((e) => e.kind === 'connection.error' && e.connectionId === id, 10_000, `an error for ${id}`);

  it('no answer over UDP is a 408 naming server, port and transport, then a retry on the emulator clock', async () => {
    let requests = 0;
    silent.on('message', () => requests++);
    const id = await connect('127.0.0.1', silentPort, 'UDP');
    const first = await nextError(id);
    expect(first).toMatchObject({ error: { code: 408, message: `SIP registration failed: 408 Request Timeout (no answer from 127.0.0.1:${silentPort} over UDP)` } });
    expect(requests).toBeGreaterThan(3); // Timer E retransmissions reached the server
    const status = await emulator.control.waitForStatus(id, (s) => s.sipStatus === 'registering');
    expect(status.lifecycleStatus).toBe('Running');
    // The retry waits on the emulator clock: nothing happens until time moves.
    const second = nextError(id);
    emulator.control.advanceClock({ ms: 5000 });
    expect((await second)).toMatchObject({ error: { code: 408 } });
  });

  it('a refused TCP connection is a 503 saying what happened', async () => {
    const closedPort = await freeUdpTcpPort();
    const id = await connect('127.0.0.1', closedPort, 'tcp');
    const error = await nextError(id);
    expect(error).toMatchObject({ error: { code: 503 } });
    if (error.kind === 'connection.error') {
      expect(error.error.message).toContain(`127.0.0.1:${closedPort} over TCP`);
      expect(error.error.message).toMatch(/refused/i);
    }
  });
});
