import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeUdpTcpPort } from '../../test/support/peers.js';
import { freePort } from './freePort.js';

describe('freePort', () => {
  it('returns a loopback port that can be bound right away', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('never hands out a port twice, with freeUdpTcpPort, though the kernel offers closed ports again', async () => {
    // Probed alone, 300 ports in a row repeat 5 to 10 of them here: a SIP port and an API port
    // taken one after the other were once the same, and the server failed to start.
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await (i % 2 === 0 ? freePort() : freeUdpTcpPort()));
    expect(new Set(ports).size).toBe(ports.length);
  });
});
