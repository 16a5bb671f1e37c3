import { describe, expect, it } from 'vitest';
import { applyOverlay } from './applyOverlay.js';
import { readProfileDocument, readYamlDocument } from './openapiDocument.js';

type Node = Record<string, any>;

describe('applyOverlay (OpenAPI Overlay 1.0)', () => {
  const base = { info: { title: 'A', version: '1' }, list: ['a'], nested: { keep: 1, deep: { x: 1 } } };

  it('merges an update into each object the target selects, appends to an array, removes with remove: true', () => {
    const result = applyOverlay(base, {
      overlay: '1.0.0',
      actions: [
        { target: '$.info', update: { title: 'B' } },
        { target: '$.list', update: 'b' },
        { target: '$.nested', update: { deep: { y: 2 } } },
        { target: '$.nested.keep', remove: true },
      ],
    }) as Node;
    expect(result).toEqual({ info: { title: 'B', version: '1' }, list: ['a', 'b'], nested: { deep: { x: 1, y: 2 } } });
    expect(base.info.title).toBe('A');
  });

  it('refuses a target that selects nothing, naming the action, and a document that is not an overlay', () => {
    expect(() => applyOverlay(base, { overlay: '1.0.0', actions: [{ target: '$.paths', update: {} }] })).toThrow(/overlay action 1 \(target \$\.paths\) selects nothing/);
    expect(() => applyOverlay(base, { openapi: '3.1.0' })).toThrow(/not an OpenAPI Overlay 1\.x document/);
  });
});

describe('the latest profile document (openapi.yaml + openapi-latest.overlay.yaml)', () => {
  const guide = readYamlDocument('openapi.yaml') as Node;
  const latest = readProfileDocument('latest') as Node;
  const schemas = (doc: Node) => doc.components.schemas;

  it('requires name, takes ISO 639-1 languages, and adds useWebSearch and mcp; the guide document is unchanged', () => {
    expect(schemas(latest).AgentCreate.required).toEqual(['companionId', 'voiceId', 'providerSettings', 'name']);
    expect(schemas(latest).AgentCreate.properties.language.pattern).toBe('^[a-z]{2}$');
    expect(Object.keys(schemas(latest).Agent.properties)).toEqual(expect.arrayContaining(['useWebSearch', 'mcp']));
    expect(schemas(guide).AgentCreate.required).not.toContain('name');
    expect(schemas(guide).Agent.properties.useWebSearch).toBeUndefined();
  });

  it('has the kiosk channel, quota requests and outbound calls; the guide has none of them', () => {
    expect(schemas(latest).ChannelType.enum).toContain('kiosk');
    expect(Object.keys(latest.paths)).toEqual(expect.arrayContaining(['/public/quota-requests', '/public/sip-connections/{id}/call']));
    expect(schemas(guide).ChannelType.enum).not.toContain('kiosk');
    expect(Object.keys(guide.paths)).not.toContain('/public/quota-requests');
  });
});
