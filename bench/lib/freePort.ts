import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for a child process that must be told its
 * port up front. Another process could take it before the child binds; the child then fails to
 * start, which the caller sees as an early exit rather than a wrong measurement.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
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
