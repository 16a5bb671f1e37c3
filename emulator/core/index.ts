export { AgentStore, channelTypes, type AgentStoreOptions, type ChannelType } from './agents.js';
export { createClock, RealClock, VirtualClock, type Clock, type ClockMode, type TimerHandle } from './clock.js';
export { apiErrors, ErrorType, type ApiFailure, type ErrorBody } from './errors.js';
export { apiKeyIdOf, Ids, unixSeconds, type IdPrefix } from './ids.js';
export { flatCopy } from './flatCopy.js';
export { fnv1a } from '../../random/index.js';
export {
  describeState,
  initialListenerState,
  sipStatusOf,
  transition,
  type LifecycleEffect,
  type LifecycleEvent,
  type LifecycleStatus,
  type ListenerState,
  type SipStatus,
} from './lifecycle.js';
export { defaultPageSize, maxPageSize, paginate, type Page, type PageRequest } from './pagination.js';
export { Projects, type Project } from './projects.js';
export { failed, success, type Result } from './result.js';
export {
  applyLifecycleEvent,
  errorLogLimit,
  SipConnectionStore,
  statusOf,
  toResource,
  type AppliedEvent,
  type SipConnectionRecord,
  type SipSettings,
} from './sipConnections.js';
