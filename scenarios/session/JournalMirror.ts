import type { JournalEntry } from '../../emulator/index.js';
import type { EmulatorClient } from './EmulatorClient.js';
import { formatDuration } from './duration.js';

/** How often the mirror reads what the journal added, while it waits. */
const POLL_MS = 10;
/** No new entry for this long: whatever was in flight has settled, so virtual time may move. */
const QUIET_MS = 30;

export interface WaitOptions {
  /** How long the condition may take, on the emulator's clock (virtual or real). */
  withinMs: number;
  /** What is awaited, for the failure message: `connection sipconn_… to be Running/online`. */
  what: string;
  /** A hard bound in real time, whatever the virtual clock does. Default 30 s (the real SIP timers must have time to fire). */
  realTimeoutMs?: number;
}

interface ClockView {
  mode: 'real' | 'virtual';
  now: number;
  pendingTimers: number;
  nextTimerAt: number | null;
}

/**
 * The scenario's copy of the emulator's journal, read as it grows. Waits check a condition
 * against it; on a virtual clock, a wait that finds the world quiet moves time to the next
 * emulator timer instead of sleeping, so minutes of retries and refreshes pass in milliseconds.
 */
export class JournalMirror {
  readonly entries: JournalEntry[] = [];
  private lastSeq: number;
  private lastChange = performance.now();

  constructor(
    private readonly client: EmulatorClient,
    since = 0,
  ) {
    this.lastSeq = since;
  }

  /** Reads the entries the journal added since the last read; true when there were some. */
  async sync(): Promise<boolean> {
    const page = await this.client.control<{ items: JournalEntry[]; lastSeq: number }>('GET', `/journal?since=${this.lastSeq}`);
    const fresh = page.items.filter((e) => e.seq > this.lastSeq);
    if (fresh.length === 0) return false;
    this.entries.push(...fresh);
    this.lastSeq = fresh.at(-1)!.seq;
    // Reading the emulator's own state (a step polling the clock) is not the world moving.
    if (fresh.some((e) => !(e.kind === 'api' && e.api === 'control' && e.method === 'GET'))) this.lastChange = performance.now();
    return true;
  }

  /**
   * Resolves with what `check` returns once it returns something. Between checks it reads the
   * journal; on a virtual clock, once nothing has happened for a moment, it advances the clock to
   * the next emulator timer (never past `withinMs`). Rejects with the last state when the time is up.
   */
  async until<T>(check: () => T | undefined, options: WaitOptions): Promise<T> {
    await this.sync();
    const start = await this.clock();
    const virtualDeadline = start.now + options.withinMs;
    const realDeadline = performance.now() + (start.mode === 'virtual' ? (options.realTimeoutMs ?? 30_000) : options.withinMs);
    /** The clock is read once per quiet spell: reading it is itself an API request in the journal. */
    let checkedSince = -1;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (performance.now() > realDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (await this.sync()) continue;
      if (start.mode !== 'virtual' || performance.now() - this.lastChange < QUIET_MS || checkedSince === this.lastChange) continue;
      checkedSince = this.lastChange;
      const clock = await this.clock();
      if (clock.nextTimerAt !== null && clock.nextTimerAt <= virtualDeadline) {
        await this.client.control('POST', '/clock/advance', { toNextTimer: true });
        this.lastChange = performance.now();
        continue;
      }
      // No emulator timer left in the window: what is awaited can only come from real time (a SIP
      // timer, a peer, audio), so keep reading until the real-time bound.
    }
    const end = await this.clock();
    throw new WaitTimeout(`timed out waiting for ${options.what} (${formatDuration(end.now - start.now)} of ${start.mode} time passed, the limit is ${formatDuration(options.withinMs)})`);
  }

  private clock(): Promise<ClockView> {
    return this.client.control<ClockView>('GET', '/clock');
  }
}

export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}
