/**
 * How long a SIPp run took, from its final statistics screen: "Current Time" minus "Start Time",
 * both printed with a Unix timestamp (`2026-11-24 20:25:53.193448 1795551953.193448`). SIPp's own
 * "Elapsed Time" row is useless here: the final screen prints it since the last periodic reset.
 * Undefined when the screen is missing (SIPp could not run).
 */
export function sippDurationSeconds(output: string): number | undefined {
  const screen = output.slice(output.lastIndexOf('Statistics Screen'));
  const stamp = (label: string) => {
    const match = new RegExp(`${label}\\s*\\|[^|\\n]*?(\\d+\\.\\d+)\\s*(?:\\n|$)`).exec(screen);
    return match ? Number(match[1]) : undefined;
  };
  const start = stamp('Start Time');
  const end = stamp('Current Time');
  return start === undefined || end === undefined || end < start ? undefined : end - start;
}
