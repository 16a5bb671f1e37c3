import type { PbxAccount } from '../generated/index.js';
import type { LocationService } from './LocationService.js';

export type AccountSource = PbxAccount['source'];

/** Credentials of one account. The password never leaves this class except through `credentialsFor`. */
export interface AccountCredentials {
  username: string;
  password: string;
  domain?: string;
}

interface Mirror extends AccountCredentials {
  connectionId: string;
}

/**
 * The PBX's SIP accounts by user name, from three sources:
 * - `connection`: mirrors of SIP connections' credentials, so the happy path needs no set-up;
 * - `control`: set through the control API; it overrides mirrors of the same user name, which is
 *   how a test makes a connection's next registration fail with 401;
 * - `config`: extra accounts from the emulator's configuration (softphones, the handoff target).
 *
 * Several mirrors may share a user name (two connections with the same credentials), so
 * `credentialsFor` returns every candidate password and the registrar accepts any of them.
 *
 * @example
 * const accounts = new AccountDirectory(location, [{ username: '200', password: 'human' }]);
 * accounts.mirror('sipconn_1', { username: '101', domain: 'your-provider.com', password: 's3cret' });
 * accounts.credentialsFor('101'); // ['s3cret']
 */
export class AccountDirectory {
  private readonly mirrors = new Map<string, Mirror>();
  private readonly control = new Map<string, AccountCredentials>();
  private config = new Map<string, AccountCredentials>();
  private readonly configured: AccountCredentials[];

  constructor(
    private readonly location: LocationService,
    config: AccountCredentials[] = [],
  ) {
    this.configured = config.map((account) => ({ ...account }));
    this.config = byUsername(this.configured);
  }

  /** Mirrors a SIP connection's credentials; calling it again replaces that connection's mirror. */
  mirror(connectionId: string, credentials: { username: string; domain: string; password: string }): void {
    const previous = this.mirrors.get(connectionId);
    this.mirrors.set(connectionId, { connectionId, username: credentials.username, domain: credentials.domain, password: credentials.password });
    if (previous && previous.username !== credentials.username) this.forgetIfGone(previous.username);
  }

  unmirror(connectionId: string): void {
    const previous = this.mirrors.get(connectionId);
    this.mirrors.delete(connectionId);
    if (previous) this.forgetIfGone(previous.username);
  }

  /** Creates or replaces a control account; it wins over mirrors and config of the same user name. */
  put(username: string, credentials: { password: string; domain?: string }): PbxAccount {
    const entry: AccountCredentials = { username, password: credentials.password };
    if (credentials.domain !== undefined) entry.domain = credentials.domain;
    this.control.set(username, entry);
    const account = this.describe(username);
    if (account === undefined) throw new Error(`AccountDirectory: account ${username} vanished while being set`);
    return account;
  }

  /**
   * Removes the account from every source, and its registrations, so a REGISTER for it gets 403
   * (control-openapi.yaml, deletePbxAccount). False when there was no such account.
   * A connection that mirrors it again (its listener restarts) brings it back.
   */
  delete(username: string): boolean {
    if (!this.has(username)) return false;
    this.control.delete(username);
    this.config.delete(username);
    for (const [id, mirror] of this.mirrors) if (mirror.username === username) this.mirrors.delete(id);
    this.location.clear(username);
    return true;
  }

  has(username: string): boolean {
    return this.control.has(username) || this.config.has(username) || this.mirrorsOf(username).length > 0;
  }

  /** Every password that authenticates `username`: the control account's alone if set, else the mirrors' and the config's. */
  credentialsFor(username: string): string[] {
    const override = this.control.get(username);
    if (override) return [override.password];
    const passwords = this.mirrorsOf(username).map((m) => m.password);
    const configured = this.config.get(username);
    if (configured) passwords.push(configured.password);
    return [...new Set(passwords)];
  }

  /** The SIP connections whose credentials `username` mirrors, oldest first (for fault rules that match a connection). */
  connectionIdsFor(username: string): string[] {
    return this.mirrorsOf(username).map((m) => m.connectionId);
  }

  /** Every account, as the control API shows it: no password, with its live registrations. */
  list(): PbxAccount[] {
    const names = new Set([...this.control.keys(), ...this.config.keys(), ...[...this.mirrors.values()].map((m) => m.username)]);
    return [...names].sort().flatMap((username) => this.describe(username) ?? []);
  }

  get(username: string): PbxAccount | undefined {
    return this.describe(username);
  }

  /** Back to the configured accounts, as the emulator's reset does; every registration is forgotten. */
  reset(): void {
    this.mirrors.clear();
    this.control.clear();
    this.config = byUsername(this.configured);
    this.location.clear();
  }

  private describe(username: string): PbxAccount | undefined {
    const mirrors = this.mirrorsOf(username);
    const override = this.control.get(username);
    const configured = this.config.get(username);
    const source: AccountSource | undefined = override ? 'control' : mirrors.length > 0 ? 'connection' : configured ? 'config' : undefined;
    if (source === undefined) return undefined;
    const domain = override ? override.domain : (mirrors[0]?.domain ?? configured?.domain);
    const contacts = this.location.bindings(username).map((b) => ({ uri: b.contact, expiresAt: b.expiresAt, transport: b.transport }));
    return { username, domain: domain ?? null, source, registered: contacts.length > 0, contacts };
  }

  private mirrorsOf(username: string): Mirror[] {
    return [...this.mirrors.values()].filter((m) => m.username === username);
  }

  /** An account with no source left has no registrations either. */
  private forgetIfGone(username: string): void {
    if (!this.has(username)) this.location.clear(username);
  }
}

function byUsername(accounts: AccountCredentials[]): Map<string, AccountCredentials> {
  return new Map(accounts.map((account) => [account.username, { ...account }]));
}
