import { isToken, splitList } from './grammar.js';
import { canonicalHeaderName, headerKey, isListHeader } from './headerNames.js';

interface HeaderLine {
  /** canonical spelling for known headers, as written for unknown ones */
  name: string;
  /** lower case, compact form expanded */
  key: string;
  value: string;
}

/**
 * The header lines of a SIP message, in order.
 *
 * Names are case-insensitive and compact forms are aliases (`v` is Via, `i` is Call-ID). Each line
 * is kept as one entry; list headers (Via, Route, Contact, Supported, ...) are split on commas
 * outside quotes and `<>` by `get`/`getAll`, other headers (WWW-Authenticate, Date, unknown ones)
 * are returned whole.
 *
 * @example
 * const h = new SipHeaders([['v', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2']]);
 * h.get('Via');      // 'SIP/2.0/UDP a;branch=z9hG4bK1'
 * h.removeFirst('Via');
 * h.entries();       // [['Via', 'SIP/2.0/UDP b;branch=z9hG4bK2']]
 */
export class SipHeaders {
  #lines: HeaderLine[] = [];

  /** Lines are added in the order given (no regrouping), as a parser needs. */
  constructor(entries?: Iterable<readonly [string, string | number]>) {
    if (entries !== undefined) {
      for (const [name, value] of entries) this.#lines.push(makeLine(name, value));
    }
  }

  /**
   * Headers from lines a parser has already checked: each name a token, no CR or LF in a value
   * (parseMessage's readHeaders). Skips makeLine's checks, which would repeat them per line.
   */
  static fromCheckedLines(entries: ReadonlyArray<readonly [string, string]>): SipHeaders {
    const headers = new SipHeaders();
    for (const [name, value] of entries) headers.#lines.push({ name: canonicalHeaderName(name), key: headerKey(name), value });
    return headers;
  }

  /** The first value: for list headers the first element, else the first line. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    const list = isListHeader(key);
    for (const line of this.#lines) {
      if (line.key !== key) continue;
      if (!list) return line.value;
      // Most list lines hold one element (one Via, one Contact): no comma, nothing to split.
      if (!line.value.includes(',')) {
        if (line.value !== '') return line.value;
        continue;
      }
      const first = splitList(line.value)[0];
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** Every value: list headers split into elements, other headers one value per line. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const values: string[] = [];
    for (const line of this.#lines) {
      if (line.key !== key) continue;
      if (list) values.push(...splitList(line.value));
      else values.push(line.value);
    }
    return values;
  }

  /** How many lines that header has. */
  count(name: string): number {
    const key = headerKey(name);
    let lines = 0;
    for (const line of this.#lines) if (line.key === key) lines++;
    return lines;
  }

  /** The raw value of each line of that header, unsplit. */
  getLines(name: string): string[] {
    const key = headerKey(name);
    return this.#lines.filter((l) => l.key === key).map((l) => l.value);
  }

  /** Replaces all lines of that header by one line, at the position of the first existing line. */
  set(name: string, value: string | number): void {
    const line = makeLine(name, value);
    const index = this.#lines.findIndex((l) => l.key === line.key);
    if (index === -1) {
      this.#lines.push(line);
      return;
    }
    this.#lines = this.#lines.filter((l, i) => i === index || l.key !== line.key);
    this.#lines[this.#lines.findIndex((l) => l.key === line.key)] = line;
  }

  /** Adds a line after the last line of that header, or at the end of the message. */
  append(name: string, value: string | number): void {
    const line = makeLine(name, value);
    const index = this.#findLastIndex(line.key);
    if (index === -1) this.#lines.push(line);
    else this.#lines.splice(index + 1, 0, line);
  }

  /** Adds a line before the first line of that header (a new top Via or Record-Route), or at the top of the message. */
  prepend(name: string, value: string | number): void {
    const line = makeLine(name, value);
    const index = this.#lines.findIndex((l) => l.key === line.key);
    this.#lines.splice(index === -1 ? 0 : index, 0, line);
  }

  remove(name: string): void {
    const key = headerKey(name);
    this.#lines = this.#lines.filter((l) => l.key !== key);
  }

  /** Drops the first value: for list headers the first element (the top Via, the top Route), else the first line. */
  removeFirst(name: string): void {
    const key = headerKey(name);
    const list = isListHeader(key);
    for (let i = 0; i < this.#lines.length; i++) {
      const line = this.#lines[i];
      if (line === undefined || line.key !== key) continue;
      const elements = list ? splitList(line.value) : [];
      if (elements.length > 1) {
        line.value = elements.slice(1).join(', ');
        return;
      }
      this.#lines.splice(i, 1);
      // An empty list line holds no value, so keep looking for the first real one.
      if (!list || elements.length === 1) return;
      i--;
    }
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#lines.some((l) => l.key === key);
  }

  /** One entry per line, in order, with canonical names. */
  entries(): Array<[string, string]> {
    return this.#lines.map((l) => [l.name, l.value]);
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.#lines = this.#lines.map((l) => ({ ...l }));
    return copy;
  }

  /** JSON.stringify of a message (traces, snapshots) shows the header lines, not `{}`. */
  toJSON(): Array<[string, string]> {
    return this.entries();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SipHeaders ${JSON.stringify(this.entries())}`;
  }

  #findLastIndex(key: string): number {
    for (let i = this.#lines.length - 1; i >= 0; i--) {
      if (this.#lines[i]?.key === key) return i;
    }
    return -1;
  }
}

function makeLine(name: string, value: string | number): HeaderLine {
  if (!isToken(name)) throw new TypeError(`SipHeaders: invalid header name ${JSON.stringify(name)}`);
  const text = String(value);
  // A CR or LF in a value would let a caller inject header lines into the serialized message.
  if (/[\r\n]/.test(text)) throw new TypeError(`SipHeaders: header ${name} value contains CR or LF`);
  return { name: canonicalHeaderName(name), key: headerKey(name), value: text.trim() };
}
