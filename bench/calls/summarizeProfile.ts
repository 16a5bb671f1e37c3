import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** A V8 CPU profile as `node --cpu-prof` writes it (the fields we read). */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  function: string;
  /** `file:line` relative to the repository, `node:internal/...`, or empty for V8's own entries. */
  location: string;
  /** Share of the busy (non-idle) samples spent in this function itself. */
  selfPercent: number;
}

/**
 * The functions with the most self time in a CPU profile, heaviest first, from the sampled
 * stacks' leaves weighted by each sample's time. `(idle)` is left out, so the shares are of the
 * time the process was busy; `(garbage collector)` and `(program)` stay in: they are where time goes too.
 */
export function summarizeProfile(profile: CpuProfile, options: { root?: string; top?: number } = {}): ProfileEntry[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; it is the best estimate of that sample's weight.
    profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + Math.max(0, profile.timeDeltas![i + 1] ?? profile.timeDeltas![i]!)));
  } else {
    for (const node of profile.nodes) selfMs.set(node.id, node.hitCount ?? 0);
  }
  const totals = new Map<string, { entry: Omit<ProfileEntry, 'selfPercent'>; ms: number }>();
  let busy = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += ms;
    const url = frame.url.startsWith('file://') ? new URL(frame.url).pathname : frame.url;
    const file = options.root && url.startsWith('/') ? relative(options.root, url) : url;
    const location = file ? `${file}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${location}`;
    const total = totals.get(key) ?? { entry: { function: name, location }, ms: 0 };
    total.ms += ms;
    totals.set(key, total);
  }
  return [...totals.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, options.top ?? 15)
    .map(({ entry, ms }) => ({ ...entry, selfPercent: busy > 0 ? (100 * ms) / busy : 0 }));
}

export function summarizeProfileFile(file: string, options: { root?: string; top?: number } = {}): ProfileEntry[] {
  return summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, options);
}
