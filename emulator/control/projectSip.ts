import type { ProjectSip, ProjectSipPut, QuotaRequest, QuotaReview } from '../generated/index.js';
import type { Projects } from '../core/projects.js';
import { ControlError } from './ControlError.js';

/** A project's SIP access as the control API shows it: enabled, quota, connections used, requests. */
export function projectSip(projects: Projects, apiKey: string): ProjectSip {
  const project = projects.get(apiKey);
  const { sip } = project;
  return { enabled: sip.enabled, quota: sip.quota, used: project.sipConnections.count(), approval: sip.approval, requests: sip.list() };
}

/** Enables or disables SIP for a project, or sets its `sipPods` quota; fields left out stay. */
export function putProjectSip(projects: Projects, apiKey: string, body: ProjectSipPut): ProjectSip {
  const { sip } = projects.get(apiKey);
  if (body.enabled !== undefined) sip.enabled = body.enabled;
  if (body.quota !== undefined) sip.quota = body.quota;
  return projectSip(projects, apiKey);
}

/** The vendor's review of a quota request (for `--quota-approval manual`). */
export function reviewQuotaRequest(projects: Projects, apiKey: string, id: string, body: QuotaReview): QuotaRequest {
  const result = projects.get(apiKey).sip.review(id, body.status);
  if (!result.ok) throw new ControlError(result.error);
  return result.value;
}
