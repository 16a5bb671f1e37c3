import { AgentStore, type AgentStoreOptions } from './agents.js';
import { SipConnectionStore, type SipConnectionRecord } from './sipConnections.js';

/** A project: what one API key owns. Every non-empty key is its own project (DESIGN.md). */
export interface Project {
  readonly apiKey: string;
  readonly agents: AgentStore;
  readonly sipConnections: SipConnectionStore;
}

/** Every project the emulator has seen, created on first use of a key. */
export class Projects {
  private readonly byKey = new Map<string, Project>();

  constructor(private readonly options: AgentStoreOptions) {}

  get(apiKey: string): Project {
    let project = this.byKey.get(apiKey);
    if (!project) {
      project = { apiKey, agents: new AgentStore(apiKey, this.options), sipConnections: new SipConnectionStore(apiKey) };
      this.byKey.set(apiKey, project);
    }
    return project;
  }

  /** Every SIP connection of every project (the PBX mirrors their credentials). */
  allSipConnections(): SipConnectionRecord[] {
    return [...this.byKey.values()].flatMap((p) => p.sipConnections.all());
  }

  findSipConnection(id: string): SipConnectionRecord | undefined {
    for (const project of this.byKey.values()) {
      const found = project.sipConnections.get(id);
      if (found.ok) return found.value;
    }
    return undefined;
  }

  clear(): void {
    this.byKey.clear();
  }
}
