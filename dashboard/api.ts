/**
 * The dashboard's requests: the control API only (never the public API, whose fault rules and
 * journal belong to the user's tests). Reads carry `X-Omnisip-Journal: skip`, so looking at the
 * emulator leaves no trace in its journal; changes (a fault rule added from the form, a reset)
 * are recorded like any other.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = method === 'GET' ? { 'X-Omnisip-Journal': 'skip' } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (parsed ?? {}) as { code?: string; description?: string };
    throw new ApiError(response.status, error.code ?? 'HttpError', error.description ?? `${method} ${path} answered ${response.status}`);
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => send<T>('GET', path);
export const post = <T>(path: string, body?: unknown): Promise<T> => send<T>('POST', path, body);
export const del = (path: string): Promise<void> => send<void>('DELETE', path);

/** A read that may not exist on this emulator (404 RouteNotFound): undefined instead of an error. */
export async function getIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Bytes of a file the control API serves (a recording), read without a journal entry. */
export async function getBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: { 'X-Omnisip-Journal': 'skip' } });
  if (!response.ok) {
    const error = (await response.json().catch(() => ({}))) as { code?: string; description?: string };
    throw new ApiError(response.status, error.code ?? 'HttpError', error.description ?? `GET ${path} answered ${response.status}`);
  }
  return response.blob();
}
