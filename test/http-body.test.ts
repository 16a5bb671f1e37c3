import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { guideAgent } from './support/world.js';

/** Request bodies over a real socket (the in-process tests go through app.request, another path). */
describe('request bodies over HTTP', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sip: false, logLevel: 'silent', maxBodyBytes: 4096, validateResponses: true });
  });
  afterAll(() => emulator?.close());

  const post = (body: RequestInit['body'], extra: RequestInit = {}) =>
    fetch(`${emulator.url}/public/agents`, { method: 'POST', headers: { 'X-Api-Key': 'bodies', 'Content-Type': 'application/json' }, body, ...extra });
  const chunked = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.subarray(i, i + 1000));
        controller.close();
      },
    });

  it('reads a JSON body sent with Content-Length, and one sent chunked', async () => {
    expect((await post(JSON.stringify(guideAgent))).status).toBe(200);
    const res = await post(chunked(JSON.stringify({ ...guideAgent, name: 'chunked' })), { duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe('chunked');
  });

  it('answers 413 in the envelope past the limit, with or without Content-Length', async () => {
    const big = JSON.stringify({ ...guideAgent, name: 'x'.repeat(5000) });
    for (const res of [await post(big), await post(chunked(big), { duplex: 'half' } as RequestInit)]) {
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'PayloadTooLarge', numericType: 2 });
    }
  });
});
