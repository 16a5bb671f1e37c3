import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpTcpPort, startPeer } from './peers.js';

export const scenarioPath = (name: string) => fileURLToPath(new URL(`../sipp/${name}`, import.meta.url));

export interface SippRun {
  /** 0: every call succeeded; 1: at least one failed; other values: SIPp could not run (see output). */
  exitCode: number | null;
  successful: number;
  failed: number;
  output: string;
}

export interface SippOptions {
  /** `host:port` of the SIP server under test. */
  target: string;
  scenario: string;
  /** Injection file rows (without the SEQUENTIAL header), fields separated by `;`. */
  rows?: string[];
  transport: 'UDP' | 'TCP';
  calls?: number;
  /** Calls per second. */
  rate?: number;
  /** Simultaneous calls limit. */
  limit?: number;
  /** Percentage of packets SIPp drops (its -lost option). */
  lost?: number;
  timeoutSeconds?: number;
  /** SIPp's own SIP port; default a free one. */
  localPort?: number;
  extraArgs?: string[];
}

/**
 * Runs SIPp as a child process (asynchronously: the emulator under test shares this event loop)
 * and waits for it to exit; its final statistics give the successful and failed call counts.
 */
export async function runSipp(options: SippOptions): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-sipp-'));
  const args = [options.target, '-sf', options.scenario, '-i', '127.0.0.1', '-p', String(options.localPort ?? (await freeUdpTcpPort())), '-t', options.transport === 'UDP' ? 'u1' : 't1', '-m', String(options.calls ?? 1), '-nostdin', '-timeout', `${options.timeoutSeconds ?? 30}s`, '-timeout_error', '-trace_stat', '-stf', join(dir, 'stats.csv'), '-trace_err', '-error_file', join(dir, 'errors.log')];
  if (options.rows) {
    const csv = join(dir, 'users.csv');
    writeFileSync(csv, `SEQUENTIAL\n${options.rows.join('\n')}\n`);
    args.push('-inf', csv);
  }
  if (options.rate) args.push('-r', String(options.rate));
  if (options.limit) args.push('-l', String(options.limit));
  if (options.lost) args.push('-lost', String(options.lost));
  args.push(...(options.extraArgs ?? []));
  const peer = startPeer('sipp', args, { cwd: dir });
  const exitCode = await new Promise<number | null>((resolve) => peer.child.once('exit', (code) => resolve(code)));
  const output = peer.output();
  const count = (label: string) => {
    const match = new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(output);
    return match ? Number(match[1]) : 0;
  };
  return { exitCode, successful: count('Successful call'), failed: count('Failed call'), output };
}
