import { join } from 'node:path';

export type ServerName = 'omnisip' | 'prism';

/** How to start one of the two servers on a given port; both serve the same openapi.yaml. */
export interface ServerUnderTest {
  /** `floor`: Node's own HTTP server with the least work (floorServer.ts), measured under load only. */
  name: ServerName | 'floor';
  command: string;
  /** `sipPort` is given when `pbx` is set. */
  args(port: number, sipPort?: number): string[];
  /** It also runs a PBX: ready means the API answers and the PBX answers OPTIONS over UDP. */
  pbx?: boolean;
}

export interface OmnisipServerOptions {
  /** High enough that the create-agent case never meets the 409 AgentLimitExceeded cap. */
  agentLimit?: number;
  /** Extra Node flags, e.g. `--cpu-prof` to profile the server under load. */
  nodeFlags?: string[];
}

/**
 * `omnisip start` from the build in dist/, node started directly (no npm or npx in between), silent,
 * with its built-in PBX as a user runs it: ready is the API answering and the PBX answering OPTIONS.
 */
export function omnisipServer(root: string, options: OmnisipServerOptions = {}): ServerUnderTest {
  const limit = options.agentLimit === undefined ? [] : ['--agent-limit', String(options.agentLimit)];
  return {
    name: 'omnisip',
    command: process.execPath,
    pbx: true,
    args: (port, sipPort) => [...(options.nodeFlags ?? []), join(root, 'dist/cli/main.js'), 'start', '--api-port', String(port), '--sip-port', String(sipPort ?? 0), '--log-level', 'silent', ...limit],
  };
}

/**
 * `prism mock openapi.yaml` with its defaults. Node runs Prism's entry script directly instead of the
 * `.bin` shim so that the PID we stop is Prism's own.
 */
export function prismServer(root: string): ServerUnderTest {
  return {
    name: 'prism',
    command: process.execPath,
    args: (port) => [join(root, 'node_modules/@stoplight/prism-cli/dist/index.js'), 'mock', join(root, 'openapi.yaml'), '--port', String(port), '--host', '127.0.0.1'],
  };
}

/** The bare-Node floor (floorServer.ts), from the benchmark's build; node started directly. */
export function floorServer(root: string): ServerUnderTest {
  return { name: 'floor', command: process.execPath, args: (port) => [join(root, 'dist/bench/api/floorServer.js'), String(port)] };
}
