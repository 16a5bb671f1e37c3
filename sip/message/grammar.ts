/**
 * Small lexical helpers shared by the header parsers (RFC 3261 §25.1 basic rules).
 * Every function here is total: it returns a value for any input and never throws.
 */

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Splits `text` on `separator` wherever it is outside a quoted string and outside `<...>`.
 * Backslash escapes inside quotes are honoured, so `"a\",b"` stays whole. Linear time.
 */
export function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let inQuotes = false;
  let angleDepth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuotes = false;
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === '<') {
      angleDepth++;
    } else if (ch === '>') {
      if (angleDepth > 0) angleDepth--;
    } else if (ch === separator && angleDepth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Comma-separated header list elements (RFC 3261 §7.3.1), trimmed, empty elements dropped. */
export function splitList(value: string): string[] {
  const elements: string[] = [];
  for (const part of splitOutside(value, ',')) {
    const trimmed = part.trim();
    if (trimmed !== '') elements.push(trimmed);
  }
  return elements;
}

/**
 * Reads a quoted-string starting at `text[start] === '"'`.
 * Returns the unescaped content and the index just past the closing quote, or undefined if unterminated.
 */
export function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  // Runs without escapes are sliced whole, not added a character (and a string) at a time.
  let value = '';
  let from = start + 1;
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 92 /* \\ */) {
      if (i + 1 >= text.length) return undefined;
      value += text.slice(from, i) + text.charAt(i + 1);
      i++;
      from = i + 1;
    } else if (code === 34 /* " */) {
      return { value: value + text.slice(from, i), end: i + 1 };
    }
  }
  return undefined;
}

/** Wraps `value` in double quotes, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Removes surrounding quotes (and escapes) if present, else returns the trimmed text. */
export function unquote(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('"')) {
    const q = readQuoted(trimmed, 0);
    if (q !== undefined && q.end === trimmed.length) return q.value;
  }
  return trimmed;
}

/**
 * Parses `;name=value;flag` parameters (the text after the first `;`, or the whole text if it
 * starts with `;`). Names and values are kept verbatim (values keep their quotes), only trimmed of
 * the LWS that RFC 3261 allows around `;` and `=`. Returns undefined on an empty parameter name.
 */
export function parseParams(text: string): Record<string, string | null> | undefined {
  const params: Record<string, string | null> = {};
  const body = text.trim();
  if (body === '') return params;
  if (!body.startsWith(';')) return undefined;
  const parts = splitOutside(body.slice(1), ';');
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (name === '' || !isToken(name)) return undefined;
    const value = eq === -1 ? null : part.slice(eq + 1).trim();
    if (value !== null && value === '') return undefined;
    // Prototype keys would otherwise corrupt the record; a real peer never sends them.
    if (name === '__proto__') return undefined;
    params[name] = value;
  }
  return params;
}

/** Formats parameters as `;name=value;flag`. */
export function formatParams(params: Record<string, string | null>): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) {
    out += value === null ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}

/**
 * A copy of `text` that refers to nothing else, for a string kept long (a key held for 32 s, a cache
 * entry). A concatenation of slices of a message is kept by V8 as a tree over the message's text;
 * slicing a concatenation makes V8 write it out flat first, and the slice then refers to that flat
 * copy alone (a third of the cost of a round trip through a Buffer). emulator/core has its twin,
 * for the layers that must not load the SIP layer.
 */
export function flatCopy(text: string): string {
  return ` ${text}`.slice(1);
}
