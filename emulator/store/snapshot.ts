import type { ChannelType } from '../core/agents.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { Ids } from '../core/ids.js';
import type { Projects } from '../core/projects.js';
import type { PbxQuirks } from '../generated/index.js';
import type { SavedSipAccess } from '../core/sipAccess.js';
import { savedConnection, type SavedSipConnection } from '../core/sipConnections.js';
import type { Agent, ChannelConfig, FaultRule } from '../generated/index.js';

/** One project's setup: what its API key created, with ids and `created` as the API showed them. */
export interface SavedProject {
  apiKey: string;
  agents: Agent[];
  channelConfigs: Array<{ agentId: string; config: ChannelConfig }>;
  sipConnections: SavedSipConnection[];
}

/** A project's SIP access: enabled (the guide's private preview), its sipPods quota and quota requests. */
export interface SavedProjectSip extends SavedSipAccess {
  apiKey: string;
}

/** A PBX account set through the control API. Its password is absent in an export without secrets. */
export interface SavedPbxAccount {
  username: string;
  password?: string;
  domain?: string;
  /** The account's PBX quirks, when it has any. */
  quirks?: PbxQuirks;
}

/**
 * The whole setup of an emulator, in named sections: what the state dir's `snapshot.json`, the
 * change log's replay, `GET /_emulator/state` and `omnisip state export` hold. A new section is one
 * entry of `sections` below (and its field here).
 */
export interface StateSnapshot {
  version: 1;
  projects: SavedProject[];
  pbxAccounts: SavedPbxAccount[];
  faultRules: FaultRule[];
  /** Projects' SIP access and quota (absent in snapshots from before quotas: every project keeps its defaults). */
  sipAccess: SavedProjectSip[];
}

export const snapshotVersion = 1;

/** The PBX's control accounts as the state sees them (AccountDirectory); absent in an API-only world. */
export interface ControlAccounts {
  controlAccounts(): SavedPbxAccount[];
  put(username: string, credentials: { password: string; domain?: string; quirks?: PbxQuirks }): unknown;
  reset(): void;
  onControlChange(watcher: (accounts: SavedPbxAccount[]) => void): () => void;
}

/** The stores a snapshot is taken from and put back into. */
export interface StateSources {
  projects: Projects;
  faults: FaultRules;
  accounts: ControlAccounts | undefined;
  ids: Ids;
  /** Now, ms: restored connections' `lastRefreshed`. */
  now(): number;
}

/** What a section's store reports after a change: the change log's entry body. */
type Emit<C> = (change: C) => void;

/**
 * One named part of the state: how to read it from its store (`capture`, `undefined` when the
 * store is absent, e.g. no PBX), put it back (`restore`), follow its changes (`watch`) and replay
 * one on a saved value (`apply`, idempotent: replaying a log on a snapshot that already holds it
 * changes nothing), its ids (never drawn again), and its form without passwords (`redact`).
 */
interface Section<V, C> {
  capture(sources: StateSources): V | undefined;
  restore(sources: StateSources, value: V): void;
  watch(sources: StateSources, emit: Emit<C>): () => void;
  apply(value: V, change: C): V;
  ids(value: V): string[];
  redact(value: V): V;
}

type ProjectsChange =
  | { type: 'agent.put'; apiKey: string; agent: Agent }
  | { type: 'agent.deleted'; apiKey: string; agentId: string }
  | { type: 'channel.put'; apiKey: string; agentId: string; config: ChannelConfig }
  | { type: 'channel.deleted'; apiKey: string; agentId: string; channelType: ChannelType }
  | { type: 'connection.put'; apiKey: string; connection: SavedSipConnection }
  | { type: 'connection.deleted'; apiKey: string; id: string }
  | { type: 'cleared' };

