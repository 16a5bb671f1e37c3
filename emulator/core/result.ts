import type { ApiFailure } from './errors.js';

/** Expected failures travel as values (STYLE.md §9); only programmer errors throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

export const success = <T>(value: T): Result<T> => ({ ok: true, value });
export const failed = <T = never>(error: ApiFailure): Result<T> => ({ ok: false, error });
