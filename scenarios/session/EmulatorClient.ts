/** One HTTP exchange as a step sees it. */
export interface ClientResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, the text, or the bytes of a file (a WAV, a pcap). */
  body: unknown;
  text: string;
}

/**
 * Talks to an emulator (or the real API, for public steps) over HTTP: the same whether the world
 * runs in this process or elsewhere (`--base-url`).
 */
export class EmulatorClient {
  constructor(
    readonly baseUrl: string,
    /** The X-Api-Key of public API steps: one project per scenario. */
    readonly apiKey: string,
  ) {}

  async request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {}): Promise<ClientResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? this.apiKey : options.key;
    if (path.startsWith('/public') && key !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'x-api-key')) headers['X-Api-Key'] = key;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined && { body }) });
    } catch (error) {
      throw new Error(`${method} ${this.baseUrl}${path} failed: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}. Is the emulator running there?`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const text = type.includes('json') || type.startsWith('text/') ? bytes.toString('utf8') : '';
    let parsed: unknown = bytes;
    if (type.includes('json')) {
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else if (type.startsWith('text/')) parsed = text;
    else if (bytes.length === 0) parsed = undefined;
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    return { status: response.status, headers: responseHeaders, body: parsed, text };
  }

  /** A control-plane operation; a non-2xx answer throws with the emulator's description. */
  async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, `/_emulator${path}`, body === undefined ? {} : { body });
    if (res.status >= 300) {
      const description = (res.body as { description?: string } | undefined)?.description ?? res.text;
      throw new Error(`${method} /_emulator${path} answered ${res.status}: ${description}`);
    }
    return res.body as T;
  }
}
