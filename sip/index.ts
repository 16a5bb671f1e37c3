// The SIP layer's public surface: messages, digest authentication, transports, transactions and the stack that ties them.
export * from './message/index.js';
export * from './digest/index.js';
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
export * from './dialog/index.js';
export { RegisterClient, type RegisterClientOptions, type RegistrationFailure } from './useragent/RegisterClient.js';
export { realScheduler, type Scheduler } from './useragent/Scheduler.js';
export { authorizeRetry, type AuthorizedRetry } from './useragent/authorizeRetry.js';
