import os from 'node:os';

/**
 * Sets this process's scheduling priority to `nice` (-20 highest, 19 lowest) for `--priority`, as
 * Asterisk's `-p` and FreeSWITCH's `-rp` raise theirs: a media process that waits for a CPU sends
 * its RTP late, and on a busy machine (a CI runner, a VM whose kernel threads hold a CPU for
 * milliseconds at a time) a higher priority lets it run first. The priority is the main thread's,
 * where the packets are paced and sent; threads started later inherit it.
 *
 * Returns undefined when set, or a warning that says why not and what to do: going below 0 needs
 * root or CAP_SYS_NICE, and the emulator then runs on at the priority it has.
 */
export function setProcessPriority(nice: number, set: (pid: number, priority: number) => void = os.setPriority, get: (pid: number) => number = os.getPriority): string | undefined {
  try {
    set(0, nice);
    return undefined;
  } catch (error) {
    // Node's SystemError keeps the errno's name (EACCES) in info; its own code is ERR_SYSTEM_ERROR.
    const code = (error as { info?: { code?: string } }).info?.code ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const current = get(0);
    const hint = nice < current ? '; a priority above the one it has needs root or CAP_SYS_NICE (e.g. sudo setcap cap_sys_nice+ep "$(command -v node)")' : '';
    return `could not set the process priority to ${nice} (${code})${hint}; running at priority ${current}`;
  }
}
