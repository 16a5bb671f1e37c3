import { formatVia, parseVia, type SipRequest, type Via } from '../message/index.js';
import type { Endpoint } from './SipTransport.js';

/**
 * Records where a request really came from in its top Via, so that responses find their way back
 * through NAT: `received` when the sent-by host differs from the source address (RFC 3261 §18.2.1),
 * and for a Via with an empty `rport`, `rport=<source port>` plus `received` even when equal
 * (RFC 3581 §4). A `received` already in the Via is replaced by the source address. Modifies the request; returns the updated Via, or undefined when the top Via
 * cannot be parsed (the caller answers 400).
 */
export function addReceivedParams(request: SipRequest, source: Endpoint): Via | undefined {
  const text = request.headers.get('Via');
  const via = text === undefined ? undefined : parseVia(text);
  if (via === undefined) return undefined;
  const wantsRport = 'rport' in via.params && via.params.rport === null;
  // A `received` the sender wrote itself is not ours to trust: left as it is, it would send our
  // response to an address the request never came from. Ours always names the source.
  const ownReceived = via.params.received === undefined || via.params.received === source.address;
  if (!wantsRport && sameHost(via.host, source.address) && ownReceived) return via;
  via.params.received = source.address;
  if (wantsRport) via.params.rport = String(source.port);
  request.headers.removeFirst('Via');
  request.headers.prepend('Via', formatVia(via));
  return via;
}

function sameHost(host: string, address: string): boolean {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase() === address.toLowerCase();
}
