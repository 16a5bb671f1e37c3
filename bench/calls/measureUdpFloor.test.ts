import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { measureUdpFloor } from './measureUdpFloor.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'omnisip-udp-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The side's source as the build compiles it, bundled so that a test needs no dist/. */
function bundledSide(): string {
  const outfile = join(dir, 'udpFloor.mjs');
  buildSync({ entryPoints: [join(root, 'bench/calls/udpFloor.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' });
  return outfile;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('measureUdpFloor', () => {
  it('exchanges 50 packets a second each way per socket between two processes, measures their CPU and stops them', async () => {
    const pids: number[] = [];
    const measured = await measureUdpFloor({ root, sockets: 40, seconds: 2, warmupSeconds: 0.5, script: bundledSide(), onStarted: (pid) => pids.push(pid) });
    expect(measured.ok, measured.ok ? '' : measured.reason).toBe(true);
    if (!measured.ok) return;
    const { result } = measured;
    // 40 sockets × 50 packets/s = 2,000/s each way; a loaded CI machine may be a little late.
    expect(result.sentPerSecond).toBeGreaterThan(1_800);
    expect(result.sentPerSecond).toBeLessThan(2_200);
    expect(result.receivedPerSecond).toBeGreaterThan(1_800);
    expect(result.cpu).toBeGreaterThan(0);
    expect(result.peerCpu).toBeGreaterThan(0);
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);

  it('says what failed when a side cannot start its sockets', async () => {
    const measured = await measureUdpFloor({ root, sockets: 4, seconds: 1, script: join(dir, 'missing.mjs') });
    expect(measured.ok).toBe(false);
    if (!measured.ok) expect(measured.reason).toMatch(/^bare-Node UDP floor: the floor's UDP process ended before binding its sockets \(stderr: .*Cannot find module/s);
  }, 30_000);
});
