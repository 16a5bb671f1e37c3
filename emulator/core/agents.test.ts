import { describe, expect, it } from 'vitest';
import { seededSource } from '../../random/index.js';
import { AgentStore } from './agents.js';
import { Ids } from './ids.js';

const ids = new Ids(seededSource(1));

const body = (name: string) => ({ companionId: 'comp_1', voiceId: 'alloy', providerSettings: { temperature: 0.5 }, name });

describe('AgentStore', () => {
  it('lists pages in creation order, as JSON that matches the stored agents after every change', () => {
    const store = new AgentStore('key', { profile: 'guide', agentLimit: 10, publicBaseUrl: 'http://127.0.0.1:4010', ids });
    const created = ['a', 'b', 'c', 'd', 'e'].map((name) => JSON.parse((store.create(body(name), 1_700_000_000_000) as { ok: true; value: string }).value).id as string);
    store.patch(created[1]!, { name: 'B', functions: ['fn_x'] });
    store.delete(created[3]!);
    const page = JSON.parse(store.listJson({ pageIndex: 1, pageSize: 2 }));
    expect(page).toMatchObject({ filteredCount: 4, totalCount: 4, pageIndex: 1, pageSize: 2 });
    expect(page.items.map((a: { name: string }) => a.name)).toEqual(['c', 'e']);
    const first = JSON.parse(store.listJson({ pageIndex: 0, pageSize: 20 }));
    expect(first.items[1]).toEqual((store.get(created[1]!) as { ok: true; value: unknown }).value);
    expect(first.items[1]).toMatchObject({ name: 'B', functions: ['fn_x'], created: 1_700_000_000 });
  });

  it('reuses a page while no agent changed, and never serves one older than the last change', () => {
    const store = new AgentStore('key', { profile: 'guide', agentLimit: 10, publicBaseUrl: '', ids });
    const names = (page: string) => (JSON.parse(page) as { items: Array<{ name: string }> }).items.map((a) => a.name);
    const id = JSON.parse((store.create(body('a'), 0) as { ok: true; value: string }).value).id as string;
    const page = store.listJson({ pageIndex: 0, pageSize: 20 });
    expect(store.listJson({ pageIndex: 0, pageSize: 20 })).toBe(page);
    expect(names(store.listJson({ pageIndex: 0, pageSize: 1 }))).toEqual(['a']);
    store.create(body('b'), 0);
    expect(names(store.listJson({ pageIndex: 0, pageSize: 20 }))).toEqual(['a', 'b']);
    expect(names(store.listJson({ pageIndex: 1, pageSize: 1 }))).toEqual(['b']);
    store.patch(id, { name: 'A' });
    expect(names(store.listJson({ pageIndex: 0, pageSize: 20 }))).toEqual(['A', 'b']);
    store.delete(id);
    expect(names(store.listJson({ pageIndex: 0, pageSize: 20 }))).toEqual(['b']);
    expect(JSON.parse(store.listJson({ pageIndex: 0, pageSize: 1 }))).toMatchObject({ totalCount: 1, filteredCount: 1 });
  });

  it('answers 409 AgentLimitExceeded past the cap', () => {
    const store = new AgentStore('key', { profile: 'guide', agentLimit: 1, publicBaseUrl: '', ids });
    store.create(body('a'), 0);
    const second = store.create(body('b'), 0);
    expect(second.ok || second.error).toMatchObject({ status: 409, body: { code: 'AgentLimitExceeded', numericType: 3 } });
  });
});
