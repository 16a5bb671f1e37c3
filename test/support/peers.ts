import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { createSocket } from 'node:dgram';

/**
 * Real SIP peers (SIPp, Kamailio, baresip, linphone) come from Debian: `scripts/install-peers.sh` installs
 * them. Without them the interop tests skip with one line naming that script; under CI
 * (`CI=true`) a missing peer fails the run instead, so CI can never pass by skipping.
 */
export function peerAvailable(binary: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.CI === 'true') {
    throw new Error(`${binary} is not installed, and CI=true requires the interop tests to run: run scripts/install-peers.sh`);
  }
  return found;
}

export const skipReason = (binary: string) => `${binary} not installed: run scripts/install-peers.sh to run the interop tests`;

/**
 * The ports this process handed out lately. Asked for a free port again, the kernel often offers
 * one it has just handed out and seen closed (5 to 10 times in 300 probes on this project's VM), so
 * two ports asked for one after the other, a SIP port and an API port, or SIPp's `-p` and `-mp`,
 * could be the same one, and the second bind of the peer fail. The latest 4,096 are skipped.
 */
const handedOut = new Set<number>();

/** True, and remembered, when `port` was not handed out lately by this process. */
export function takeFreshPort(port: number): boolean {
  if (handedOut.has(port)) return false;
  handedOut.add(port);
  if (handedOut.size > 4096) handedOut.delete(handedOut.values().next().value as number);
  return true;
}

/**
 * A port number free for both UDP and TCP on 127.0.0.1 right now (for peers that cannot bind port 0
 * and tell us), and not one this process handed out lately.
 */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree && takeFreshPort(port)) return port;
  }
  throw new Error('no free UDP+TCP port found on 127.0.0.1');
}

/** Resolves once something accepts TCP connections on the port (a peer's readiness), or rejects after `timeoutMs`. */
export async function waitForTcp(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`peer exited with code ${child.exitCode} before it was ready`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`peer did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PeerProcess {
  child: ChildProcess;
  output(): string;
  /** Stops the peer by its PID (its whole process group), and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a peer in its own process group so that stop() reaches its children too, by PID.
 * `stdin: true` gives it a pipe to be driven through (linphonec reads its commands there).
 */
export function startPeer(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: boolean } = {}): PeerProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-64_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-64_000)));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          resolve();
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 3000).unref();
      }),
  };
}

/** Resolves with the first match of `pattern` in the peer's output (already printed or to come); rejects on exit or timeout. */
export function waitForOutput(peer: PeerProcess, pattern: RegExp, timeoutMs = 10_000, name = 'the peer'): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const { child } = peer;
    const check = (): boolean => {
      const match = peer.output().match(pattern);
      if (match) finish(() => resolve(match));
      return match !== null;
    };
    const exited = () => finish(() => reject(new Error(`${name} exited (code ${child.exitCode}) before printing ${pattern}\n--- ${name} output ---\n${peer.output()}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\n--- ${name} output ---\n${peer.output()}`))), timeoutMs);
    // Our listener runs after startPeer's, which has already appended the chunk to output().
    const onData = () => void check();
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', exited);
      settle();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', exited);
    if (check()) return;
    if (child.exitCode !== null || child.signalCode !== null) exited();
  });
}
