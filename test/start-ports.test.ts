import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../emulator/index.js';

const listening = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('omnisip start, on ports it cannot have', () => {
  it('refuses one port for both the API and the PBX before binding either, saying why', async () => {
    await expect(startEmulator({ apiPort: 47123, sipPort: 47123, logLevel: 'silent' })).rejects.toThrow(
      'omnisip: invalid option: apiPort and sipPort are both 47123: the built-in PBX listens on TCP as well as UDP, so the API needs a port of its own (0 picks a free one)',
    );
  });

  it('names --api-port when another process has the API port, and leaves no PBX behind', async () => {
    const other = await listening();
    const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap' || kind === 'TCPServerWrap').length;
    const before = sockets();
    try {
      await expect(startEmulator({ apiPort: portOf(other), sipPort: 0, logLevel: 'silent' })).rejects.toThrow(
        `omnisip: port ${portOf(other)} on 127.0.0.1 is already in use. Stop the other process, or pick another port with --api-port (0 picks a free one).`,
      );
      // The PBX bound its UDP and TCP sockets first; a failed start closes them again (a handle
      // being closed stays listed until its close callback has run).
      for (let turn = 0; turn < 100 && sockets() !== before; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      expect(sockets()).toBe(before);
    } finally {
      await close(other);
    }
  });

  it('names --sip-port when another process has the SIP port', async () => {
    const other = createSocket('udp4');
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    const { port } = other.address();
    try {
      await expect(startEmulator({ apiPort: 0, sipPort: port, logLevel: 'silent' })).rejects.toThrow(
        `omnisip: SIP port ${port} on 127.0.0.1 is already in use (another PBX or softphone?). Stop it, or pick another port with --sip-port (0 picks a free one).`,
      );
    } finally {
      await new Promise<void>((resolve) => other.close(resolve));
    }
  });

  it('names --sip-port when another process has the SIP port over TCP only', async () => {
    const other = await listening();
    try {
      await expect(startEmulator({ apiPort: 0, sipPort: portOf(other), logLevel: 'silent' })).rejects.toThrow(`omnisip: SIP port ${portOf(other)} on 127.0.0.1 is already in use`);
    } finally {
      await close(other);
    }
  });
});
