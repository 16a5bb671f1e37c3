import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { guideAgent, guideConnection } from './support/world.js';

/** `GET /_emulator/events`: a test in another process waits for events instead of polling. */
describe('the event stream', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sip: false, clock: 'virtual', provisionDelayMs: 1000, logLevel: 'silent' });
  });
  afterAll(() => emulator?.close());

  it('streams a ready event, then the lifecycle of a new connection as it happens', async () => {
    const abort = new AbortController();
    const response = await fetch(`${emulator.url}/_emulator/events`, { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const events: Array<{ event: string; data: any }> = [];
    const next = async (predicate: (e: { event: string; data: any }) => boolean) => {
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          events.push({ event, data: data ? JSON.parse(data) : undefined });
        }
      }
    };

    expect((await next((e) => e.event === 'ready')).data).toHaveProperty('now');
    const headers = { 'X-Api-Key': 'sse', 'Content-Type': 'application/json' };
    const agent = (await (await fetch(`${emulator.url}/public/agents`, { method: 'POST', headers, body: JSON.stringify(guideAgent) })).json()) as { id: string };
    const conn = (await (await fetch(`${emulator.url}/public/sip-connections`, { method: 'POST', headers, body: JSON.stringify(guideConnection(agent.id)) })).json()) as { id: string };
    const pending = await next((e) => e.event === 'connection.status' && e.data.connectionId === conn.id);
    expect(pending.data.status).toMatchObject({ lifecycleStatus: 'Pending', sipStatus: null });
    await fetch(`${emulator.url}/_emulator/clock/advance`, { method: 'POST', headers, body: JSON.stringify({ ms: 1000 }) });
    await next((e) => e.event === 'clock.advanced');
    const running = await next((e) => e.event === 'connection.status' && e.data.connectionId === conn.id && e.data.status.lifecycleStatus === 'Running');
    expect(running.data.status.sipStatus).toBe('registering');
    expect(JSON.stringify(events)).not.toContain('your-sip-password');
    abort.abort();
  });

  it('sends a burst of entries recorded in one go as one event each, in order, with its id', async () => {
    const abort = new AbortController();
    const response = await fetch(`${emulator.url}/_emulator/events?kind=clock`, { signal: abort.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const blocks = (): string[] => text.split('\n\n').filter((b) => b.includes('event: clock.advanced'));
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value, { stream: true });
    const from = emulator.control.journal.lastSeq;
    for (let i = 1; i <= 500; i++) emulator.control.journal.record({ kind: 'clock.advanced', byMs: i, now: i });
    while (blocks().length < 500) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += decoder.decode(value, { stream: true });
    }
    const got = blocks().map((block) => ({ id: Number(/^id: (\d+)$/m.exec(block)?.[1]), byMs: JSON.parse(/^data: (.*)$/m.exec(block)![1]!).byMs }));
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => ({ id: from + i + 1, byMs: i + 1 })));
    abort.abort();
  });
});
