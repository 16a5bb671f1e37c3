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

/** What changed in one project's agents and channel configs: the whole new value, or what was deleted. */
export type AgentChange =
  | { type: 'agent.put'; agent: Agent }
  | { type: 'agent.deleted'; agentId: string }
  | { type: 'channel.put'; agentId: string; config: ChannelConfig }
  | { type: 'channel.deleted'; agentId: string; channelType: ChannelType };

export interface AgentStoreOptions {
  /** Which fields agents and channel configs keep: the guide's, or the latest docs' too. */
  profile: ApiProfile;
  agentLimit: number;
  /** Base of the generated `voipEndpoint` webhook URL, e.g. `http://127.0.0.1:4010`. */
  publicBaseUrl: string;
  ids: Ids;
}

const MAX_CACHED_PAGES = 8;

/** One project's agents and their channel configs. */
export class AgentStore {
  /**
   * Each agent as its JSON text, written once per change. Responses send it as it is (serialising
   * a list was a fifth of a list request), and a string per agent is cheaper to keep and to
   * garbage-collect than its object graph. `get` parses it for the few readers that need fields.
   */
  private readonly agents = new Map<string, string>();
  private readonly channels = new Map<string, Map<ChannelType, ChannelConfig>>();
  /** listJson's pages ("pageIndex/pageSize" → JSON text) since the last change of any agent. */
  private readonly pages = new Map<string, string>();

  private readonly agentFields: readonly AgentField[];
  private readonly channelFields: readonly ChannelField[];

  constructor(
    private readonly apiKey: string,
    private readonly options: AgentStoreOptions,
    /** Told of every change after it is made, before the response is sent (durable state follows it). */
    private readonly notify: (change: AgentChange) => void = () => undefined,
  ) {
    const latest = options.profile === 'latest';
    this.agentFields = latest ? latestAgentFields : guideAgentFields;
    this.channelFields = latest ? latestChannelFields : guideChannelFields;
  }

  /** Puts back a saved agent as it was (id, fields, `created`), e.g. from the state dir. Not limited by `agentLimit`. */
  restoreAgent(agent: Agent): void {
    this.put({ id: agent.id, ...pick(agent, this.agentFields), created: agent.created } as Agent);
  }

  /** Puts back a saved channel config as it was; its agent must have been restored first. */
  restoreChannel(agentId: string, config: ChannelConfig): void {
    const configs = this.channels.get(agentId) ?? new Map<ChannelType, ChannelConfig>();
    configs.set(config.channelType, config);
    this.channels.set(agentId, configs);
    this.notify({ type: 'channel.put', agentId, config });
  }

  /** Creates the agent; its JSON is the response. */
  create(body: AgentCreate, nowMs: number): Result<string> {
    if (this.agents.size >= this.options.agentLimit) return failed(apiErrors.agentLimitExceeded(this.options.agentLimit));
    // The latest docs: useWebSearch "defaults to true", so an agent created without it shows true.
    const defaults = this.options.profile === 'latest' && body.useWebSearch === undefined ? { useWebSearch: true } : {};
    return success(this.put({ id: this.options.ids.next('agent'), ...pick(body, this.agentFields), ...defaults, created: unixSeconds(nowMs) } as Agent));
  }

  /**
   * A page of agents in the list envelope, as JSON text: made once per page until the agents change
   * (the same string object every time, so that the HTTP layer can keep its bytes too). A list read
   * in a loop built an 8 KB string two or three times per request, and the young-generation
   * collections that came with it (bench/api).
   */
  listJson(page: PageRequest): string {
    const key = `${page.pageIndex}/${page.pageSize}`;
    const cached = this.pages.get(key);
    if (cached !== undefined) return cached;
    const { items, ...envelope } = paginate(this.agents.size, [...this.agents.values()], page);
    const json = `{"items":[${items.join(',')}],${JSON.stringify(envelope).slice(1)}`;
    // A handful of page shapes are read in practice; a client walking every page should not grow this.
    if (this.pages.size >= MAX_CACHED_PAGES) this.pages.clear();
    this.pages.set(key, json);
    return json;
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
    return success(this.put({ id: next.id, ...pick(next, this.agentFields), created: next.created } as Agent));
  }

  /** Deletes the agent and its channel configs. Its SIP connections stay (the docs say so). */
  delete(agentId: string): Result<void> {
    if (!this.agents.delete(agentId)) return failed(apiErrors.agentNotFound(agentId));
    this.pages.clear();
    this.channels.delete(agentId);
    this.notify({ type: 'agent.deleted', agentId });
    return success(undefined);
  }

  private store(agent: Agent): string {
    const json = JSON.stringify(agent);
    this.agents.set(agent.id, json);
    // Clearing a Map allocates it a new table even when it is empty: a create in a loop did so each time.
    if (this.pages.size > 0) this.pages.clear();
    return json;
  }

  /** Stores a change made through the API and tells the watcher. */
  private put(agent: Agent): string {
    const json = this.store(agent);
    this.notify({ type: 'agent.put', agent });
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
    this.notify({ type: 'channel.put', agentId, config });
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
    this.notify({ type: 'channel.deleted', agentId, channelType });
    return success(undefined);
  }
}
