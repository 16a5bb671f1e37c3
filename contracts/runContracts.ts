import { performance } from 'node:perf_hooks';
import { createContractContext } from './createContractContext.js';
import { contractCases } from './suite.js';
import type { ContractCase, ContractEnvironment, ContractProfile, ContractTarget } from './types.js';

export interface ContractRunOptions {
  /** Base URL of the API, without `/public`. */
  baseUrl: string;
  apiKey: string;
  /** Another project's key; against the emulator any other key is one, so it defaults to `<apiKey>-other` there. */
  otherApiKey?: string;
  target: ContractTarget;
  /** The API version to expect: `guide` (default) or `latest`. */
  profile?: ContractProfile;
  /** Check omnisip's assumptions too. Default: true against the emulator, false live. */
  strict?: boolean;
  /** Run the cases that create SIP connections on the live API (they use quota). Always on for the emulator. */
  allowSip?: boolean;
  /** Only the cases whose "group › name" contains this text (case-insensitive). */
  grep?: string;
  companionId?: string;
  /** Where cases that send invalid requests on purpose go, when `baseUrl` is a validating proxy. Default `baseUrl`. */
  invalidRequestsBaseUrl?: string;
  /** Default: the whole suite. */
  cases?: readonly ContractCase[];
  /** Called once per case, in order, as soon as it ends. */
  onResult?: (result: ContractResult) => void;
}

export interface ContractResult {
  group: string;
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Why a case was skipped. */
  reason?: string;
  /** What failed. */
  error?: { message: string; stack?: string };
}

export interface ContractRunSummary {
  results: ContractResult[];
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

/** "group › name", as printed and as `grep` matches. */
export const caseTitle = (c: { group: string; name: string }) => `${c.group} › ${c.name}`;

/**
 * Runs the contract cases one after another (they share a project, and the live API has rate
 * limits) and reports each result. Never throws for a failing case: failures are results.
 *
 * @example
 * const summary = await runContracts({ baseUrl: 'http://127.0.0.1:4010', apiKey: 'k', target: 'emulator' });
 * process.exitCode = summary.failed ? 1 : 0;
 */
export async function runContracts(options: ContractRunOptions): Promise<ContractRunSummary> {
  const emulator = options.target === 'emulator';
  const otherApiKey = options.otherApiKey ?? (emulator ? `${options.apiKey}-other` : undefined);
  const strict = options.strict ?? emulator;
  const profile = options.profile ?? 'guide';
  const environment: ContractEnvironment = { target: options.target, profile, strict, hasOtherApiKey: otherApiKey !== undefined, allowSip: emulator || (options.allowSip ?? false) };
  const contextFor = (baseUrl: string) =>
    createContractContext({ baseUrl, apiKey: options.apiKey, ...(otherApiKey ? { otherApiKey } : {}), target: options.target, profile, strict, ...(options.companionId ? { companionId: options.companionId } : {}) });
  const valid = contextFor(options.baseUrl);
  const invalid = contextFor(options.invalidRequestsBaseUrl ?? options.baseUrl);

  const grep = options.grep?.toLowerCase();
  const selected = (options.cases ?? contractCases).filter((c) => !grep || caseTitle(c).toLowerCase().includes(grep));
  const results: ContractResult[] = [];
  const started = performance.now();
  for (const c of selected) {
    const result = await runCase(c, c.sendsInvalidRequests ? invalid : valid, environment);
    results.push(result);
    options.onResult?.(result);
  }
  return {
    results,
    passed: results.filter((r) => r.outcome === 'passed').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    durationMs: performance.now() - started,
  };
}

async function runCase(c: ContractCase, ctx: ReturnType<typeof createContractContext>, environment: ContractEnvironment): Promise<ContractResult> {
  const base = { group: c.group, name: c.name };
  const reason = c.skip?.(environment);
  if (reason) return { ...base, outcome: 'skipped', durationMs: 0, reason };
  const started = performance.now();
  try {
    await c.run(ctx);
    return { ...base, outcome: 'passed', durationMs: performance.now() - started };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ...base, outcome: 'failed', durationMs: performance.now() - started, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
  }
}

/** One line per result: ✓ passed, ✗ failed (with the message indented below), - skipped (with the reason). */
export function formatResult(result: ContractResult): string {
  const title = caseTitle(result);
  const ms = `(${Math.round(result.durationMs)} ms)`;
  if (result.outcome === 'passed') return `✓ ${title} ${ms}`;
  if (result.outcome === 'skipped') return `- ${title} (skipped: ${result.reason})`;
  const message = (result.error?.message ?? 'failed').split('\n').map((line) => `    ${line}`).join('\n');
  return `✗ ${title} ${ms}\n${message}`;
}

export function formatSummary(summary: ContractRunSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${(summary.durationMs / 1000).toFixed(1)} s)`;
}
