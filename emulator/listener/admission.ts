import type { Projects } from '../core/projects.js';
import type { SipConnectionRecord } from '../core/sipConnections.js';
import type { AgentConfig } from './agent/AgentBehaviour.js';
import { effectiveAgentConfig } from './calls/effectiveAgentConfig.js';

/** Why a call cannot be taken: said to the caller (480) and written to the error log. */
export interface Refusal {
  refuse: string;
}

/** The settings a new call runs with, read at call time so that PUT and PATCH apply to the next call. */
export function callConfig(record: SipConnectionRecord, projects: Projects): AgentConfig | Refusal {
  const project = projects.get(record.apiKey);
  const channel = project.agents.getChannel(record.agentId, 'sip');
  if (!channel.ok) {
    return { refuse: `agent ${record.agentId} has no SIP channel config, which the docs require for routing calls (PUT /public/agents/${record.agentId}/channels/sip)` };
  }
  const agent = project.agents.get(record.agentId);
  return effectiveAgentConfig(agent.ok ? agent.value : undefined, channel.value);
}

/** The calls of the connection's project right now: the vendor's concurrency limit counts them all. */
export function activeCallsInProject(record: SipConnectionRecord, projects: Projects): number {
  return projects.get(record.apiKey).sipConnections.all().reduce((sum, r) => sum + r.state.activeCalls, 0);
}
