import { describe, expect, it } from 'vitest';
import { parsePriority, schedulingOfStat, setProcessPriority, setRealtimePriority } from './processPriority.js';

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

describe('setRealtimePriority', () => {
  it('puts every thread of the process under SCHED_FIFO 10 with chrt', () => {
    const calls: Array<[string, string[]]> = [];
    expect(setRealtimePriority(4242, (command, args) => (calls.push([command, args]), { status: 0, stderr: '' }), 2)).toBeUndefined();
    expect(calls).toEqual([['chrt', ['--fifo', '--all-tasks', '--pid', '10', '4242']]]);
  });

  it('refuses on a single CPU, where its garbage collector would spin waiting for helper threads that never run', () => {
    const calls: string[] = [];
    const refused = setRealtimePriority(process.pid, (command) => (calls.push(command), { status: 0, stderr: '' }), 1)!;
    expect(refused).toMatch(/^not running at real-time priority: this process may use only 1 CPU, .*give it two CPUs or more, or ask for a nice value \(--priority -10\); running at nice -?\d+$/);
    expect(calls).toEqual([]);
    expect(setRealtimePriority(4242, () => ({ status: 0, stderr: '' }), 2)).toBeUndefined();
  });

  it('says what failed and what would let it: the privilege, or util-linux when chrt is missing', () => {
    const refused = setRealtimePriority(process.pid, () => ({ status: 1, stderr: "chrt: failed to set pid 4242's policy: Operation not permitted\n" }), 2)!;
    expect(refused).toMatch(/^could not run at real-time priority \(chrt: failed to set pid 4242's policy: Operation not permitted\); it needs root, or chrt with CAP_SYS_NICE; running at /);
    const missing = setRealtimePriority(process.pid, () => ({ error: Object.assign(new Error('spawnSync chrt ENOENT'), { code: 'ENOENT' }), status: null, stderr: '' }), 2)!;
    expect(missing).toMatch(/^could not run at real-time priority: chrt did not start \(ENOENT\); it comes with util-linux; running at /);
  });
});

describe('schedulingOfStat and parsePriority', () => {
  const stat = (nice: number, rtPriority: number, policy: number) => `4242 (node (main) x) S ${Array.from({ length: 49 }, (_, i) => (i === 15 ? nice : i === 36 ? rtPriority : i === 37 ? policy : 0)).join(' ')}`;

  it('reads the policy, real-time priority and nice value of a stat line', () => {
    expect(schedulingOfStat(stat(0, 10, 1))).toBe('SCHED_FIFO 10');
    expect(schedulingOfStat(stat(0, 5, 2))).toBe('SCHED_RR 5');
    expect(schedulingOfStat(stat(-10, 0, 0))).toBe('nice -10');
    expect(schedulingOfStat('garbage')).toBeUndefined();
  });

  it('takes realtime or a nice value from -20 to 19, nothing else', () => {
    expect(parsePriority('realtime')).toBe('realtime');
    expect(parsePriority('-20')).toBe(-20);
    expect(parsePriority('19')).toBe(19);
    for (const bad of ['20', '-21', 'high', '1.5', '']) expect(parsePriority(bad)).toBeUndefined();
  });
});