const projects: Section<SavedProject[], ProjectsChange> = {
  capture: ({ projects }) =>
    projects.all().map((project) => {
      const agents = project.agents.all();
      return {
        apiKey: project.apiKey,
        agents: agents.map(({ agent }) => agent),
        channelConfigs: agents.flatMap(({ agent, channels }) => channels.map((config) => ({ agentId: agent.id, config }))),
        sipConnections: project.sipConnections.all().map((record) => savedConnection(record, true)),
      };
    }),
  restore: ({ projects, now }, saved) => {
    for (const { apiKey, agents, channelConfigs, sipConnections } of saved) {
      const project = projects.get(apiKey);
      for (const agent of agents) project.agents.restoreAgent(agent);
      for (const { agentId, config } of channelConfigs) project.agents.restoreChannel(agentId, config);
      for (const connection of sipConnections) project.sipConnections.restore(connection, now());
    }
  },
  watch: ({ projects }, emit) => {
    const unwatchProjects = projects.onProjectChange((change) => emit(change));
    const unwatchConnections = projects.onConnectionChange((change) =>
      emit(change.type === 'deleted'
        ? { type: 'connection.deleted', apiKey: change.record.apiKey, id: change.record.id }
        : { type: 'connection.put', apiKey: change.record.apiKey, connection: savedConnection(change.record, true) }),
    );
    return () => (unwatchProjects(), unwatchConnections());
  },
  apply: (saved, change) => {
    if (change.type === 'cleared') return [];
    let project = saved.find((p) => p.apiKey === change.apiKey);
    if (!project) saved.push((project = { apiKey: change.apiKey, agents: [], channelConfigs: [], sipConnections: [] }));
    switch (change.type) {
      case 'agent.put':
        upsert(project.agents, change.agent, (a) => a.id === change.agent.id);
        break;
      case 'agent.deleted':
        project.agents = project.agents.filter((a) => a.id !== change.agentId);
        project.channelConfigs = project.channelConfigs.filter((c) => c.agentId !== change.agentId);
        break;
      case 'channel.put':
        upsert(project.channelConfigs, { agentId: change.agentId, config: change.config }, (c) => c.agentId === change.agentId && c.config.channelType === change.config.channelType);
        break;
      case 'channel.deleted':
        project.channelConfigs = project.channelConfigs.filter((c) => !(c.agentId === change.agentId && c.config.channelType === change.channelType));
        break;
      case 'connection.put':
        upsert(project.sipConnections, change.connection, (c) => c.id === change.connection.id);
        break;
      case 'connection.deleted':
        project.sipConnections = project.sipConnections.filter((c) => c.id !== change.id);
        break;
    }
    return saved;
  },
  ids: (saved) => saved.flatMap((p) => [...p.agents.map((a) => a.id), ...p.channelConfigs.map((c) => c.config.id), ...p.sipConnections.map((c) => c.id)]),
  redact: (saved) => saved.map((p) => ({ ...p, sipConnections: p.sipConnections.map(({ password: _password, ...rest }) => rest) })),
};

const pbxAccounts: Section<SavedPbxAccount[], SavedPbxAccount[]> = {
  capture: ({ accounts }) => accounts?.controlAccounts(),
  restore: ({ accounts }, saved) => {
    for (const { username, password, domain, quirks } of saved) {
      if (password !== undefined) accounts?.put(username, { password, ...(domain !== undefined && { domain }), ...(quirks !== undefined && { quirks }) });
    }
  },
  watch: ({ accounts }, emit) => accounts?.onControlChange(emit) ?? (() => undefined),
  apply: (_saved, accounts) => accounts,
  ids: () => [],
  redact: (saved) => saved.map(({ password: _password, ...rest }) => rest),
};

const faultRules: Section<FaultRule[], FaultRule[]> = {
  capture: ({ faults }) => faults.list(),
  restore: ({ faults }, saved) => faults.restore(saved),
  watch: ({ faults }, emit) => faults.onChange(emit),
  apply: (_saved, rules) => rules,
  ids: (saved) => saved.map((r) => r.id),
  redact: (saved) => saved,
};

const sipAccess: Section<SavedProjectSip[], SavedProjectSip | { cleared: true }> = {
  capture: ({ projects }) => projects.all().map((project) => ({ apiKey: project.apiKey, ...project.sip.save() })),
  restore: ({ projects }, saved) => {
    for (const { apiKey, ...access } of saved) projects.get(apiKey).sip.restore(access);
  },
  watch: ({ projects }, emit) => {
    const unwatchAccess = projects.onSipAccessChange((apiKey, access) => emit({ apiKey, ...access }));
    // A reset forgets every project, their SIP access with them.
    const unwatchProjects = projects.onProjectChange((change) => change.type === 'cleared' && emit({ cleared: true }));
    return () => {
      unwatchAccess();
      unwatchProjects();
    };
  },
  apply: (saved, change) => {
    if ('cleared' in change) return [];
    const next = [...saved];
    upsert(next, change, (p) => p.apiKey === change.apiKey);
    return next;
  },
  ids: (saved) => saved.flatMap((p) => p.requests.map((r) => r.id)),
  redact: (saved) => saved,
};

