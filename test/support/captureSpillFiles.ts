import { existsSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The capture spill files this process holds open (emulator/store/CaptureSpillFile), each as the
 * link /proc shows (`…/omnisip-capture-<pid>-<hex> (deleted)`) and a path that still reads it;
 * undefined where there is no /proc to ask.
 */
export function captureSpillFiles(): Array<{ target: string; path: string }> | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    const path = `/proc/self/fd/${fd}`;
    try {
      const target = readlinkSync(path);
      return target.includes('omnisip-capture-') ? [{ target, path }] : [];
    } catch {
      // The directory's own descriptor, closed by the time it is read.
      return [];
    }
  });
}
