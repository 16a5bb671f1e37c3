import type { SipConnectionError, SipConnectionStatus } from './generated/index.js';

/** Everything observable the emulator publishes: to `/_emulator/events` (SSE) and to in-process waiters. */
export type EmulatorEvent =
  | { type: 'connection.status'; at: number; connectionId: string; status: SipConnectionStatus }
  | { type: 'connection.error'; at: number; connectionId: string; error: SipConnectionError }
  | { type: 'connection.deleted'; at: number; connectionId: string }
  | { type: 'call.state'; at: number; callId: string; connectionId: string | null; from: string; to: string; state: 'ringing' | 'active' | 'transferring' | 'ended'; reason: string | null }
  | { type: 'fault.fired'; at: number; faultId: string; target: string }
  | { type: 'clock.advanced'; at: number; now: number }
  | { type: 'emulator.reset'; at: number };

type Handler = (event: EmulatorEvent) => void;

/** A small typed event bus. Handlers run synchronously; one failing handler does not stop the others. */
export class EventBus {
  private readonly handlers = new Set<Handler>();

  publish(event: EmulatorEvent): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(event);
      } catch (error) {
        // A broken subscriber (e.g. a closed SSE stream) must not break the emulator.
        this.handlers.delete(handler);
        process.emitWarning(`omnisip: an event subscriber threw and was removed: ${(error as Error).message}`);
      }
    }
  }

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Resolves with the first event that satisfies `predicate`; rejects after `timeoutMs` of real
   * time with a message naming what was awaited. For tests and scenario expectations.
   */
  waitFor<E extends EmulatorEvent>(predicate: (event: EmulatorEvent) => event is E, timeoutMs?: number, what?: string): Promise<E>;
  waitFor(predicate: (event: EmulatorEvent) => boolean, timeoutMs?: number, what?: string): Promise<EmulatorEvent>;
  waitFor(predicate: (event: EmulatorEvent) => boolean, timeoutMs = 10_000, what = 'an event'): Promise<EmulatorEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`omnisip: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      });
    });
  }
}
