/**
 * The `Digest k=v, k="v"` syntax shared by WWW-Authenticate and Authorization
 * (RFC 3261 §25.1 challenge / credentials, RFC 7616 §3.3-3.4). Total: never throws.
 */

export interface AuthParam {
  value: string;
  quoted: boolean;
}

const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/;

/**
 * Parses `Digest name=value, ...` into a map keyed by lower-case name. Returns undefined when the
 * scheme is not Digest, the syntax is broken, or a parameter repeats (RFC 7616 §3.3: each at most once).
 */
export function parseDigestParams(headerValue: string): Map<string, AuthParam> | undefined {
  const text = headerValue.trim();
  const scheme = /^digest(?:\s+|$)/i.exec(text);
  if (scheme === null) return undefined;
  const params = new Map<string, AuthParam>();
  let i = scheme[0].length;
  const skip = (chars: RegExp) => {
    while (i < text.length && chars.test(text.charAt(i))) i++;
  };
  skip(/[\s,]/);
  while (i < text.length) {
    const nameStart = i;
    while (i < text.length && TOKEN_CHAR.test(text.charAt(i))) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name === '') return undefined;
    skip(/\s/);
    if (text.charAt(i) !== '=') return undefined;
    i++;
    skip(/\s/);
    let value = '';
    let quoted = false;
    if (text.charAt(i) === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        const ch = text.charAt(i++);
        if (ch === '"') break;
        value += ch === '\\' ? text.charAt(i++) : ch;
      }
    } else {
      const valueStart = i;
      while (i < text.length && TOKEN_CHAR.test(text.charAt(i))) i++;
      value = text.slice(valueStart, i);
      if (value === '') return undefined;
    }
    if (params.has(name)) return undefined;
    params.set(name, { value, quoted });
    skip(/\s/);
    if (i < text.length && text.charAt(i) !== ',') return undefined;
    skip(/[\s,]/);
  }
  return params;
}

/** `"value"` with `"` and `\` escaped. */
export function quoteParam(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
