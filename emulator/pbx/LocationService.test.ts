import { beforeEach, describe, expect, it } from 'vitest';
import { LocationService, sameContact, type RegisterOrigin } from './LocationService.js';

let now: number;
let location: LocationService;

const origin = (cseq: number, callId = 'call-a'): RegisterOrigin => ({ callId, cseq, transport: 'UDP', source: { protocol: 'UDP', address: '127.0.0.2', port: 5062 }, flowId: 'UDP 127.0.0.2:5062' });

beforeEach(() => {
  now = 1_000_000;
  location = new LocationService({ now: () => now });
});

describe('LocationService (RFC 3261 §10.3)', () => {
  it('adds, refreshes and removes bindings, most recent first', () => {
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 300 }], origin(1));
    now += 10_000;
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5070', expires: 60, q: 0.5 }], origin(2, 'call-b'));
    expect(location.bindings('101').map((b) => [b.contact, b.expiresAt, b.q])).toEqual([
      ['sip:101@127.0.0.2:5070', now + 60_000, 0.5],
      ['sip:101@127.0.0.2:5062', now - 10_000 + 300_000, undefined],
    ]);
    now += 10_000;
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 300 }], origin(3));
    expect(location.bindings('101')[0]?.contact).toBe('sip:101@127.0.0.2:5062');
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 0 }], origin(4));
    expect(location.bindings('101').map((b) => b.contact)).toEqual(['sip:101@127.0.0.2:5070']);
  });

  it('aborts the whole update when a binding with the same Call-ID has a CSeq at least as high', () => {
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 300 }], origin(5));
    const result = location.update('101', [{ uri: 'sip:101@127.0.0.2:5080', expires: 300 }, { uri: 'sip:101@127.0.0.2:5062', expires: 0 }], origin(5));
    expect(result).toEqual({ ok: false, reason: 'out-of-order', contact: 'sip:101@127.0.0.2:5062' });
    expect(location.bindings('101').map((b) => b.contact)).toEqual(['sip:101@127.0.0.2:5062']);
    // Another Call-ID (the phone restarted) may replace it whatever its CSeq.
    expect(location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 0 }], origin(1, 'call-new')).ok).toBe(true);
  });

  it('removes everything with removeAll, under the same CSeq rule', () => {
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062', expires: 300 }, { uri: 'sip:101@127.0.0.2:5070', expires: 300 }], origin(2));
    expect(location.removeAll('101', { callId: 'call-a', cseq: 2 }).ok).toBe(false);
    expect(location.removeAll('101', { callId: 'call-a', cseq: 3 })).toEqual({ ok: true, bindings: [] });
    expect(location.usernames()).toEqual([]);
  });

  it('expires bindings on the clock and finds live ones by contact', () => {
    location.update('101', [{ uri: 'sip:101@127.0.0.2:5062;transport=tcp', expires: 60 }], origin(1));
    expect(location.findByContact('sip:101@127.0.0.2:5062;transport=TCP;ob')?.cseq).toBe(1);
    expect(location.findByContact('sip:101@127.0.0.2:5062')).toBeUndefined();
    now += 60_000;
    expect(location.findByContact('sip:101@127.0.0.2:5062;transport=tcp')).toBeUndefined();
    expect(location.usernames()).toEqual([]);
  });

  it('compares contacts as URIs: host case and default port do not matter, transport does', () => {
    expect(sameContact('sip:101@HOST.example', 'sip:101@host.example:5060')).toBe(true);
    expect(sameContact('sip:101@host:5062;transport=udp', 'sip:101@host:5062')).toBe(true);
    expect(sameContact('sip:101@host:5062;transport=tcp', 'sip:101@host:5062')).toBe(false);
    expect(sameContact('sip:101@host', 'sip:102@host')).toBe(false);
  });
});
