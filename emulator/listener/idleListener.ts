import type { ListenerFactory } from './ListenerManager.js';

/**
 * The listener used when no SIP side runs (`sip: false`): it is deployed and stays Running/
 * registering, reporting nothing. It never pretends to be online.
 */
export const idleListenerFactory: ListenerFactory = () => ({ stop: () => undefined });
