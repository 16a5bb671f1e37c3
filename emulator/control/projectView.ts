import type { Project as ProjectView, ProjectAgent, ProjectSipConnection } from '../generated/index.js';
import { apiKeyIdOf } from '../core/ids.js';
import type { Project } from '../core/projects.js';
import { toResource } from '../core/sipConnections.js';

/**
 * A project as the control API shows it: its agents with their channel configs, its connections
 * with status and error log. Fields are picked one by one, so that nothing the store keeps beside
 * them (the connection's password) can ever reach the answer.
 */
export function projectView(project: Project): ProjectView {
  const agents: ProjectAgent[] = project.agents.all().map(({ agent, channels }) => ({
    id: agent.id,
    ...(agent.name !== undefined && { name: agent.name }),
    companionId: agent.companionId,
    voiceId: agent.voiceId,
    ...(agent.language !== undefined && { language: agent.language }),
    created: agent.created,
    channels: channels.map((c) => ({ id: c.id, channelType: c.channelType, ...(c.humanHandoff !== undefined && { humanHandoff: { ...c.humanHandoff } }), created: c.created })),
  }));
  const sipConnections: ProjectSipConnection[] = project.sipConnections.all().map((record) => ({
    ...toResource(record),
    errors: record.errors.map((e) => ({ ...e })),
  }));
  return { apiKey: project.apiKey, apiKeyId: apiKeyIdOf(project.apiKey), agents, sipConnections };
}
