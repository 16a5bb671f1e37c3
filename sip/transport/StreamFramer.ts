/** The default per-connection limit: a SIP message larger than this is not something we emulate. */
export const DEFAULT_MAX_BUFFER_SIZE = 256 * 1024;

export interface FramerResult {
  /** Complete messages, in arrival order. */
  messages: Buffer[];
  /** Set when the stream can no longer be framed; the caller must close the connection (RFC 3261 §18.3). */
  error?: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;
const CONTENT_LENGTH_LINE = /^(?:content-length|l)[ \t]*:(.*)$/gim;

/**
 * Cuts a TCP byte stream into SIP messages. Headers end at CRLFCRLF and the body is exactly
 * Content-Length bytes (RFC 3261 §18.3: on a stream, Content-Length MUST be present).
 * CRLFs before a start line are skipped, which also ignores RFC 5626 §3.5.1 CRLFCRLF keep-alive
 * pings; we do not answer them with a pong (that answer is optional).
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private failed: string | undefined;

  constructor(private readonly maxBufferSize = DEFAULT_MAX_BUFFER_SIZE) {}

  /** Bytes received but not yet part of a complete message. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): FramerResult {
    if (this.failed !== undefined) return { messages: [], error: this.failed };
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      this.skipLeadingLineBreaks();
      if (this.buffer.length === 0) break;
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        if (this.buffer.length > this.maxBufferSize) return this.fail(messages, `headers exceed ${this.maxBufferSize} bytes`);
        break;
      }
      const length = readContentLength(this.buffer.subarray(0, headerEnd).toString('latin1'));
      if (typeof length === 'string') return this.fail(messages, length);
      const total = headerEnd + HEADER_END.length + length;
      if (total > this.maxBufferSize) return this.fail(messages, `message of ${total} bytes exceeds the ${this.maxBufferSize}-byte limit`);
      if (this.buffer.length < total) break;
      // Copy so that a retained message does not pin the whole receive buffer.
      messages.push(Buffer.from(this.buffer.subarray(0, total)));
      this.buffer = this.buffer.subarray(total);
    }
    return { messages };
  }

  private skipLeadingLineBreaks(): void {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === CR || this.buffer[start] === LF)) start++;
    if (start > 0) this.buffer = this.buffer.subarray(start);
  }

  private fail(messages: Buffer[], error: string): FramerResult {
    this.failed = error;
    this.buffer = Buffer.alloc(0);
    return { messages, error };
  }
}

/** The body length from a header block, or an error string when it is missing, malformed or contradictory. */
function readContentLength(headers: string): number | string {
  let length: number | undefined;
  for (const match of headers.matchAll(CONTENT_LENGTH_LINE)) {
    const text = (match[1] ?? '').trim();
    if (!/^\d{1,9}$/.test(text)) return `invalid Content-Length "${text}"`;
    const value = Number(text);
    if (length !== undefined && length !== value) return 'conflicting Content-Length headers';
    length = value;
  }
  return length ?? 'missing Content-Length on a stream transport (RFC 3261 §18.3)';
}
