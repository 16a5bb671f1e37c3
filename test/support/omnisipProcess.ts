import { fileURLToPath } from 'node:url';
import { startPeer, type PeerProcess } from './peers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runTypeScript = fileURLToPath(new URL('./runTypeScript.mjs', import.meta.url));

export interface OmnisipProcess extends PeerProcess {
  /** The REST API's base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  sipPort: number;
  /** Resolves when the process exits: its code or signal, and how long after `signal()` it took. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterSignalMs: number | undefined }>;
  /** Sends a signal to the process (by PID) and notes the time of the first one. */
  signal(name: NodeJS.Signals): void;
}

/**
 * `omnisip start` as a process of its own, from the sources (no build), on ephemeral ports;
 * resolves once it has printed its ready line. `stop()` kills it by PID if a test left it running.
 */
export async function startOmnisip(args: string[] = [], timeoutMs = 20_000): Promise<OmnisipProcess> {
  const peer = startPeer(process.execPath, ['--import', runTypeScript, 'cli/main.ts', 'start', '--api-port', '0', '--sip-port', '0', '--log-level', 'warn', ...args], { cwd: root });
  let signalledAt: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterSignalMs: number | undefined }>((resolve) =>
    peer.child.once('exit', (code, signal) => resolve({ code, signal, afterSignalMs: signalledAt === undefined ? undefined : performance.now() - signalledAt })),
  );
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new Error(`omnisip start did not print its ready line within ${timeoutMs} ms:\n${peer.output()}`))), timeoutMs);
    const check = () => {
      const match = /omnisip ready: API (http:\/\/\S+)\/public .*PBX sip:[^:]+:(\d+)/.exec(peer.output());
      if (match) finish(() => resolve(match));
    };
    const gone = () => finish(() => reject(new Error(`omnisip start exited before it was ready:\n${peer.output()}`)));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      peer.child.stdout?.off('data', check);
      peer.child.off('exit', gone);
      settle();
    };
    peer.child.stdout?.on('data', check);
    peer.child.once('exit', gone);
  });
  return {
    ...peer,
    url: ready[1]!,
    sipPort: Number(ready[2]),
    exited,
    signal: (name) => {
      signalledAt ??= performance.now();
      process.kill(peer.child.pid!, name);
    },
  };
}
