import { formatVia, parseVia, type SipRequest, type Via } from '../message/index.js';
import type { Endpoint } from './SipTransport.js';

export interface ReceivedParamsOptions {
  /**
   * Record the source port as `rport` even when the Via did not ask for it (an rport value the
   * sender wrote is replaced too), so every UDP response goes back to the address and port the
   * request came from, as Kamailio's force_rport() does. A PBX wants this: phones behind NAT, and
   * peers whose Via names a host or port they do not listen on, still get their answers.
   */
  forceRport?: boolean;
}

/**
 * Records where a request really came from in its top Via, so that responses find their way back
 * through NAT: `received` when the sent-by host differs from the source address (RFC 3261 §18.2.1),
 * and for a Via with an empty `rport`, `rport=<source port>` plus `received` even when equal
 * (RFC 3581 §4). A `received` already in the Via is replaced by the source address. Modifies the request; returns the updated Via, or undefined when the top Via
 * cannot be parsed (the caller answers 400).
 */
export function addReceivedParams(request: SipRequest, source: Endpoint, options: ReceivedParamsOptions = {}): Via | undefined {
  const text = request.headers.get('Via');
  const via = text === undefined ? undefined : parseVia(text);
  if (via === undefined) return undefined;
  const wantsRport = options.forceRport === true ? via.params.rport !== String(source.port) : 'rport' in via.params && via.params.rport === null;
  // A `received` the sender wrote itself is not ours to trust: left as it is, it would send our
  // response to an address the request never came from. Ours always names the source.
  const ownReceived = via.params.received === undefined || via.params.received === source.address;
  if (!wantsRport && sameHost(via.host, source.address) && ownReceived) return via;
  via.params.received = source.address;
  if (wantsRport || options.forceRport === true) via.params.rport = String(source.port);
  request.headers.removeFirst('Via');
  request.headers.prepend('Via', formatVia(via));
  return via;
}

function sameHost(host: string, address: string): boolean {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase() === address.toLowerCase();
}
