import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export type WaitForSipResult = { ok: true; attempts: number } | { ok: false; reason: string };

/**
 * Sends OPTIONS over UDP to 127.0.0.1:`port` every `intervalMs` until any SIP response comes back,
 * and returns as soon as one does: the server has bound its socket and its SIP stack answers. Any
 * status counts (a registrar may answer 200, 404 or 405 alike). Not being ready in time is returned,
 * not thrown.
 *
 * @example
 * const ready = await waitForSip(5060, { timeoutMs: 10_000 });
 */
export async function waitForSip(port: number, options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<WaitForSipResult> {
  const { timeoutMs = 30_000, intervalMs = 50, signal } = options;
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const local = socket.address().port;
  const id = randomBytes(6).toString('hex');
  const options_ = [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:bench@127.0.0.1>;tag=${id}`,
    `To: <sip:127.0.0.1:${port}>`,
    `Call-ID: ready-${id}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  let answered = false;
  // The wait between two sends ends at once when the answer comes: the ready time is not rounded up to intervalMs.
  let wake: (() => void) | undefined;
  socket.on('message', (message) => {
    if (!message.toString('latin1').startsWith('SIP/2.0 ')) return;
    answered = true;
    wake?.();
  });
  socket.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempts = 1; ; attempts++) {
      if (signal?.aborted) return { ok: false, reason: `stopped waiting for SIP on 127.0.0.1:${port}: ${String(signal.reason)}` };
      socket.send(options_, port, '127.0.0.1');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (answered) return { ok: true, attempts };
      if (Date.now() > deadline) return { ok: false, reason: `no SIP answer to OPTIONS on UDP 127.0.0.1:${port} within ${timeoutMs} ms` };
    }
  } finally {
    socket.close();
  }
}
