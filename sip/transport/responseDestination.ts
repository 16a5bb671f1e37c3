import { parseVia, type SipRequest } from '../message/index.js';
import type { Endpoint, TransportProtocol } from './SipTransport.js';

/** RFC 3261 §19.1.2: the default port for sip: over UDP and TCP. */
export const DEFAULT_SIP_PORT = 5060;

/**
 * Where to send a response to `request` (RFC 3261 §18.2.2 with RFC 3581 §4), after
 * `addReceivedParams` has run on it:
 * - reliable transport: the flow the request came in on; if that flow has closed, the transport
 *   connects to the `received` address and the sent-by port (or rport);
 * - unreliable: `received`:`rport` when rport has a value, else `received` (or the sent-by host)
 *   and the sent-by port.
 * Multicast (`maddr`) is not supported: such responses go to the source like any other.
 */
/** Where a response goes: an address, and the connection it came in on when there is one. */
export interface ResponseRoute {
  destination: Endpoint;
  flowId?: string;
}

export function responseDestination(request: SipRequest, context: { source: Endpoint; flowId: string }): ResponseRoute {
  const via = parseVia(request.headers.get('Via') ?? '');
  if (via === undefined) return context.source.protocol === 'TCP' ? { destination: context.source, flowId: context.flowId } : { destination: context.source };
  const protocol: TransportProtocol = context.source.protocol;
  const rport = via.params.rport ? Number(via.params.rport) : undefined;
  const address = via.params.received ?? via.host;
  const port = rport !== undefined && Number.isInteger(rport) && rport > 0 ? rport : (via.port ?? DEFAULT_SIP_PORT);
  const destination: Endpoint = { protocol, address, port };
  return protocol === 'TCP' ? { destination, flowId: context.flowId } : { destination };
}

/** Names a route: two with the same name send to the same place over the same connection. */
export function routeKey(route: ResponseRoute): string {
  const { protocol, address, port } = route.destination;
  return `${protocol} ${address} ${port} ${route.flowId ?? ''}`;
}
