import { AgentStore, type AgentStoreOptions } from './agents.js';
import { SipAccess, type SipAccessOptions } from './sipAccess.js';
import { SipConnectionStore, type SipConnectionRecord } from './sipConnections.js';

/** A project: what one API key owns. Every non-empty key is its own project (DESIGN.md). */
export interface Project {
  readonly apiKey: string;
  readonly agents: AgentStore;
  readonly sipConnections: SipConnectionStore;
  /** Whether SIP is enabled, the `sipPods` quota and its requests. */
  readonly sip: SipAccess;
}

export interface ProjectsOptions extends AgentStoreOptions {
  /** Each new project's SIP access: enabled, quota, how quota requests are approved. */
  sip: Omit<SipAccessOptions, 'ids'>;
}

/** What happened to a SIP connection in the store; `redeploy` says whether a setting or the password changed. */
export type ConnectionChange =
  | { type: 'created'; record: SipConnectionRecord }
  | { type: 'patched'; record: SipConnectionRecord; redeploy: boolean; previousUsername: string }
  | { type: 'deleted'; record: SipConnectionRecord };

/**
 * Every project the emulator has seen, created on first use of a key. Whoever acts on connections
 * (the listener manager, the PBX's accounts) follows the store's changes instead of being told by
 * each API handler.
 */
export class Projects {
  private readonly byKey = new Map<string, Project>();
  private readonly connections = new Map<string, SipConnectionRecord>();
  /** Connections by SIP user name, oldest first: the PBX's accounts read them per REGISTER. */
  private readonly byUsername = new Map<string, SipConnectionRecord[]>();
  private readonly watchers = new Set<(change: ConnectionChange) => void>();

  constructor(private readonly options: ProjectsOptions) {}

  get(apiKey: string): Project {
    let project = this.byKey.get(apiKey);
    if (!project) {
      project = {
        apiKey,
        agents: new AgentStore(apiKey, this.options),
        sipConnections: new SipConnectionStore(apiKey, this.options.ids, (change) => this.changed(change)),
        sip: new SipAccess({ ...this.options.sip, ids: this.options.ids }),
      };
      this.byKey.set(apiKey, project);
    }
    return project;
  }

  /** Every project seen, in the order their keys first came. */
  all(): Project[] {
    return [...this.byKey.values()];
  }

  /** Calls `watcher` after each create, patch and delete of any SIP connection; returns the unsubscribe function. */
  onConnectionChange(watcher: (change: ConnectionChange) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Every SIP connection of every project, oldest first. */
  allSipConnections(): SipConnectionRecord[] {
    return [...this.connections.values()];
  }

  findSipConnection(id: string): SipConnectionRecord | undefined {
    return this.connections.get(id);
  }

  /** Every SIP user name some connection registers as. */
  sipConnectionUsernames(): Iterable<string> {
    return this.byUsername.keys();
  }

  /** The connections registering as `username`, oldest first. */
  sipConnectionsByUsername(username: string): readonly SipConnectionRecord[] {
    return this.byUsername.get(username) ?? [];
  }

  /** Forgets every project; connections are deleted first, so their watchers stop what runs for them. */
  clear(): void {
    for (const record of [...this.connections.values()]) this.get(record.apiKey).sipConnections.delete(record.id);
    this.byKey.clear();
  }

  private changed(change: ConnectionChange): void {
    const { record } = change;
    if (change.type === 'created') {
      this.connections.set(record.id, record);
      this.index(record);
    } else if (change.type === 'deleted') {
      this.connections.delete(record.id);
      this.unindex(record.id, record.settings.username);
    } else if (change.previousUsername !== record.settings.username) {
      this.unindex(record.id, change.previousUsername);
      this.index(record);
    }
    for (const watcher of this.watchers) watcher(change);
  }

  private index(record: SipConnectionRecord): void {
    const list = this.byUsername.get(record.settings.username);
    if (list) list.push(record);
    else this.byUsername.set(record.settings.username, [record]);
  }

  private unindex(id: string, username: string): void {
    const list = this.byUsername.get(username)?.filter((r) => r.id !== id);
    if (list?.length) this.byUsername.set(username, list);
    else this.byUsername.delete(username);
  }
}
