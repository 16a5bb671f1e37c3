import type { Agent, ChannelConfig } from '../../generated/index.js';
import type { AgentConfig } from '../agent/AgentBehaviour.js';

/**
 * The settings a SIP call runs with: the SIP channel config's overrides win over the agent's
 * base configuration, field by field at the top level, as the guide describes.
 */
export function effectiveAgentConfig(agent: Agent | undefined, channel: ChannelConfig): AgentConfig {
  const providerSettings = channel.providerSettings ?? agent?.providerSettings ?? {};
  const handoff = channel.humanHandoff;
  return {
    turnDetection: providerSettings.turnDetection ?? {},
    handoff: {
      enabled: handoff?.enabled === true,
      ...(handoff?.transferExtension !== undefined ? { transferExtension: handoff.transferExtension } : {}),
      ...(handoff?.transferDescription !== undefined ? { transferDescription: handoff.transferDescription } : {}),
    },
  };
}
