import type { Agent, AgentCreate, AgentPatch, ChannelConfig, ChannelConfigPut } from '../generated/index.js';
import { apiErrors } from './errors.js';
import type { ApiProfile } from './profile.js';
import { apiKeyIdOf, unixSeconds, type Ids } from './ids.js';
import { paginate, type Page, type PageRequest } from './pagination.js';
import { failed, success, type Result } from './result.js';

export type ChannelType = ChannelConfig['channelType'];
export const channelTypes: readonly ChannelType[] = ['voip', 'sip', 'webrtc', 'websocket', 'kiosk'];

/** The fields an agent stores, in the order its responses list them. Unknown fields are ignored. */
const guideAgentFields = [
  'companionId', 'name', 'voiceId', 'language', 'functions', 'faqCollections',
  'knowledgeBaseId', 'providerSettings', 'tags', 'disableIdleTimeout',
] as const satisfies ReadonlyArray<keyof AgentCreate>;
/** The latest profile's agents also store `useWebSearch` (July 2026) and `mcp` (August 2026). */
const latestAgentFields = [...guideAgentFields, 'useWebSearch', 'mcp'] as const satisfies ReadonlyArray<keyof AgentCreate>;
type AgentField = (typeof latestAgentFields)[number];

const guideChannelFields = [
  'humanHandoff', 'functions', 'faqCollections', 'knowledgeBaseId', 'providerSettings', 'useGreenVideo',
] as const satisfies ReadonlyArray<keyof ChannelConfigPut>;
const latestChannelFields = [...guideChannelFields, 'videoPolicy', 'theme', 'url', 'initialSpeech', 'useWebSearch', 'idleTimeoutSeconds'] as const satisfies ReadonlyArray<keyof ChannelConfigPut>;
type ChannelField = (typeof latestChannelFields)[number];

/** Which channel a channel-specific field belongs to (api-facts.md conflict 20 and 22; the kiosk fields, SK-kiosk). */
const channelOnlyFields: Partial<Record<ChannelField, ChannelType>> = {
  humanHandoff: 'sip',
  useGreenVideo: 'webrtc',
  videoPolicy: 'webrtc',
  theme: 'kiosk',
  url: 'kiosk',
  initialSpeech: 'kiosk',
  useWebSearch: 'kiosk',
  idleTimeoutSeconds: 'kiosk',
};

/**
 * The known fields of a body, in order. Values are kept as they are, not copied: every body is
 * parsed fresh from its request's JSON and nothing else holds it; stored objects are replaced on
 * update, never changed in place, so handing them out to be serialised is safe.
 */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export interface AgentStoreOptions {
  /** Which fields agents and channel configs keep: the guide's, or the latest docs' too. */
  profile: ApiProfile;
  agentLimit: number;
  /** Base of the generated `voipEndpoint` webhook URL, e.g. `http://127.0.0.1:4010`. */
  publicBaseUrl: string;
  ids: Ids;
}

/** One project's agents and their channel configs. */
export class AgentStore {
  /**
   * Each agent as its JSON text, written once per change. Responses send it as it is (serialising
   * a list was a fifth of a list request), and a string per agent is cheaper to keep and to
   * garbage-collect than its object graph. `get` parses it for the few readers that need fields.
   */
  private readonly agents = new Map<string, string>();
  private readonly channels = new Map<string, Map<ChannelType, ChannelConfig>>();

  private readonly agentFields: readonly AgentField[];
  private readonly channelFields: readonly ChannelField[];

  constructor(
    private readonly apiKey: string,
    private readonly options: AgentStoreOptions,
  ) {
    const latest = options.profile === 'latest';
    this.agentFields = latest ? latestAgentFields : guideAgentFields;
    this.channelFields = latest ? latestChannelFields : guideChannelFields;
  }

  /** Creates the agent; its JSON is the response. */
  create(body: AgentCreate, nowMs: number): Result<string> {
    if (this.agents.size >= this.options.agentLimit) return failed(apiErrors.agentLimitExceeded(this.options.agentLimit));
    // The latest docs: useWebSearch "defaults to true", so an agent created without it shows true.
    const defaults = this.options.profile === 'latest' && body.useWebSearch === undefined ? { useWebSearch: true } : {};
    return success(this.store({ id: this.options.ids.next('agent'), ...pick(body, this.agentFields), ...defaults, created: unixSeconds(nowMs) } as Agent));
  }

