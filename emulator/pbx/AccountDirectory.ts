import type { PbxAccount } from '../generated/index.js';
import type { ConnectionCredentials, ConnectionSource, ConnectionSourceChange } from './ConnectionSource.js';
import type { LocationService } from './LocationService.js';
import type { PbxQuirks } from './quirks.js';
import { serves } from './serves.js';

export type AccountSource = PbxAccount['source'];

/** Credentials of one account. The password never leaves this class except through `credentialsFor`. */
export interface AccountCredentials {
  username: string;
  password: string;
  domain?: string;
  /** The account's own quirks (over the PBX-wide ones, key by key). */
  quirks?: PbxQuirks;
}

/**
 * The PBX's SIP accounts by user name, from three sources:
 * - `connection`: the SIP connections of the emulator's store whose server the PBX serves (a name,
 *   not an IP address), so the happy path needs no set-up: the PBX has the account as soon as the
 *   connection exists, as a real PBX would before its phone registers;
 * - `control`: set through the control API; it overrides connections of the same user name, which
 *   is how a test makes a connection's next registration fail with 401;
 * - `config`: extra accounts from the emulator's configuration (softphones, the handoff target).
 *
 * Several connections may share a user name, so `credentialsFor` returns every candidate password
 * and the registrar accepts any of them.
 *
 * @example
 * const connections = new MemoryConnections();
 * const accounts = new AccountDirectory(location, connections, [{ username: '200', password: 'human' }]);
 * connections.set('sipconn_1', { username: '101', domain: 'your-provider.com', password: 's3cret' });
 * accounts.credentialsFor('101'); // ['s3cret']
 */
export class AccountDirectory {
  private readonly control = new Map<string, AccountCredentials>();
  private config = new Map<string, AccountCredentials>();
  private readonly configured: AccountCredentials[];
  /** Connection accounts deleted through the control API: gone until a connection with that name is created or changed. */
  private readonly suppressed = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly location: LocationService,
    private readonly connections: ConnectionSource,
    config: AccountCredentials[] = [],
  ) {
    this.configured = config.map((account) => ({ ...account }));
    this.config = byUsername(this.configured);
    this.unsubscribe = connections.onConnectionChange((change) => this.connectionChanged(change));
  }

  /** Creates or replaces a control account; it wins over connections and config of the same user name. */
  put(username: string, credentials: { password: string; domain?: string; quirks?: PbxQuirks }): PbxAccount {
    const entry: AccountCredentials = { username, password: credentials.password };
    if (credentials.domain !== undefined) entry.domain = credentials.domain;
    if (credentials.quirks !== undefined) entry.quirks = structuredClone(credentials.quirks);
    this.control.set(username, entry);
    this.suppressed.delete(username);
    const account = this.describe(username);
    if (account === undefined) throw new Error(`AccountDirectory: account ${username} vanished while being set`);
    return account;
  }

  /**
   * Removes the account from every source, and its registrations, so a REGISTER for it gets 403
   * (control-openapi.yaml, deletePbxAccount). False when there was no such account. A connection
   * created or changed with that user name (a redeploy) brings it back.
   */
  delete(username: string): boolean {
    if (!this.has(username)) return false;
    this.control.delete(username);
    this.config.delete(username);
    if (this.connectionsOf(username).length > 0) this.suppressed.add(username);
    this.location.clear(username);
    return true;
  }

  has(username: string): boolean {
    return this.control.has(username) || this.config.has(username) || this.connectionsOf(username).length > 0;
  }

  /** Every password that authenticates `username`: the control account's alone if set, else the connections' and the config's. */
  credentialsFor(username: string): string[] {
    const override = this.control.get(username);
    if (override) return [override.password];
    const passwords = this.connectionsOf(username).map((c) => c.password);
    const configured = this.config.get(username);
    if (configured) passwords.push(configured.password);
    return [...new Set(passwords)];
  }

  /** The account's own quirks: a control account's, else a configured one's; connection accounts have none. */
  quirksOf(username: string): PbxQuirks | undefined {
    if (!this.has(username)) return undefined;
    return this.control.get(username)?.quirks ?? (this.control.has(username) ? undefined : this.config.get(username)?.quirks);
  }

  /** The SIP connections that register as `username`, oldest first (for fault rules that match a connection). */
  connectionIdsFor(username: string): string[] {
    return this.connectionsOf(username).map((c) => c.id);
  }

  /** Every account, as the control API shows it: no password, with its live registrations. */
  list(): PbxAccount[] {
    const names = new Set([...this.control.keys(), ...this.config.keys(), ...this.connections.sipConnectionUsernames()]);
    return [...names].sort().flatMap((username) => this.describe(username) ?? []);
  }

  get(username: string): PbxAccount | undefined {
    return this.describe(username);
  }

  /** Back to the configured accounts and the store's connections; every registration is forgotten. */
  reset(): void {
    this.control.clear();
    this.suppressed.clear();
    this.config = byUsername(this.configured);
    this.location.clear();
  }

  close(): void {
    this.unsubscribe();
  }

  private describe(username: string): PbxAccount | undefined {
    const connections = this.connectionsOf(username);
    const override = this.control.get(username);
    const configured = this.config.get(username);
    const source: AccountSource | undefined = override ? 'control' : connections.length > 0 ? 'connection' : configured ? 'config' : undefined;
    if (source === undefined) return undefined;
    const domain = override ? override.domain : (connections[0]?.settings.domain ?? configured?.domain);
    const contacts = this.location.bindings(username).map((b) => ({ uri: b.contact, expiresAt: b.expiresAt, transport: b.transport }));
    return { username, domain: domain ?? null, source, registered: contacts.length > 0, contacts, quirks: structuredClone(this.quirksOf(username) ?? {}) };
  }

  /** The connections that register here as `username` (their server is a name the PBX serves). */
  private connectionsOf(username: string): ConnectionCredentials[] {
    if (this.suppressed.has(username)) return [];
    return this.connections.sipConnectionsByUsername(username).filter((c) => serves(c.settings.server));
  }

  private connectionChanged(change: ConnectionSourceChange): void {
    const { username } = change.record.settings;
    if (change.type !== 'deleted') this.suppressed.delete(username);
    // An account with no source left has no registrations either.
    const before = change.type === 'patched' ? change.previousUsername : username;
    if (!this.has(before)) this.location.clear(before);
  }
}

function byUsername(accounts: AccountCredentials[]): Map<string, AccountCredentials> {
  return new Map(accounts.map((account) => [account.username, structuredClone(account)]));
}
