import { formatEndpoint, parseUri, type Endpoint, type SipUri, type TransportProtocol } from '../../sip/index.js';
import type { Binding, LocationService } from './LocationService.js';

/** Where a forwarded request goes: an address, and the TCP flow to reuse if it is still open. */
export interface NextHop {
  destination: Endpoint;
  flowId?: string;
}

/**
 * The hop for a registered contact, RFC 5626-style as Kamailio does: over the transport the
 * REGISTER came on; over UDP to where it came from (received/rport), over TCP on the registration's
 * flow, falling back to a new connection to the Contact address if that flow has closed.
 */
export function nextHopForBinding(binding: Binding): NextHop {
  if (binding.transport === 'UDP') return { destination: { ...binding.source } };
  const contact = parseUri(binding.contact);
  const destination: Endpoint = contact && contact.host !== '' ? { protocol: 'TCP', address: contact.host, port: contact.port ?? 5060 } : { ...binding.source };
  return { destination, flowId: binding.flowId };
}

/** RFC 3263 in its simplest form: transport parameter (UDP by default), maddr or host, port or 5060; a registered contact goes on its flow. */
export function nextHopForUri(uri: SipUri, location: LocationService, formatted: string): NextHop {
  const binding = location.findByContact(formatted);
  if (binding) return nextHopForBinding(binding);
  const protocol: TransportProtocol = uri.params.transport?.toLowerCase() === 'tcp' ? 'TCP' : 'UDP';
  return { destination: { protocol, address: uri.params.maddr ?? uri.host, port: uri.port ?? 5060 } };
}

export function describeHop(hop: NextHop): string {
  return formatEndpoint(hop.destination);
}
