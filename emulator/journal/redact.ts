/** What a redacted secret reads as: numbered per run, so equal passwords stay recognisably equal. */
export const secretPlaceholder = (n: number) => `[secret ${n}]`;

const SECRET_KEYS = /^(?:password|passwd|secret)$/i;
const MAX_DEPTH = 32;

/**
 * Replaces the values of `password` fields (at any depth) in request and response bodies. Each
 * distinct password becomes `[secret N]`, N counted per run: the journal never holds a password,
 * yet a replay can still tell that a connection and a PBX account shared one (the same N) or not.
 */
export class SecretRedactor {
  private readonly numbers = new Map<string, number>();

  /** A copy of `value` with every password replaced; the value itself when it holds none. */
  redact<T>(value: T): T {
    return this.walk(value) as T;
  }

  /** JSON text with its passwords replaced; text that is not JSON comes back as it is unless it may hold one. */
  redactJsonText(text: string): unknown {
    if (!/passw|secret/i.test(text)) return parseOrKeep(text);
    const parsed = parseOrKeep(text);
    return typeof parsed === 'string' ? '[unparseable body holding a secret: redacted]' : this.redact(parsed);
  }

  private walk(value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== 'object') return value;
    // A body nested deeper than any real one (a fuzzer's) is not worth keeping, and could hold anything.
    if (depth > MAX_DEPTH) return '[nested too deep: redacted]';
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEYS.test(key) && typeof inner !== 'object' ? this.placeholder(String(inner)) : SECRET_KEYS.test(key) && inner !== null ? '[redacted]' : this.walk(inner, depth + 1);
    }
    return out;
  }

  private placeholder(secret: string): string {
    let n = this.numbers.get(secret);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(secret, n);
    }
    return secretPlaceholder(n);
  }
}

function parseOrKeep(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
