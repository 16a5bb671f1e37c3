import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TransportError } from './TransportError.js';
import type { Endpoint } from './SipTransport.js';

/**
 * Resolves a destination's host name to an address of the given family with dns.lookup
 * (the hosts file and the system resolver; SIP's NAPTR/SRV steps of RFC 3263 are not emulated).
 * IP literals are returned as they are.
 */
export async function resolveHost(destination: Endpoint, family: 4 | 6): Promise<Endpoint | TransportError> {
  const host = destination.address.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return host === destination.address ? destination : { ...destination, address: host };
  try {
    const { address } = await lookup(host, { family });
    return { ...destination, address };
  } catch (error) {
    return TransportError.fromSystemError(error, destination);
  }
}
