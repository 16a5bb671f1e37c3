/**
 * A small JSONPath: `$`, `.name`, `['name']`, `[0]`, `[-1]` and `.length` of arrays and strings,
 * which is what scenario captures and body assertions need. Returns `undefined` for a path that
 * leads nowhere.
 *
 * @example
 * jsonPath({ items: [{ id: 'a' }] }, '$.items[0].id'); // 'a'
 */
export function jsonPath(value: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || current === undefined) return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment < 0 ? current.length + segment : segment];
    } else if (segment === 'length' && (Array.isArray(current) || typeof current === 'string')) {
      current = current.length;
    } else if (typeof current === 'object' && !Array.isArray(current)) {
      current = Object.prototype.hasOwnProperty.call(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

export function parseJsonPath(path: string): Array<string | number> {
  if (!path.startsWith('$')) throw new SyntaxError(`a JSONPath starts with $, got ${JSON.stringify(path)} (e.g. $.id or $.items[0].status)`);
  const segments: Array<string | number> = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(-?\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 1;
  while (at < path.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(path);
    if (!m) throw new SyntaxError(`cannot read JSONPath ${JSON.stringify(path)} at ${JSON.stringify(path.slice(at))} (use .name, [0] or ['name'])`);
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!));
    at = pattern.lastIndex;
  }
  return segments;
}
