import { describe, expect, it } from 'vitest';
import { OnlineCounter, SseReader } from './onlineCounter.js';

describe('OnlineCounter and SseReader', () => {
  it('counts the connections whose latest status is Running/online, from events split anywhere across chunks', () => {
    const counter = new OnlineCounter();
    const kinds: string[] = [];
    const reader = new SseReader((event, data) => {
      kinds.push(event);
      counter.apply(data as Parameters<OnlineCounter['apply']>[0]);
    });
    const status = (id: string, lifecycleStatus: string, sipStatus: string | null) =>
      `event: connection.status\nid: 1\ndata: ${JSON.stringify({ kind: 'connection.status', connectionId: id, status: { lifecycleStatus, sipStatus } })}\n\n`;
    const stream = `event: ready\ndata: {"now":1,"lastSeq":0}\n\n${status('a', 'Running', 'registering')}${status('a', 'Running', 'online')}${status('b', 'Running', 'online')}${status('b', 'Running', 'registering')}${status('c', 'Running', 'online')}`;
    for (let i = 0; i < stream.length; i += 7) reader.push(stream.slice(i, i + 7));
    expect(kinds).toEqual(['ready', 'connection.status', 'connection.status', 'connection.status', 'connection.status', 'connection.status']);
    expect(counter.count).toBe(2);
  });
});

describe('curveSizes', () => {
  it('steps from 100 to the requested number, roughly doubling, the requested number last', async () => {
    const { curveSizes } = await import('./runSipRegisterBenchmark.js');
    expect(curveSizes(5000)).toEqual([100, 250, 500, 1000, 2500, 5000]);
    expect(curveSizes(1000)).toEqual([100, 250, 500, 1000]);
    expect(curveSizes(100)).toEqual([100]);
    expect(curveSizes(3000)).toEqual([100, 250, 500, 1000, 2500, 3000]);
  });
});

describe('connectionsTimeBudgetSeconds', () => {
  it("is the issue's 10 s for 5,000 connections and 2 ms each beyond, and sets no time below 5,000", async () => {
    const { connectionsTimeBudgetSeconds } = await import('./runSipRegisterBenchmark.js');
    expect(connectionsTimeBudgetSeconds(5000)).toBe(10);
    expect(connectionsTimeBudgetSeconds(10_000)).toBe(20);
    expect(connectionsTimeBudgetSeconds(4999)).toBeUndefined();
    expect(connectionsTimeBudgetSeconds(1000)).toBeUndefined();
  });
});
