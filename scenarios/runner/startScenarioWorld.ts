import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

/** How a scenario's world is started (a scenario file's `options`, or `scenario()`'s). */
export interface ScenarioWorldOptions {
  /** The public API's profile: `guide` (default) or `latest`. */
  apiProfile?: 'guide' | 'latest';
  /** Each project's sipPods quota at start. */
  sipQuota?: number;
  quotaApproval?: 'auto' | 'manual';
  /** `virtual` (default): waits move time to the next timer instead of sleeping. */
  clock?: 'real' | 'virtual';
  /** Default 1: ids, tags and fault probabilities repeat from run to run. */
  seed?: number;
  provisionDelayMs?: number;
  restartDelayMs?: number;
  registerExpires?: number;
  registerRetryMs?: number;
  maxConcurrentCalls?: number;
  rtpTimeoutMs?: number;
  /** RFC 3261 T1 of every stack, ms. Default 100 (Timer F, 64 × T1, is then 6.4 s). */
  sipT1Ms?: number;
  /** Write the world's journal to this NDJSON file. */
  journal?: string;
}

/** A fresh world for one scenario: its own ports (0), seed and, unless it asks for real time, virtual clock. */
export function startScenarioWorld(options: ScenarioWorldOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    apiPort: 0,
    sipPort: 0,
    clock: options.clock ?? 'virtual',
    seed: options.seed ?? 1,
    logLevel: 'silent',
    provisionDelayMs: options.provisionDelayMs ?? 2000,
    sipTimers: { T1: options.sipT1Ms ?? 100 },
    ...(options.apiProfile !== undefined && { apiProfile: options.apiProfile }),
    ...(options.sipQuota !== undefined && { sipQuota: options.sipQuota }),
    ...(options.quotaApproval !== undefined && { quotaApproval: options.quotaApproval }),
    ...(options.restartDelayMs !== undefined && { restartDelayMs: options.restartDelayMs }),
    ...(options.registerExpires !== undefined && { registerExpires: options.registerExpires }),
    ...(options.registerRetryMs !== undefined && { registerRetryMs: options.registerRetryMs }),
    ...(options.maxConcurrentCalls !== undefined && { maxConcurrentCalls: options.maxConcurrentCalls }),
    ...(options.rtpTimeoutMs !== undefined && { rtpTimeoutMs: options.rtpTimeoutMs }),
    ...(options.journal !== undefined && { journal: options.journal }),
  });
}
