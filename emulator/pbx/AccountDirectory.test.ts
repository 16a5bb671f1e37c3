import { beforeEach, describe, expect, it } from 'vitest';
import { AccountDirectory } from './AccountDirectory.js';
import { MemoryConnections } from './ConnectionSource.js';
import { LocationService, type RegisterOrigin } from './LocationService.js';

const ORIGIN: RegisterOrigin = { callId: 'c1', cseq: 1, transport: 'TCP', source: { protocol: 'TCP', address: '127.0.0.2', port: 49152 }, flowId: 'MEM-TCP#1' };

let now: number;
let location: LocationService;
let accounts: AccountDirectory;
let connections: MemoryConnections;

beforeEach(() => {
  now = 1_710_000_000_000;
  location = new LocationService({ now: () => now });
  connections = new MemoryConnections();
  accounts = new AccountDirectory(location, connections, [{ username: '200', password: 'human' }]);
});

describe('AccountDirectory', () => {
  it('lists accounts from every source, with registrations and never a password', () => {
    connections.set('sipconn_1', { username: '101', domain: 'your-provider.com', password: 's3cret' });
    accounts.put('300', { password: 'ctl', domain: 'example.org' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062;transport=tcp', expires: 300 }], ORIGIN);
    const list = accounts.list();
    expect(list).toEqual([
      { username: '101', domain: 'your-provider.com', source: 'connection', registered: true, contacts: [{ uri: 'sip:101@127.0.0.2:5062;transport=tcp', expiresAt: now + 300_000, transport: 'TCP' }], quirks: {} },
      { username: '200', domain: null, source: 'config', registered: false, contacts: [], quirks: {} },
      { username: '300', domain: 'example.org', source: 'control', registered: false, contacts: [], quirks: {} },
    ]);
    expect(JSON.stringify(list)).not.toMatch(/s3cret|human|ctl/);
  });

  it('gives every connection’s password for a shared user name, and only the control account’s once set', () => {
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    connections.set('sipconn_2', { username: '101', domain: 'b', password: 'two' });
    expect(accounts.credentialsFor('101')).toEqual(['one', 'two']);
    expect(accounts.connectionIdsFor('101')).toEqual(['sipconn_1', 'sipconn_2']);
    expect(accounts.put('101', { password: 'override' }).source).toBe('control');
    expect(accounts.credentialsFor('101')).toEqual(['override']);
    expect(accounts.credentialsFor('nobody')).toEqual([]);
  });

  it('forgets an account’s registrations when its last connection goes', () => {
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    connections.set('sipconn_2', { username: '101', domain: 'a', password: 'one' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    connections.delete('sipconn_1');
    expect(accounts.get('101')?.registered).toBe(true);
    connections.delete('sipconn_2');
    expect(accounts.has('101')).toBe(false);
    expect(location.bindings('101')).toEqual([]);
  });

  it('deletes an account from every source with its registrations; false when there is none', () => {
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.put('101', { password: 'two' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    expect(accounts.delete('101')).toBe(true);
    expect(accounts.has('101')).toBe(false);
    expect(location.bindings('101')).toEqual([]);
    expect(accounts.delete('101')).toBe(false);
  });

  it('resets to the configured accounts and the connections, restoring a deleted one', () => {
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.put('200', { password: 'changed' });
    accounts.delete('200');
    accounts.delete('101');
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    accounts.reset();
    expect(accounts.list().map((a) => [a.username, a.source])).toEqual([['101', 'connection'], ['200', 'config']]);
    expect(accounts.credentialsFor('200')).toEqual(['human']);
    expect(location.usernames()).toEqual([]);
  });

  it('takes connection accounts from the store: only those registering at the PBX (a server name, not an IP address)', () => {
    connections.set('sipconn_1', { username: '101', domain: 'your-provider.com', password: 'one', server: 'sip.your-provider.com' });
    connections.set('sipconn_2', { username: '102', domain: '127.0.0.1', password: 'two', server: '127.0.0.1' });
    expect(accounts.credentialsFor('101')).toEqual(['one']);
    expect(accounts.has('102')).toBe(false);
    connections.set('sipconn_1', { username: '101', domain: 'your-provider.com', password: 'changed', server: 'sip.your-provider.com' });
    expect(accounts.credentialsFor('101')).toEqual(['changed']);
  });

  it('keeps a deleted connection account away until a connection with that name changes', () => {
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    expect(accounts.delete('101')).toBe(true);
    expect(accounts.has('101')).toBe(false);
    expect(accounts.credentialsFor('101')).toEqual([]);
    connections.set('sipconn_1', { username: '101', domain: 'a', password: 'two' });
    expect(accounts.credentialsFor('101')).toEqual(['two']);
  });
});
