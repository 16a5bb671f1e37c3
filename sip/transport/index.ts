export type { Endpoint, InboundPacket, SipTransport, TransportProtocol } from './SipTransport.js';
export { formatEndpoint } from './SipTransport.js';
export { TransportError, type TransportErrorCode } from './TransportError.js';
export { createNetworkTransport, type NetworkTransportOptions } from './createNetworkTransport.js';
export { createMemoryNetwork, MemoryNetwork, type DropPredicate, type MemoryNetworkStats } from './MemoryNetwork.js';
export { StreamFramer, DEFAULT_MAX_BUFFER_SIZE, type FramerResult } from './StreamFramer.js';
export { addReceivedParams } from './addReceivedParams.js';
export { responseDestination, routeKey, DEFAULT_SIP_PORT, type ResponseRoute } from './responseDestination.js';
