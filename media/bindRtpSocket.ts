import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { fail, ok, type Result } from './errors.js';

/** The IP literal `literalLookup` saw last, and its family. */
let lastLiteral = { address: '', family: 0 };

/**
 * dgram's lookup, answered at once for an IP address: the default (dns.lookup) answers on the next
 * tick even for a literal, a deferred callback and closure for every packet sent. Names still resolve.
 */
function literalLookup(hostname: string, options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  // Every packet of a call names the same address: isIP's regular expression runs once for it.
  if (hostname === lastLiteral.address) return callback(null, hostname, lastLiteral.family);
  const family = isIP(hostname);
  if (family) {
    lastLiteral = { address: hostname, family };
    return callback(null, hostname, family);
  }
  dnsLookup(hostname, options as number, callback as never);
}

/** A UDP socket bound to `address`:`port`, whose sends skip DNS for an IP literal; a port that cannot be bound is an error value. */
export function bind(address: string, port: number): Promise<Result<Socket>> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', lookup: literalLookup });
    const onError = (error: Error): void => {
      // A socket whose bind failed may already count as closed; closing it again throws.
      try {
        socket.close();
      } catch {
        /* already closed */
      }
      resolve(fail('socket-bind-failed', `${address}:${port}: ${error.message}`));
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(ok(socket));
    });
  });
}

/** RTP traditionally takes an even port and RTCP the odd one above (RFC 3550 §11); try a few. */
export async function bindPreferringEven(address: string): Promise<Result<Socket>> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const any = await bind(address, 0);
    if (!any.ok || any.value.address().port % 2 === 0) return any;
    const odd = any.value;
    const even = await bind(address, odd.address().port - 1);
    odd.close();
    if (even.ok) return even;
  }
  // Every even neighbour was taken: an odd port works just as well for RTP alone.
  return bind(address, 0);
}
