import type { ApiEntry } from './entries.js';
import type { SecretRedactor } from './redact.js';

/** What the HTTP layer knows of one exchange when it records it; bodies as the text sent and received. */
export interface ApiExchange {
  api: 'public' | 'control';
  method: string;
  path: string;
  query?: string | undefined;
  operationId?: string | undefined;
  apiKey?: string | undefined;
  connectionId?: string | undefined;
  requestContentType?: string | undefined;
  requestText?: string | undefined;
  status: number;
  responseHeaders: Readonly<Record<string, string>>;
  /** JSON text of the response; undefined for no body or a body that is not JSON (a pcap, a WAV, a stream). */
  responseText?: string | undefined;
  durationMs: number;
  /** The journal's last seq when the request arrived: what came before it, not of it. */
  after: number;
}

const SECRET = /passw|secret/i;

/**
 * The bodies an entry holds, apart from it: most entries let go of them as they are recorded (a
 * successful read's), and an entry without these fields of its own is smaller to keep (bench/api).
 */
interface HeldBodies {
  requestText: string | undefined;
  requestBody: unknown;
  responseText: string | undefined;
  responseBody: unknown;
  /** The request body held is the redacted one: kept when the others go. */
  readonly requestRedacted: boolean;
  readonly secrets: SecretRedactor;
}

/**
 * An API request and its response in the journal. A request body that may hold a password is
 * redacted as it is recorded (so each password gets its number in the order it was first seen);
 * other bodies are kept as the text they were and parsed only when read, so recording costs the
 * request path nothing but an object.
 */
export class ApiExchangeEntry implements ApiEntry {
  readonly kind = 'api' as const;
  readonly api: ApiEntry['api'];
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly operationId?: string;
  readonly apiKey?: string;
  readonly connectionId?: string;
  readonly durationMs: number;
  readonly after: number;
  readonly #requestContentType: string | undefined;
  readonly #responseHeaders: Readonly<Record<string, string>>;
  readonly #status: number;
  /** Undefined when there is no body to hold, or none left. */
  #bodies: HeldBodies | undefined;
  /** The bytes of body text this entry holds until `dropBodies` (a redacted request body is always kept). */
  readonly #heldBytes: number;
  #dropped = false;

  constructor(
    readonly seq: number,
    readonly at: number,
    readonly wall: number,
    exchange: ApiExchange,
    secrets: SecretRedactor,
  ) {
    this.api = exchange.api;
    this.method = exchange.method;
    this.path = exchange.path;
    if (exchange.query) this.query = exchange.query;
    if (exchange.operationId) this.operationId = exchange.operationId;
    if (exchange.apiKey) this.apiKey = exchange.apiKey;
    if (exchange.connectionId) this.connectionId = exchange.connectionId;
    this.durationMs = Math.round(exchange.durationMs * 1000) / 1000;
    this.after = exchange.after;
    this.#requestContentType = exchange.requestContentType;
    this.#responseHeaders = exchange.responseHeaders;
    this.#status = exchange.status;
    const text = exchange.requestText;
    const responseText = exchange.responseText;
    const redacted = text !== undefined && text !== '' && SECRET.test(text);
    if (text !== undefined || responseText !== undefined) {
      this.#bodies = {
        requestText: redacted ? undefined : text,
        requestBody: redacted ? secrets.redactJsonText(text) : undefined,
        responseText,
        responseBody: undefined,
        requestRedacted: redacted,
        secrets,
      };
    }
    this.#heldBytes = (redacted ? 0 : (text?.length ?? 0)) + (responseText?.length ?? 0);
  }

  /** The bytes of body this entry still holds, for the journal's body budget. */
  get bodyBytes(): number {
    return this.#dropped ? 0 : this.#heldBytes;
  }

  /**
   * Lets go of the bodies as received and sent (not a redacted request body: those are kept), so a
   * busy API does not hold every body it ever answered; the entry says how many bytes went.
   */
  dropBodies(): void {
    if (this.#dropped || this.#heldBytes === 0) return;
    this.#dropped = true;
    const bodies = this.#bodies;
    if (bodies === undefined) return;
    if (!bodies.requestRedacted) {
      this.#bodies = undefined;
      return;
    }
    bodies.requestText = undefined;
    bodies.responseText = undefined;
    bodies.responseBody = undefined;
  }

  get request(): ApiEntry['request'] {
    const bodies = this.#bodies;
    if (bodies !== undefined && bodies.requestText !== undefined) {
      bodies.requestBody = parseBody(bodies.requestText);
      bodies.requestText = undefined;
    }
    return {
      ...(this.#requestContentType !== undefined && { contentType: this.#requestContentType }),
      ...(bodies?.requestBody !== undefined && { body: bodies.requestBody }),
    };
  }

  get response(): ApiEntry['response'] {
    const bodies = this.#bodies;
    if (bodies !== undefined && bodies.responseText !== undefined) {
      // Passwords are write-only, so no response should hold one; redacted anyway, should one ever slip in.
      const body = parseBody(bodies.responseText);
      bodies.responseBody = SECRET.test(bodies.responseText) ? bodies.secrets.redact(body) : body;
      bodies.responseText = undefined;
    }
    return {
      status: this.#status,
      headers: this.#responseHeaders,
      ...(bodies?.responseBody !== undefined && { body: bodies.responseBody }),
      ...(this.#dropped && { bodyDropped: this.#heldBytes }),
    };
  }

  toJSON(): ApiEntry {
    return { ...this, request: this.request, response: this.response };
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
