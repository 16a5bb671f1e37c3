/** What the PBX needs to know of a SIP connection to authenticate its listener. */
export interface ConnectionCredentials {
  readonly id: string;
  readonly password: string;
  readonly settings: { readonly username: string; readonly domain: string; readonly server: string };
}

export type ConnectionSourceChange =
  | { type: 'created' | 'deleted'; record: ConnectionCredentials }
  | { type: 'patched'; record: ConnectionCredentials; previousUsername: string };

/**
 * Where the PBX's `connection` accounts come from: the emulator's connection store (its
 * `Projects`), so a listener never configures the server that authenticates it. Standalone PBXes
 * (tests, benchmarks) use a `MemoryConnections`.
 */
export interface ConnectionSource {
  /** The connections that register as `username`, oldest first. */
  sipConnectionsByUsername(username: string): readonly ConnectionCredentials[];
  /** Every user name some connection registers as. */
  sipConnectionUsernames(): Iterable<string>;
  onConnectionChange(watcher: (change: ConnectionSourceChange) => void): () => void;
}

/**
 * A connection source held in memory, for a PBX outside the emulator.
 *
 * @example
 * const connections = new MemoryConnections();
 * const pbx = Pbx.create(transport, { connections });
 * connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 's3cret' });
 */
export class MemoryConnections implements ConnectionSource {
  private readonly records = new Map<string, ConnectionCredentials>();
  private readonly watchers = new Set<(change: ConnectionSourceChange) => void>();

  /** Adds or replaces a connection; `server` defaults to a name the PBX serves. */
  set(id: string, credentials: { username: string; domain: string; password: string; server?: string }): void {
    const previous = this.records.get(id);
    const record: ConnectionCredentials = { id, password: credentials.password, settings: { username: credentials.username, domain: credentials.domain, server: credentials.server ?? credentials.domain } };
    this.records.set(id, record);
    this.tell(previous ? { type: 'patched', record, previousUsername: previous.settings.username } : { type: 'created', record });
  }

  delete(id: string): void {
    const record = this.records.get(id);
    if (!record) return;
    this.records.delete(id);
    this.tell({ type: 'deleted', record });
  }

  sipConnectionsByUsername(username: string): readonly ConnectionCredentials[] {
    return [...this.records.values()].filter((r) => r.settings.username === username);
  }

  sipConnectionUsernames(): Iterable<string> {
    return new Set([...this.records.values()].map((r) => r.settings.username));
  }

  onConnectionChange(watcher: (change: ConnectionSourceChange) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private tell(change: ConnectionSourceChange): void {
    for (const watcher of this.watchers) watcher(change);
  }
}