  /** A page of agents in the list envelope, as JSON text. */
  listJson(page: PageRequest): string {
    const { items, ...envelope } = paginate(this.agents.size, [...this.agents.values()], page);
    return `{"items":[${items.join(',')}],${JSON.stringify(envelope).slice(1)}`;
  }

  getJson(agentId: string): Result<string> {
    const json = this.agents.get(agentId);
    return json !== undefined ? success(json) : failed(apiErrors.agentNotFound(agentId));
  }

  get(agentId: string): Result<Agent> {
    const json = this.agents.get(agentId);
    return json !== undefined ? success(JSON.parse(json) as Agent) : failed(apiErrors.agentNotFound(agentId));
  }

  /** Every agent, oldest first, each with its channel configs (for the control API's project view). */
  all(): Array<{ agent: Agent; channels: ChannelConfig[] }> {
    return [...this.agents.values()].map((json) => {
      const agent = JSON.parse(json) as Agent;
      return { agent, channels: [...(this.channels.get(agent.id)?.values() ?? [])] };
    });
  }

  exists(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /** PATCH: each top-level field present replaces the stored one, arrays and providerSettings included. Its JSON is the response. */
  patch(agentId: string, body: AgentPatch): Result<string> {
    const current = this.get(agentId);
    if (!current.ok) return current;
    const next = { ...current.value, ...pick(body, this.agentFields) } as Agent;
    // Keep the response's field order stable: id, the fields, created.
    return success(this.store({ id: next.id, ...pick(next, this.agentFields), created: next.created } as Agent));
  }

  /** Deletes the agent and its channel configs. Its SIP connections stay (the docs say so). */
  delete(agentId: string): Result<void> {
    if (!this.agents.delete(agentId)) return failed(apiErrors.agentNotFound(agentId));
    this.channels.delete(agentId);
    return success(undefined);
  }

  private store(agent: Agent): string {
    const json = JSON.stringify(agent);
    this.agents.set(agent.id, json);
    return json;
  }

  /** PUT: creates the config, or replaces its writable fields keeping `id` and `created`. */
  putChannel(agentId: string, channelType: ChannelType, body: ChannelConfigPut, nowMs: number): Result<ChannelConfig> {
    if (!this.agents.has(agentId)) return failed(apiErrors.agentNotFound(agentId));
    for (const [field, only] of Object.entries(channelOnlyFields)) {
      if (this.channelFields.includes(field as ChannelField) && body[field as keyof ChannelConfigPut] !== undefined && only !== channelType) {
        return failed(apiErrors.validation(`'${field}' is only supported on the '${only}' channel, not on '${channelType}'. Remove it from the body, or PUT it to /public/agents/${agentId}/channels/${only}.`));
      }
    }
    const configs = this.channels.get(agentId) ?? new Map<ChannelType, ChannelConfig>();
    const previous = configs.get(channelType);
    const id = previous?.id ?? this.options.ids.next('chanconfig');
    const config = {
      id,
      apiKeyId: apiKeyIdOf(this.apiKey),
      channelType,
      ...pick(body, this.channelFields),
      ...(channelType === 'voip' ? { voipEndpoint: `${this.options.publicBaseUrl}/voip/twilio/${id}` } : {}),
      created: previous?.created ?? unixSeconds(nowMs),
    } as ChannelConfig;
    configs.set(channelType, config);
    this.channels.set(agentId, configs);
    return success(config);
  }

  getChannel(agentId: string, channelType: ChannelType): Result<ChannelConfig> {
    if (!this.agents.has(agentId)) return failed(apiErrors.agentNotFound(agentId));
    const config = this.channels.get(agentId)?.get(channelType);
    return config ? success(config) : failed(apiErrors.channelConfigNotFound(agentId, channelType));
  }

  deleteChannel(agentId: string, channelType: ChannelType): Result<void> {
    if (!this.agents.has(agentId)) return failed(apiErrors.agentNotFound(agentId));
    const configs = this.channels.get(agentId);
    if (!configs?.delete(channelType)) return failed(apiErrors.channelConfigNotFound(agentId, channelType));
    return success(undefined);
  }
}
