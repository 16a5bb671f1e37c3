import { describe, expect, it } from 'vitest';
import { setProcessPriority } from './processPriority.js';

const denied = (code: string) => () => {
  throw Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${code}`), { code: 'ERR_SYSTEM_ERROR', info: { code } });
};

describe('setProcessPriority', () => {
  it('sets the priority of this process and says nothing', () => {
    const calls: Array<[number, number]> = [];
    expect(setProcessPriority(-10, (pid, nice) => void calls.push([pid, nice]))).toBeUndefined();
    expect(calls).toEqual([[0, -10]]);
  });

  it('says why it could not, what would let it, and the priority the emulator keeps', () => {
    const warning = setProcessPriority(-10, denied('EACCES'), () => 0)!;
    expect(warning).toContain('could not set the process priority to -10 (EACCES)');
    expect(warning).toContain('needs root or CAP_SYS_NICE (e.g. sudo setcap cap_sys_nice+ep "$(command -v node)")');
    expect(warning).toMatch(/running at priority 0$/);
    // Lowering one's own priority needs no privilege, so a failure there has another cause: no such hint.
    expect(setProcessPriority(5, denied('ESRCH'), () => 0)).toBe('could not set the process priority to 5 (ESRCH); running at priority 0');
  });
});
