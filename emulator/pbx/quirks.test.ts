import { describe, expect, it } from 'vitest';
import { MemoryConnections } from './ConnectionSource.js';
import { Pbx } from './Pbx.js';
import { mergeQuirks, quirksProblem, type QuirkEvent } from './quirks.js';
import { createMemoryNetwork } from '../../sip/index.js';

describe('PBX quirks', () => {
  it("an account's quirks win key by key over the PBX-wide ones; false and null turn one off", () => {
    expect(mergeQuirks({ strictDigestUri: true, registerRejected: 405, refer: 'noNotify' }, { strictDigestUri: false, registerRejected: null, extraProxyHop: true }))
      .toEqual({ refer: 'noNotify', extraProxyHop: true });
    expect(mergeQuirks({ rtpStopsAfterMs: 0 }, undefined)).toEqual({ rtpStopsAfterMs: 0 });
  });

  it('says what is wrong with quirks that did not come through the HTTP validation', () => {
    expect(quirksProblem({ strictDigestUri: true, sessionTimers: { interval: 1800, minSE: 90 } })).toBeUndefined();
    expect(quirksProblem({ strictDigestURI: true })).toMatch(/unknown quirk 'strictDigestURI'; the quirks are strictDigestUri,/);
    expect(quirksProblem({ registerRejected: 404 })).toMatch(/registerRejected must be one of 405, 501/);
    expect(quirksProblem({ sessionTimers: { interval: 30 } })).toMatch(/sessionTimers must be/);
    expect(quirksProblem([])).toMatch(/must be an object/);
  });

  it('quirksFor reads the PBX-wide quirks under an account’s own; a reset returns to the configured ones', () => {
    const network = createMemoryNetwork({ seed: 1 });
    const events: QuirkEvent[] = [];
    const pbx = Pbx.create(network.createTransport('10.0.0.1', 5060), { connections: new MemoryConnections(), quirks: { extraProxyHop: true }, onQuirk: (e) => events.push(e) });
    pbx.quirks.set({ strictDigestUri: true });
    pbx.accounts.put('101', { password: 'p', quirks: { registerRejected: 501, strictDigestUri: false } });
    expect(pbx.quirksFor('101')).toEqual({ registerRejected: 501 });
    expect(pbx.quirksFor('102')).toEqual({ strictDigestUri: true });
    expect(pbx.accounts.get('101')?.quirks).toEqual({ registerRejected: 501, strictDigestUri: false });
    pbx.reset();
    expect(pbx.quirks.get()).toEqual({ extraProxyHop: true });
    expect(pbx.quirksFor('101')).toEqual({ extraProxyHop: true });
    void pbx.close();
  });
});
