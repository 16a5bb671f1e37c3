// The SIP layer's public surface: messages, transports, transactions and the stack that ties them.
// Digest authentication (./digest/) is re-exported here once it is committed.
export * from './message/index.js';
export * from './transport/index.js';
export * from './transaction/index.js';
export {
  SipStack,
  type RequestContext,
  type RequestHandler,
  type RequestHandlers,
  type RequestResult,
  type SipStackOptions,
  type SipTraceEntry,
  type StrayResponseHandler,
} from './SipStack.js';
