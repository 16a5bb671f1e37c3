import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const prismCli = join(dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')), 'dist/index.js');

export interface PrismProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly pid: number;
  /** Prism's recent console output (for failure messages). */
  output(): string;
  /** Stops the proxy by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

export interface PrismProxyOptions {
  /** The OpenAPI document to validate against, relative to the repository root. Default `openapi.yaml`. */
  document?: string;
  /** Where Prism forwards valid requests. */
  upstream: string;
  /** How long to wait for Prism's "listening" line. Default 30 s (it parses the document first). */
  startTimeoutMs?: number;
}

const readyLine = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/;
const keepChars = 20_000;

/**
 * Starts `prism proxy <document> <upstream> --errors` on 127.0.0.1 and an ephemeral port (Prism
 * accepts port 0 and prints the bound one). With `--errors`, Prism answers any exchange that
 * violates the document itself: its own problem+json for a bad request, and a 500 with an
 * `sl-violations` header for a bad response.
 */
export async function startPrismProxy(options: PrismProxyOptions): Promise<PrismProxy> {
  const document = resolve(repoRoot, options.document ?? 'openapi.yaml');
  const child = spawn(process.execPath, [prismCli, 'proxy', document, options.upstream, '--errors', '--host', '127.0.0.1', '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-keepChars);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start within ${options.startTimeoutMs ?? 30_000} ms. Its output:\n${output}`)), options.startTimeoutMs ?? 30_000);
    const onData = () => {
      const match = readyLine.exec(output);
      if (match?.[1]) {
        cleanup();
        resolveUrl(match[1]);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`Prism exited with ${code} before it was ready. Its output:\n${output}`));
    const fail = (error: Error) => {
      cleanup();
      child.kill();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    process.kill(child.pid!, 'SIGTERM');
  });
}
