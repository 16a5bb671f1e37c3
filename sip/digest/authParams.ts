/**
 * The `Digest k=v, k="v"` syntax shared by WWW-Authenticate and Authorization
 * (RFC 3261 §25.1 challenge / credentials, RFC 7616 §3.3-3.4). Total: never throws.
 */

export interface AuthParam {
  value: string;
  quoted: boolean;
}

/** RFC 3261 §25.1 token characters, by character code. */
const TOKEN_CHARS = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") TOKEN_CHARS[ch.charCodeAt(0)] = 1;
const isTokenCode = (code: number): boolean => code < 128 && TOKEN_CHARS[code] === 1;
const isSpaceCode = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/**
 * Parses `Digest name=value, ...` into a map keyed by lower-case name. Returns undefined when the
 * scheme is not Digest, the syntax is broken, or a parameter repeats (RFC 7616 §3.3: each at most once).
 * Read by character code, and a quoted value is sliced out whole where it has no escapes: a
 * registrar reads one of these per REGISTER, and building values a character at a time made a
 * string per character (6.7 KB of garbage per REGISTER).
 */
export function parseDigestParams(headerValue: string): Map<string, AuthParam> | undefined {
  const text = headerValue.trim();
  const scheme = /^digest(?:\s+|$)/i.exec(text);
  if (scheme === null) return undefined;
  const params = new Map<string, AuthParam>();
  const end = text.length;
  let i = scheme[0].length;
  const skipSpace = (): void => {
    while (i < end && isSpaceCode(text.charCodeAt(i))) i++;
  };
  const skipSpaceAndCommas = (): void => {
    while (i < end && (isSpaceCode(text.charCodeAt(i)) || text.charCodeAt(i) === COMMA)) i++;
  };
  skipSpaceAndCommas();
  while (i < end) {
    const nameStart = i;
    while (i < end && isTokenCode(text.charCodeAt(i))) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name === '') return undefined;
    skipSpace();
    if (text.charCodeAt(i) !== 61 /* = */) return undefined;
    i++;
    skipSpace();
    let value = '';
    let quoted = false;
    if (text.charCodeAt(i) === QUOTE) {
      quoted = true;
      i++;
      let from = i;
      for (;;) {
        if (i >= end) return undefined;
        const code = text.charCodeAt(i);
        if (code === QUOTE) {
          value += text.slice(from, i);
          i++;
          break;
        }
        if (code === BACKSLASH) {
          // quoted-pair: the next character stands for itself.
          value += text.slice(from, i) + text.charAt(i + 1);
          i += 2;
          from = i;
          continue;
        }
        i++;
      }
    } else {
      const valueStart = i;
      while (i < end && isTokenCode(text.charCodeAt(i))) i++;
      value = text.slice(valueStart, i);
      if (value === '') return undefined;
    }
    if (params.has(name)) return undefined;
    params.set(name, { value, quoted });
    skipSpace();
    if (i < end && text.charCodeAt(i) !== COMMA) return undefined;
    skipSpaceAndCommas();
  }
  return params;
}

/** `"value"` with `"` and `\` escaped. */
export function quoteParam(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
