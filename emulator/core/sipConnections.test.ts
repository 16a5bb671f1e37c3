import { describe, expect, it } from 'vitest';
import { seededSource } from '../../random/index.js';
import { Ids } from './ids.js';
import { applyLifecycleEvent, resourceJson, SipConnectionStore, toResource, type SipConnectionRecord } from './sipConnections.js';

const settings = { server: 'sip.example.com', port: 5060, domain: 'example.com', username: '101', password: 'pw', transport: 'UDP' };

describe('resourceJson', () => {
  it('is the resource as JSON after every kind of change, and the same text while nothing changed', () => {
    const store = new SipConnectionStore('key', new Ids(seededSource(1)));
    const record: SipConnectionRecord = store.create({ agentId: 'agent_1', name: 'Line', settings }, 1_700_000_000_000);
    const fresh = () => JSON.stringify(toResource(record));
    const first = resourceJson(record);
    expect(first).toBe(fresh());
    expect(resourceJson(record)).toBe(first);
    const changes: Array<() => void> = [
      () => applyLifecycleEvent(record, { type: 'provisioned' }, 1_700_000_001_000),
      () => applyLifecycleEvent(record, { type: 'registered' }, 1_700_000_001_000),
      () => store.refresh(record.id, 1_700_000_005_000),
      () => store.patch(record.id, { name: 'Renamed' }),
      () => store.patch(record.id, { agentId: 'agent_2' }),
      () => store.patch(record.id, { settings: { ...settings, port: 5070 } }),
      () => store.patch(record.id, { settings: { ...settings, port: 5070, callerId: 'line-1' } }),
      () => store.patch(record.id, { settings: { ...settings, port: 5070, callerId: 'line-1', transport: 'TCP', username: '102', domain: 'example.org', server: 'pbx.example.org' } }),
      () => {
        delete record.name;
      },
    ];
    let previous = first;
    for (const change of changes) {
      change();
      const json = resourceJson(record);
      expect(json).toBe(fresh());
      expect(json).not.toBe(previous);
      previous = json;
    }
    expect(JSON.parse(previous)).not.toHaveProperty('settings.password');
  });
});
