import { createServer } from 'node:net';
import { takeFreshPort } from '../../test/support/peers.js';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for a child process that must be told its
 * port up front, and not one this process handed out lately (nor `freeUdpTcpPort`): the kernel
 * offers a port it has just seen closed again, and two ports for one server must differ. Another
 * process could still take it before the child binds; the child then fails to start, which the
 * caller sees as an early exit rather than a wrong measurement.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probe(host);
    if (takeFreshPort(port)) return port;
  }
  throw new Error(`freePort: the kernel offered only ports handed out lately on ${host}`);
}

function probe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: the server reported no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
