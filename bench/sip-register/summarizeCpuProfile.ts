/** The parts of a V8 `.cpuprofile` (node --cpu-prof) that self time needs. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfileSummary {
  totalMs: number;
  /** Self time by function, largest first: `{ name, where, percent }`, `where` relative to the repository. */
  topFunctions: Array<{ name: string; where: string; percent: number }>;
  /** Self time by source file (or Node module), largest first. */
  topFiles: Array<{ where: string; percent: number }>;
}

/** `file:///…/dist/sip/x.js` → `sip/x.js`; `node:dgram` stays; V8's own entries are `(native)`. */
function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const dist = url.lastIndexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : url.replace(/^file:\/\/.*\/node_modules\//, '');
}

function top<T>(totals: Map<string, { value: number; item: T }>, total: number, count: number): Array<T & { percent: number }> {
  return [...totals.values()]
    .sort((a, b) => b.value - a.value)
    .slice(0, count)
    .map(({ value, item }) => ({ ...item, percent: Math.round((value / total) * 1000) / 10 }));
}

/**
 * Where a process spent its CPU time: self time per function and per file, from the samples of a
 * V8 CPU profile. `(garbage collector)`, `(idle)` and `(program)` are V8's own entries.
 */
export function summarizeCpuProfile(profile: CpuProfile, count = 12): CpuProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, { value: number; item: { name: string; where: string } }>();
  const files = new Map<string, { value: number; item: { where: string } }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id);
    if (frame === undefined) return;
    total += delta;
    const where = shortUrl(frame.url);
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}:${frame.lineNumber + 1}`;
    const fn = functions.get(key) ?? { value: 0, item: { name, where: frame.url === '' ? where : `${where}:${frame.lineNumber + 1}` } };
    fn.value += delta;
    functions.set(key, fn);
    const file = files.get(where) ?? { value: 0, item: { where } };
    file.value += delta;
    files.set(where, file);
  });
  if (total === 0) return { totalMs: 0, topFunctions: [], topFiles: [] };
  return { totalMs: Math.round(total / 1000), topFunctions: top(functions, total, count), topFiles: top(files, total, count) };
}
