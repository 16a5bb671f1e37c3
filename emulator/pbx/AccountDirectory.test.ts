import { beforeEach, describe, expect, it } from 'vitest';
import { AccountDirectory } from './AccountDirectory.js';
import { LocationService, type RegisterOrigin } from './LocationService.js';

const ORIGIN: RegisterOrigin = { callId: 'c1', cseq: 1, transport: 'TCP', source: { protocol: 'TCP', address: '127.0.0.2', port: 49152 }, flowId: 'MEM-TCP#1' };

let now: number;
let location: LocationService;
let accounts: AccountDirectory;

beforeEach(() => {
  now = 1_710_000_000_000;
  location = new LocationService({ now: () => now });
  accounts = new AccountDirectory(location, [{ username: '200', password: 'human' }]);
});

describe('AccountDirectory', () => {
  it('lists accounts from every source, with registrations and never a password', () => {
    accounts.mirror('sipconn_1', { username: '101', domain: 'your-provider.com', password: 's3cret' });
    accounts.put('300', { password: 'ctl', domain: 'example.org' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062;transport=tcp', expires: 300 }], ORIGIN);
    const list = accounts.list();
    expect(list).toEqual([
      { username: '101', domain: 'your-provider.com', source: 'connection', registered: true, contacts: [{ uri: 'sip:101@127.0.0.2:5062;transport=tcp', expiresAt: now + 300_000, transport: 'TCP' }] },
      { username: '200', domain: null, source: 'config', registered: false, contacts: [] },
      { username: '300', domain: 'example.org', source: 'control', registered: false, contacts: [] },
    ]);
    expect(JSON.stringify(list)).not.toMatch(/s3cret|human|ctl/);
  });

  it('gives every mirror’s password for a shared user name, and only the control account’s once set', () => {
    accounts.mirror('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.mirror('sipconn_2', { username: '101', domain: 'b', password: 'two' });
    expect(accounts.credentialsFor('101')).toEqual(['one', 'two']);
    expect(accounts.connectionIdsFor('101')).toEqual(['sipconn_1', 'sipconn_2']);
    expect(accounts.put('101', { password: 'override' }).source).toBe('control');
    expect(accounts.credentialsFor('101')).toEqual(['override']);
    expect(accounts.credentialsFor('nobody')).toEqual([]);
  });

  it('forgets an account’s registrations when its last mirror goes', () => {
    accounts.mirror('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.mirror('sipconn_2', { username: '101', domain: 'a', password: 'one' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    accounts.unmirror('sipconn_1');
    expect(accounts.get('101')?.registered).toBe(true);
    accounts.unmirror('sipconn_2');
    expect(accounts.has('101')).toBe(false);
    expect(location.bindings('101')).toEqual([]);
  });

  it('deletes an account from every source with its registrations; false when there is none', () => {
    accounts.mirror('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.put('101', { password: 'two' });
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    expect(accounts.delete('101')).toBe(true);
    expect(accounts.has('101')).toBe(false);
    expect(location.bindings('101')).toEqual([]);
    expect(accounts.delete('101')).toBe(false);
  });

  it('resets to the configured accounts only, restoring a deleted one', () => {
    accounts.mirror('sipconn_1', { username: '101', domain: 'a', password: 'one' });
    accounts.put('200', { password: 'changed' });
    accounts.delete('200');
    location.update('101', [{ uri: 'sip:101@127.0.0.2', expires: 300 }], ORIGIN);
    accounts.reset();
    expect(accounts.list().map((a) => [a.username, a.source])).toEqual([['200', 'config']]);
    expect(accounts.credentialsFor('200')).toEqual(['human']);
    expect(location.usernames()).toEqual([]);
  });
});
