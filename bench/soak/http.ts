/** A JSON request to the emulator; reads are sent with `X-Omnisip-Journal: skip` so that watching does not fill the journal. */
export async function request(url: string, method: string, options: { apiKey?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'X-Omnisip-Journal': 'skip' };
  if (options.apiKey) headers['X-Api-Key'] = options.apiKey;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** What a failed request says, with its cause (fetch's own message is only 'fetch failed'). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${error.message} (${cause.code ?? cause.message ?? 'no cause'})` : error.message;
}
