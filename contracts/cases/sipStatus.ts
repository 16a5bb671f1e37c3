import assert from 'node:assert/strict';
import { asObject, assertEpochSecondsNear, type JsonObject } from '../assertions.js';
import type { ContractContext } from '../types.js';

export const lifecycleStatuses = ['Pending', 'Running', 'Failed', 'Error', 'Unknown'];
export const sipStatuses = ['registering', 'online', 'calling'];

/**
 * `{lifecycleStatus, sipStatus, message, lastRefreshed}` with the guide's enums. `lastRefreshed`
 * must be near now only for a connection the suite just made or refreshed (`fresh`, the
 * default): a project's older connections were refreshed whenever they were, and the docs promise
 * nothing about when.
 */
export function assertStatusObject(ctx: ContractContext, value: unknown, what: string, { fresh = true } = {}): JsonObject {
  const status = asObject(value, what);
  assert.deepEqual(Object.keys(status).sort(), ['lastRefreshed', 'lifecycleStatus', 'message', 'sipStatus'], `${what} has exactly the guide's four fields`);
  assert.ok(lifecycleStatuses.includes(status.lifecycleStatus as string), `${what}.lifecycleStatus must be one of ${lifecycleStatuses.join(', ')}, got ${JSON.stringify(status.lifecycleStatus)}`);
  assert.ok(status.sipStatus === null || sipStatuses.includes(status.sipStatus as string), `${what}.sipStatus must be null or one of ${sipStatuses.join(', ')}, got ${JSON.stringify(status.sipStatus)}`);
  assert.ok(status.message === null || typeof status.message === 'string', `${what}.message must be a string or null`);
  // sipStatus "is only relevant once lifecycleStatus is Running": null before (omnisip's reading).
  if (ctx.strict && (status.lifecycleStatus === 'Pending' || status.lifecycleStatus === 'Failed')) assert.equal(status.sipStatus, null, `${what}.sipStatus is null while ${String(status.lifecycleStatus)}`);
  if (fresh) assertEpochSecondsNear(ctx, status.lastRefreshed, `${what}.lastRefreshed`);
  else assert.ok(Number.isInteger(status.lastRefreshed) && (status.lastRefreshed as number) > 0, `${what}.lastRefreshed must be Unix seconds, got ${JSON.stringify(status.lastRefreshed)}`);
  return status;
}

/** One error log entry: `{timestamp, message, code}`. */
export function assertErrorLogEntry(value: unknown, what: string): void {
  const entry = asObject(value, what);
  assert.deepEqual(Object.keys(entry).sort(), ['code', 'message', 'timestamp'], `${what} has exactly timestamp, message, code`);
  assert.ok(typeof entry.timestamp === 'string' && !Number.isNaN(Date.parse(entry.timestamp)), `${what}.timestamp must be a date string, got ${JSON.stringify(entry.timestamp)}`);
  assert.ok(typeof entry.message === 'string' && entry.message.length > 0, `${what}.message must be a non-empty string`);
  assert.ok(Number.isInteger(entry.code), `${what}.code must be an integer, got ${JSON.stringify(entry.code)}`);
}