/** Every section, in restore order. To add one: a field in StateSnapshot and an entry here. */
const sections = { projects, pbxAccounts, faultRules, sipAccess } satisfies { [K in keyof Omit<StateSnapshot, 'version'>]: Section<StateSnapshot[K], never> | Section<StateSnapshot[K], any> };
type SectionName = keyof typeof sections;
const sectionNames = Object.keys(sections) as SectionName[];
// One untyped view for the loops below; each section's own code above is typed.
const anySection = (name: SectionName) => sections[name] as unknown as Section<unknown, unknown>;

/** A change log entry: the section's name and its change. */
export interface ChangeEntry {
  section: SectionName;
  change: unknown;
}

export function emptySnapshot(): StateSnapshot {
  return { version: snapshotVersion, projects: [], pbxAccounts: [], faultRules: [], sipAccess: [] };
}

/**
 * The stores' state now. A section whose store is absent (no PBX) keeps `carried`'s value, so an
 * API-only run does not drop what a run with the PBX saved. Passwords only `withSecrets`.
 */
export function captureSnapshot(sources: StateSources, options: { withSecrets: boolean; carried?: StateSnapshot }): StateSnapshot {
  const snapshot = emptySnapshot() as unknown as Record<string, unknown>;
  for (const name of sectionNames) {
    const value = anySection(name).capture(sources) ?? options.carried?.[name] ?? emptySnapshot()[name];
    snapshot[name] = options.withSecrets ? value : anySection(name).redact(value);
  }
  return snapshot as unknown as StateSnapshot;
}

/** Puts a snapshot back into the stores (which should be empty), section by section; its ids are never drawn again. */
export function restoreSnapshot(sources: StateSources, snapshot: StateSnapshot): void {
  for (const name of sectionNames) sources.ids.reserve(anySection(name).ids(snapshot[name]));
  for (const name of sectionNames) anySection(name).restore(sources, snapshot[name]);
}

/** Calls `append` with every change of every section's store; returns the unsubscribe function. */
export function watchChanges(sources: StateSources, append: (entry: ChangeEntry) => void): () => void {
  const unwatch = sectionNames.map((section) => anySection(section).watch(sources, (change) => append({ section, change })));
  return () => unwatch.forEach((stop) => stop());
}

/** Replays one change log entry on a saved snapshot. */
export function applyChange(snapshot: StateSnapshot, entry: ChangeEntry): StateSnapshot {
  const section = sectionNames.includes(entry.section) ? anySection(entry.section) : undefined;
  if (!section) throw new Error(`omnisip: the state dir's change log names an unknown section '${String(entry.section)}' (written by a newer omnisip?); the known ones are ${sectionNames.join(', ')}`);
  return { ...snapshot, [entry.section]: section.apply(snapshot[entry.section], entry.change) };
}

/**
 * Checks that a parsed JSON document is a snapshot this omnisip reads, and fills absent sections
 * with empty ones (a snapshot from before a section existed). Throws a message saying what is wrong.
 */
export function parseSnapshot(value: unknown, where: string): StateSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`omnisip: ${where} is not a state snapshot (a JSON object with version, projects, pbxAccounts, faultRules)`);
  const record = value as Record<string, unknown>;
  if (record.version !== snapshotVersion) throw new Error(`omnisip: ${where} has state version ${JSON.stringify(record.version)}; this omnisip reads version ${snapshotVersion}`);
  const snapshot = emptySnapshot() as unknown as Record<string, unknown>;
  for (const name of sectionNames) {
    if (record[name] === undefined) continue;
    if (!Array.isArray(record[name])) throw new Error(`omnisip: ${where}: '${name}' must be a list`);
    snapshot[name] = record[name];
  }
  return snapshot as unknown as StateSnapshot;
}

function upsert<T>(list: T[], item: T, same: (existing: T) => boolean): void {
  const index = list.findIndex(same);
  if (index === -1) list.push(item);
  else list[index] = item;
}
