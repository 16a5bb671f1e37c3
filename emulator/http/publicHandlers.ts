import type {
  AgentCreate,
  AgentPatch,
  ChannelConfigPut,
  OutboundCall,
  QuotaRequestCreate,
  SipConnectionCreate,
  SipConnectionPatch,
} from '../generated/index.js';
import type { ChannelType } from '../core/agents.js';
import { defaultPageSize, type PageRequest } from '../core/pagination.js';
import type { Project } from '../core/projects.js';
import type { Handler, HandlerDeps, HandlerInput, HandlerOutput } from './handler.js';
import { JsonText } from './JsonText.js';
import { resourceJson, statusOf, toResource } from '../core/sipConnections.js';
import type { ApiFailure } from '../core/errors.js';

const ok = (body: unknown, status = 200): HandlerOutput => ({ status, body });
const noContent: HandlerOutput = { status: 204 };
const pageOf = (query: Record<string, unknown>): PageRequest => ({
  pageIndex: (query.pageIndex as number | undefined) ?? 0,
  pageSize: (query.pageSize as number | undefined) ?? defaultPageSize,
});

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: ApiFailure }, then: (value: T) => HandlerOutput): HandlerOutput {
  return result.ok ? then(result.value) : { failure: result.error };
}

type ProjectHandler = (input: HandlerInput & { project: Project }, deps: HandlerDeps) => HandlerOutput | Promise<HandlerOutput>;

/**
 * Public handlers work inside the caller's project: the API key is the tenant. The input is copied
 * field by field, not spread: this runs for every public request (bench/api profile).
 */
const inProject =
  (handler: ProjectHandler): Handler =>
  (input, deps) =>
    handler({ apiKey: input.apiKey, params: input.params, query: input.query, body: input.body, context: input.context, project: deps.projects.get(input.apiKey!) }, deps);

/** A SIP-connection operation: refused as a whole while the project's SIP access is off (the guide's private preview). */
const sipOnly = (handler: ProjectHandler): ProjectHandler => (input, deps) => {
  const refused = input.project.sip.check();
  return refused ? { failure: refused } : handler(input, deps);
};

/** One handler per operationId of openapi.yaml; the router refuses to start if one is missing. */
export const publicHandlers: Record<string, Handler> = Object.fromEntries(
  Object.entries({
  createAgent: ({ project, body }, { clock }) => unwrap(project.agents.create(body as AgentCreate, clock.now()), (json) => ok(new JsonText(json))),
  listAgents: ({ project, query }) => ok(new JsonText(project.agents.listJson(pageOf(query)), true)),
  getAgent: ({ project, params }) => unwrap(project.agents.getJson(params.agentId!), (json) => ok(new JsonText(json))),
  updateAgent: ({ project, params, body }) => unwrap(project.agents.patch(params.agentId!, body as AgentPatch), (json) => ok(new JsonText(json))),
  deleteAgent: ({ project, params }) => unwrap(project.agents.delete(params.agentId!), () => noContent),

  putChannelConfig: ({ project, params, body }, { clock }) =>
    unwrap(project.agents.putChannel(params.agentId!, params.channelType as ChannelType, (body ?? {}) as ChannelConfigPut, clock.now()), (c) => ok(c)),
  getChannelConfig: ({ project, params }) => unwrap(project.agents.getChannel(params.agentId!, params.channelType as ChannelType), (c) => ok(c)),
  deleteChannelConfig: ({ project, params }) => unwrap(project.agents.deleteChannel(params.agentId!, params.channelType as ChannelType), () => noContent),

  createSipConnection: ({ project, body }, { clock }) => {
    const create = body as SipConnectionCreate;
    const agent = project.agents.get(create.agentId);
    if (!agent.ok) return { failure: agent.error };
    const refused = project.sip.admit(project.sipConnections.count());
    if (refused) return { failure: refused };
    return ok(toResource(project.sipConnections.create(create, clock.now())));
  },
  listSipConnections: sipOnly(({ project, query }) =>
    ok(project.sipConnections.list(pageOf(query), query.agentId !== undefined ? { agentId: query.agentId as string } : {}))),
  getSipConnection: sipOnly(({ project, params }) => unwrap(project.sipConnections.get(params.id!), (r) => ok(new JsonText(resourceJson(r))))),
  updateSipConnection: sipOnly(({ project, params, body }) => {
    const patch = body as SipConnectionPatch;
    if (patch.agentId !== undefined && !project.agents.exists(patch.agentId)) {
      const missing = project.agents.get(patch.agentId);
      if (!missing.ok) return { failure: missing.error };
    }
    return unwrap(project.sipConnections.patch(params.id!, patch), ({ record }) => ok(toResource(record)));
  }),
  deleteSipConnection: sipOnly(({ project, params }) => unwrap(project.sipConnections.delete(params.id!), () => noContent)),
  refreshSipConnectionStatus: sipOnly(({ project, params }, { clock }) =>
    unwrap(project.sipConnections.refresh(params.id!, clock.now()), (r) => ok({ status: statusOf(r), created: r.created }))),
  listSipConnectionErrors: sipOnly(({ project, params }) => unwrap(project.sipConnections.get(params.id!), (r) => ok(r.errors))),
  // The control plane reaches the listener; an unknown id is its 404 (a ControlError becomes the envelope).
  callFromSipConnection: sipOnly(({ project, params, body }, { control }) => ok(control.placeOutboundCall(project.apiKey, params.id!, body as OutboundCall))),

  // The latest profile: the sipPods quota.
  createQuotaRequest: ({ project, body }, { clock }) => ok(project.sip.request(body as QuotaRequestCreate, clock.now())),
  listQuotaRequests: ({ project }) => ok(project.sip.list()),
} satisfies Record<string, ProjectHandler>).map(([id, handler]) => [id, inProject(handler)]),
);
