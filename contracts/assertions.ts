import assert from 'node:assert/strict';
import type { ContractContext, ContractResponse } from './types.js';

export type JsonObject = Record<string, unknown>;

const show = (res: ContractResponse) => `${res.status} ${res.text.length > 400 ? `${res.text.slice(0, 400)}…` : res.text}`;

/** Asserts `value` is a JSON object (not an array, not null) and returns it. */
export function asObject(value: unknown, what: string): JsonObject {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} must be a JSON object, got ${JSON.stringify(value)}`);
  return value as JsonObject;
}

/**
 * A success whose exact status the docs do not show: omnisip's assumed status when strict,
 * any 2xx otherwise (api-facts.md conflict 1: clients should accept any 2xx).
 */
export function assertSuccess(ctx: ContractContext, res: ContractResponse, assumedStatus: number, what: string): void {
  if (ctx.strict) assert.equal(res.status, assumedStatus, `${what}: expected ${assumedStatus}, got ${show(res)}`);
  else assert.ok(res.status >= 200 && res.status < 300, `${what}: expected a 2xx, got ${show(res)}`);
}

/** A 2xx with a JSON object body (omnisip answers 200), returned. */
export function successObject(ctx: ContractContext, res: ContractResponse, what: string): JsonObject {
  assertSuccess(ctx, res, 200, what);
  return asObject(res.body, `${what}: the body`);
}

/** A deletion: 204 with no body when strict; 200 or 204 otherwise (conflict 1). */
export function assertDeleted(ctx: ContractContext, res: ContractResponse, what: string): void {
  assertSuccess(ctx, res, 204, what);
  if (ctx.strict) assert.equal(res.text, '', `${what}: a 204 has no body, got ${show(res)}`);
}

function assertEnvelope(ctx: ContractContext, body: unknown, what: string): JsonObject {
  const error = asObject(body, `${what}: the error body`);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'description', 'numericType', 'type'], `${what}: the error body must be exactly {code, description, type, numericType}, got ${JSON.stringify(error)}`);
  assert.ok(typeof error.code === 'string' && error.code.length > 0, `${what}: 'code' must be a non-empty string, got ${JSON.stringify(error.code)}`);
  assert.ok(typeof error.description === 'string' && error.description.trim().length > 0, `${what}: 'description' must say what went wrong, got ${JSON.stringify(error.description)}`);
  assert.ok(Number.isInteger(error.numericType), `${what}: 'numericType' must be an integer, got ${JSON.stringify(error.numericType)}`);
  // The reference page shows a string type and the concrete examples a number (conflict 3).
  if (ctx.strict) assert.equal(error.type, error.numericType, `${what}: 'type' repeats 'numericType' (omnisip's choice)`);
  else assert.ok(Number.isInteger(error.type) || typeof error.type === 'string', `${what}: 'type' must be an integer or a string, got ${JSON.stringify(error.type)}`);
  return error;
}

/**
 * An error answer: the exact status, and the documented envelope `{code, description, type,
 * numericType}`. Strict runs also check omnisip's code; lenient runs accept an array of
 * envelopes (seen on the live API for business-rule errors, conflict 4) and any 401 body
 * (undocumented, conflict 5).
 */
export function assertError(ctx: ContractContext, res: ContractResponse, status: number, code: string | undefined, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${show(res)}`);
  if (!ctx.strict && status === 401) return;
  if (!ctx.strict && Array.isArray(res.body)) {
    assert.ok(res.body.length > 0, `${what}: an error array must not be empty`);
    for (const item of res.body) assertEnvelope(ctx, item, what);
    return;
  }
  const error = assertEnvelope(ctx, res.body, what);
  if (ctx.strict && code !== undefined) assert.equal(error.code, code, `${what}: expected code ${code}, got ${JSON.stringify(error)}`);
  if (ctx.strict) assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what}: errors are JSON`);
}

/** Unix epoch seconds, an integer close to this machine's clock (looser against a remote API). */
export function assertEpochSecondsNear(ctx: ContractContext, value: unknown, what: string): void {
  assert.ok(Number.isInteger(value), `${what} must be integer Unix seconds, got ${JSON.stringify(value)}`);
  const toleranceSeconds = ctx.target === 'emulator' ? 120 : 900;
  const now = Date.now() / 1000;
  assert.ok(Math.abs((value as number) - now) <= toleranceSeconds, `${what} must be Unix seconds near now (${Math.round(now)}), got ${String(value)}`);
}

/** Ids are strings with the docs' type prefix (strict), or at least non-empty strings (lenient). */
export function assertId(ctx: ContractContext, value: unknown, prefix: string, what: string): string {
  assert.ok(typeof value === 'string' && value.length > 0, `${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (ctx.strict) assert.match(value, new RegExp(`^${prefix}_[a-z0-9]{20,}$`), `${what} must be '${prefix}_' and a random part`);
  return value;
}

/** No `password` field anywhere in a response body, whatever its value. */
export function assertNoPasswordField(value: unknown, what: string, path = ''): void {
  if (Array.isArray(value)) value.forEach((item, i) => assertNoPasswordField(item, what, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      assert.ok(key.toLowerCase() !== 'password', `${what} has a '${path ? `${path}.` : ''}${key}' field: passwords are never returned`);
      assertNoPasswordField(child, what, path ? `${path}.${key}` : key);
    }
  }
}

/** The list envelope `{items, filteredCount, totalCount, pageIndex, pageSize}` (0-based pages). */
export function assertPage(res: ContractResponse, what: string, expected: { pageIndex?: number; pageSize?: number } = {}): JsonObject[] {
  const page = asObject(res.body, `${what}: the list`);
  for (const field of ['filteredCount', 'totalCount', 'pageIndex', 'pageSize']) {
    assert.ok(Number.isInteger(page[field]) && (page[field] as number) >= 0, `${what}: '${field}' must be an integer >= 0, got ${JSON.stringify(page[field])}`);
  }
  assert.ok(Array.isArray(page.items), `${what}: 'items' must be an array, got ${JSON.stringify(page.items)}`);
  if (expected.pageIndex !== undefined) assert.equal(page.pageIndex, expected.pageIndex, `${what}: pageIndex`);
  if (expected.pageSize !== undefined) assert.equal(page.pageSize, expected.pageSize, `${what}: pageSize`);
  const items = page.items as unknown[];
  assert.ok(items.length <= (page.pageSize as number), `${what}: ${items.length} items on a page of ${String(page.pageSize)}`);
  assert.ok((page.filteredCount as number) <= (page.totalCount as number), `${what}: filteredCount ${String(page.filteredCount)} > totalCount ${String(page.totalCount)}`);
  return items.map((item, i) => asObject(item, `${what}: items[${i}]`));
}
