import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../core/parseYaml.js';
import { packageRoot } from '../http/packageRoot.js';
import { createTestWorld, guideAgent, guideConnection } from '../../test/support/world.js';
import { ControlError } from './ControlError.js';
import { EmulatorControl } from './EmulatorControl.js';

const operationIds = (): string[] => {
  const document = parseYaml(readFileSync(join(packageRoot(), 'control-openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
  return Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((op) => (op.operationId ? [op.operationId] : [])));
};

describe('EmulatorControl', () => {
  it('has a method for every operationId of control-openapi.yaml', () => {
    const ids = operationIds();
    expect(ids.length).toBeGreaterThan(25);
    const missing = ids.filter((id) => typeof (EmulatorControl.prototype as unknown as Record<string, unknown>)[id] !== 'function');
    expect(missing).toEqual([]);
  });

  it('throws ControlError with the HTTP envelope for expected failures', () => {
    const world = createTestWorld({ clock: 'real' });
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof ControlError) return { status: error.status, code: error.code };
        throw error;
      }
      return undefined;
    };
    expect(failure(() => world.control.advanceClock({ ms: 1 }))).toEqual({ status: 409, code: 'ClockNotVirtual' });
    expect(failure(() => world.control.deleteFault('fault_nope'))).toEqual({ status: 404, code: 'FaultNotFound' });
    expect(failure(() => world.control.getCall('call_nope'))).toEqual({ status: 404, code: 'CallNotFound' });
    // An API-only world has no SIP side at all: its SIP operations say so.
    expect(failure(() => world.control.listPbxAccounts())).toEqual({ status: 503, code: 'SipSideDisabled' });
    expect(failure(() => world.control.getJournal({ kind: ['calls'] }))).toEqual({ status: 400, code: 'ValidationError' });
  });

  it('answers the same in-process as over HTTP', async () => {
    const world = createTestWorld();
    const rule = world.control.createFault({ match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 429, retryAfter: 5 }, times: 1 });
    const overHttp = await world.call('GET', '/_emulator/faults', { key: null });
    expect(overHttp.body).toEqual(world.control.listFaults());
    expect(world.control.listFaults().items.map((r) => r.id)).toEqual([rule.id]);
    expect((await world.call('GET', '/public/agents')).status).toBe(429);
    expect(world.control.listFaults().items).toEqual([]);
    const health = await world.call('GET', '/_emulator/health', { key: null });
    expect(health.body).toEqual(world.control.getHealth());
  });

  it('reads the journal in order, filtered by kind, connection and sequence', async () => {
    const world = createTestWorld({ provisionDelayMs: 1000 });
    const agent = await world.call('POST', '/public/agents', { body: guideAgent });
    const conn = await world.call('POST', '/public/sip-connections', { body: guideConnection(agent.body.id) });
    const mark = world.control.getJournal().lastSeq;
    world.control.advanceClock({ ms: 1000 });
    const statuses = world.control.getJournal({ kind: ['connection.status'], connectionId: conn.body.id }).items;
    expect(statuses.map((e) => e.kind === 'connection.status' && `${e.status.lifecycleStatus}/${e.status.sipStatus} (${e.event})`)).toEqual([
      'Pending/null (created)',
      'Running/registering (provisioned)',
    ]);
    const after = world.control.getJournal({ since: mark }).items;
    expect(after.map((e) => e.kind)).toEqual(['connection.status', 'clock.advanced']);
    const api = world.control.getJournal({ kind: ['api'], connectionId: conn.body.id }).items;
    expect(api).toEqual([]);
    const creates = world.control.getJournal({ kind: ['api'] }).items.filter((e) => e.kind === 'api' && e.operationId === 'createSipConnection');
    expect(creates).toHaveLength(1);
    const sequence = world.control.getJournal().items.map((e) => e.seq);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
  });
});
