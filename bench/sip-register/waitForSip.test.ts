import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForSip } from './waitForSip.js';

describe('waitForSip', () => {
  const sockets: Array<ReturnType<typeof createSocket>> = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  async function udpServer(onMessage: (text: string, reply: (text: string) => void) => void): Promise<number> {
    const socket = createSocket('udp4');
    sockets.push(socket);
    socket.on('message', (message, remote) => onMessage(message.toString('latin1'), (text) => socket.send(text, remote.port, remote.address)));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket.address().port;
  }

  it('keeps sending OPTIONS until a SIP response comes back, whatever its status', async () => {
    let seen = 0;
    const port = await udpServer((text, reply) => {
      expect(text).toMatch(/^OPTIONS sip:127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
      // A server still starting up ignores the first requests.
      if (++seen === 3) reply('SIP/2.0 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    expect(await waitForSip(port, { intervalMs: 10, timeoutMs: 5000 })).toEqual({ ok: true, attempts: 3 });
  });

  it('is not ready when nothing SIP answers: silence, or a reply that is not SIP', async () => {
    const port = await udpServer((_, reply) => reply('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const result = await waitForSip(port, { intervalMs: 10, timeoutMs: 100 });
    expect(result).toEqual({ ok: false, reason: `no SIP answer to OPTIONS on UDP 127.0.0.1:${port} within 100 ms` });
  });

  it('stops when told to, e.g. when the server process exited', async () => {
    const port = await udpServer(() => undefined);
    const result = await waitForSip(port, { intervalMs: 10, signal: AbortSignal.abort('server exited (code 1)') });
    expect(result).toEqual({ ok: false, reason: `stopped waiting for SIP on 127.0.0.1:${port}: server exited (code 1)` });
  });
});
