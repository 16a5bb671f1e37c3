import type { OutboundCall } from '../generated/index.js';
import { apiErrors } from '../core/errors.js';
import type { Projects } from '../core/projects.js';
import { statusOf } from '../core/sipConnections.js';
import { activeCallsInProject } from '../listener/admission.js';
import type { ListenerManager } from '../listener/ListenerManager.js';
import { ControlError } from './ControlError.js';

/**
 * `POST /public/sip-connections/{id}/call` (the latest profile): the connection's listener calls
 * `destination` through its server. Answers `dialing` at once; how the call ends goes to the call
 * record, the journal and, for a failure, the connection's error log. Refused (409) unless the
 * connection is Running/online, and when the project is at its concurrent-call limit, which
 * counts outbound calls like inbound ones.
 */
export function placeOutboundCall(
  parts: { projects: Projects; listeners: ListenerManager; maxConcurrentCalls: number },
  apiKey: string,
  connectionId: string,
  body: OutboundCall,
): { status: 'dialing' } {
  const found = parts.projects.get(apiKey).sipConnections.get(connectionId);
  if (!found.ok) throw new ControlError(found.error);
  const record = found.value;
  const status = statusOf(record);
  const listener = parts.listeners.listenerOf(connectionId);
  if (status.lifecycleStatus !== 'Running' || status.sipStatus !== 'online' || !listener?.placeCall) {
    throw new ControlError(apiErrors.connectionNotOnline(connectionId, `${status.lifecycleStatus}/${status.sipStatus ?? 'null'}`));
  }
  if (activeCallsInProject(record, parts.projects) >= parts.maxConcurrentCalls) throw new ControlError(apiErrors.concurrentCallLimit(parts.maxConcurrentCalls));
  listener.placeCall({ destination: body.destination, ...(body.initialSpeech !== undefined ? { initialSpeech: body.initialSpeech } : {}) });
  return { status: 'dialing' };
}
