import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startProcess, type StartedProcess } from '../lib/index.js';
import { cpuShare, readProcessUsage } from './processUsage.js';

/**
 * The bare-Node floor under the emulator's CPU for concurrent calls, measured on this machine in
 * this run: two processes (udpFloor.ts) exchanging the concurrent-call benchmark's packets, one
 * socket per call on each side, 50 packets a second each way per socket, sent 10 sockets a
 * millisecond as the emulator's pacer sends 200 calls. No RTP, no audio, no SIP: what the sockets,
 * the system calls and the wake-ups cost Node here. With one socket per call and its sends spread
 * so, the emulator cannot use less than that for the same packets; its CPU divided by this is what
 * its own work costs, read the same way on any machine.
 */
export interface UdpFloorResult {
  /** Sockets on each side (one per call). */
  sockets: number;
  seconds: number;
  /** CPU of the side that stands for the emulator, as a share of one core (/proc, over the window). */
  cpu: number;
  /** CPU of the other side (standing for the callers). */
  peerCpu: number;
  /** Packets the first side sent and received per second over the window. */
  sentPerSecond: number;
  receivedPerSecond: number;
}

export interface UdpFloorOptions {
  root: string;
  sockets: number;
  seconds: number;
  /** Seconds of sending before the window opens (default 2). */
  warmupSeconds?: number;
  frameMs?: number;
  /** The side's script (default: the build's dist/bench/calls/udpFloor.js). */
  script?: string;
  /** Told each side's PID once it runs (tests check that both are gone after). */
  onStarted?: (pid: number) => void;
}

interface Side {
  process: StartedProcess;
  lines: AsyncIterator<string>;
}

async function nextJson<T>(side: Side, what: string): Promise<T> {
  const next = await side.lines.next();
  if (next.done) throw new Error(`the floor's UDP process ended before ${what} (stderr: ${side.process.stderrTail().trim() || 'none'})`);
  return JSON.parse(next.value) as T;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function measureUdpFloor(options: UdpFloorOptions): Promise<{ ok: true; result: UdpFloorResult } | { ok: false; reason: string }> {
  const frameMs = options.frameMs ?? 20;
  const start = (): Side => {
    const child = startProcess(process.execPath, [options.script ?? join(options.root, 'dist/bench/calls/udpFloor.js'), '--sockets', String(options.sockets), '--frame-ms', String(frameMs)], { cwd: options.root, stdout: 'pipe', stdin: 'pipe' });
    options.onStarted?.(child.pid);
    return { process: child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
  };
  const sides = [start(), start()] as const;
  try {
    const [a, b] = await Promise.all(sides.map((side) => nextJson<{ ports: number[] }>(side, 'binding its sockets')));
    sides[0].process.stdin!.write(`${JSON.stringify(b!.ports)}\n`);
    sides[1].process.stdin!.write(`${JSON.stringify(a!.ports)}\n`);
    await sleep((options.warmupSeconds ?? 2) * 1000);
    const ask = (side: Side, line: string) => {
      side.process.stdin!.write(`${line}\n`);
      return nextJson<{ sent: number; received: number }>(side, `answering '${line}'`);
    };
    const first = await ask(sides[0], 'count');
    const usage = sides.map((side) => readProcessUsage(side.process.pid));
    const at = performance.now();
    await sleep(options.seconds * 1000);
    const after = sides.map((side) => readProcessUsage(side.process.pid));
    const wall = (performance.now() - at) / 1000;
    const last = await ask(sides[0], 'stop');
    sides[1].process.stdin!.write('stop\n');
    return {
      ok: true,
      result: {
        sockets: options.sockets,
        seconds: wall,
        cpu: cpuShare(usage[0]!, after[0]!, wall),
        peerCpu: cpuShare(usage[1]!, after[1]!, wall),
        sentPerSecond: (last.sent - first.sent) / wall,
        receivedPerSecond: (last.received - first.received) / wall,
      },
    };
  } catch (error) {
    return { ok: false, reason: `bare-Node UDP floor: ${(error as Error).message}` };
  } finally {
    await Promise.all(sides.map((side) => side.process.stop({ graceMs: 2000 })));
  }
}
