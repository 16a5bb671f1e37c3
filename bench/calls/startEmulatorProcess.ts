import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import type { PriorityRequest } from '../../cli/processPriority.js';
import { startProcess, type StartedProcess } from '../lib/index.js';

export interface EmulatorProcessOptions {
  /** The repository root: dist/cli/main.js is started from here. */
  root: string;
  /** Options for `omnisip start --config`, e.g. `{ maxConcurrentCalls: 1000 }`. */
  config: Record<string, unknown>;
  /** Node flags before the script, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** More `omnisip start` options, e.g. `priorityArgs(-10)`. */
  args?: string[];
  timeoutMs?: number;
}

export type EmulatorProcessResult = { ok: true; process: StartedProcess; apiUrl: string; sipPort: number } | { ok: false; reason: string };

/**
 * `--priority=<nice|realtime>` for a priority asked for, nothing otherwise: for `omnisip start` and
 * the callers alike, with `=` because parseArgs takes a lone negative value for an option.
 */
export const priorityArgs = (priority: PriorityRequest | undefined): string[] => (priority === undefined ? [] : [`--priority=${priority}`]);

/** What `omnisip start` prints once it listens: `omnisip ready: API http://127.0.0.1:4010/public ... PBX sip:127.0.0.1:5060 (UDP+TCP) ...`. */
export function parseReadyLine(line: string): { apiUrl: string; sipPort: number } | undefined {
  const match = /^omnisip ready: API (http:\/\/[^\s/]+)\/public .*PBX sip:[^:\s]+:(\d+) /.exec(line);
  return match ? { apiUrl: match[1]!, sipPort: Number(match[2]) } : undefined;
}

/**
 * `omnisip start` from the build in dist/, as a user runs it, on ephemeral API and PBX ports:
 * its own process, so that its CPU and memory can be read from /proc and are not the callers'.
 */
export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcessResult> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'omnisip-bench-calls-')), 'omnisip.yaml');
  writeFileSync(configFile, stringify({ logLevel: 'silent', provisionDelayMs: 0, ...options.config, apiPort: 0, sipPort: 0 }));
  const child = startProcess(process.execPath, [...(options.nodeFlags ?? []), join(options.root, 'dist/cli/main.js'), 'start', '--config', configFile, ...(options.args ?? [])], { cwd: options.root, stdout: 'pipe' });
  const lines = createInterface({ input: child.stdout! });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ready = await new Promise<{ apiUrl: string; sipPort: number } | string>((resolve) => {
    const timer = setTimeout(() => resolve(`no ready line within ${timeoutMs} ms`), timeoutMs);
    lines.on('line', (line) => {
      const parsed = parseReadyLine(line);
      if (!parsed) return;
      clearTimeout(timer);
      resolve(parsed);
    });
    void child.exited.then((exit) => {
      clearTimeout(timer);
      resolve(`it exited (code ${exit.code}, signal ${exit.signal})`);
    });
  });
  if (typeof ready === 'string') {
    await child.stop();
    return { ok: false, reason: `omnisip start failed: ${ready}\nits stderr:\n${child.stderrTail().trim()}` };
  }
  // Keep draining stdout so that a chatty emulator never blocks on a full pipe.
  child.stdout!.resume();
  return { ok: true, process: child, ...ready };
}
