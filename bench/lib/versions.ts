import { execFileSync, spawnSync } from 'node:child_process';

/** The short commit of the checkout a benchmark ran from, for its report. */
export function gitCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown commit';
  }
}

/** `SIPp v3.6.1` as `sipp -v` prints it, or undefined when sipp is not installed. */
export function sippVersion(): string | undefined {
  const run = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  return run.error ? undefined : /SIPp v[\w.-]*\w/.exec(`${run.stdout}${run.stderr}`)?.[0];
}
