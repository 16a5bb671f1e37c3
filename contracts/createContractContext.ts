import { AssertionError } from 'node:assert/strict';
import { contractSecrets, defaultCompanionId } from './fixtures.js';
import type { ContractContext, ContractProfile, ContractRequestOptions, ContractResponse, ContractTarget } from './types.js';

export interface ContractContextOptions {
  /** Base URL of the API, without `/public`, e.g. `https://companion-api.napster.com`. */
  baseUrl: string;
  apiKey: string;
  otherApiKey?: string;
  target: ContractTarget;
  /** The API version the run expects. Default `guide`. */
  profile?: ContractProfile;
  /** Default: the guide's `comp_abc123`. */
  companionId?: string;
  /** Default: true for the emulator, false for the live API. */
  strict?: boolean;
  /** Strings no response may contain. Default: every SIP password the suite sends. */
  secrets?: readonly string[];
  /** Per-request time limit. Default 30 s. */
  timeoutMs?: number;
}

const prismErrorPrefix = 'https://stoplight.io/prism/errors#';

/**
 * Builds the context the cases run with. Its `request` fails the case, whatever the case checks,
 * when a response leaks a secret (the SIP password is write-only everywhere), or when a Prism
 * proxy in front of the target reports that the traffic does not match openapi.yaml.
 */
export function createContractContext(options: ContractContextOptions): ContractContext {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const secrets = options.secrets ?? contractSecrets;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request(method: string, path: string, { body, key, headers = {} }: ContractRequestOptions = {}): Promise<ContractResponse> {
    const sendKey = key === undefined ? options.apiKey : key;
    const init: RequestInit = {
      method,
      headers: { Accept: 'application/json', ...(sendKey === null ? {} : { 'X-Api-Key': sendKey }), ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
      if (!hasType) (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const where = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, init);
    } catch (error) {
      throw new Error(`${where}: no answer from ${baseUrl} (${(error as Error).message}). Check --base-url and that the API is reachable.`);
    }
    const text = await response.text();
    const result: ContractResponse = { status: response.status, headers: response.headers, body: parseBody(text), text };
    checkSecrets(where, result, secrets);
    checkPrismVerdict(where, result);
    return result;
  }

  return {
    baseUrl,
    apiKey: options.apiKey,
    ...(options.otherApiKey ? { otherApiKey: options.otherApiKey } : {}),
    target: options.target,
    profile: options.profile ?? 'guide',
    companionId: options.companionId ?? defaultCompanionId,
    strict: options.strict ?? options.target === 'emulator',
    request,
  };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function checkSecrets(where: string, response: ContractResponse, secrets: readonly string[]): void {
  const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  for (const secret of secrets) {
    if (response.text.includes(secret) || headerText.includes(secret)) {
      throw new AssertionError({ message: `${where} answered ${response.status} with a SIP password in it. Passwords are write-only: no response may ever contain one.` });
    }
  }
}

/**
 * With `--errors`, Prism answers a response that violates the spec with 500 and an
 * `sl-violations` header, and a request it considers invalid with its own problem+json (it never
 * reaches the target). Either way the traffic did not match openapi.yaml: say exactly how.
 */
function checkPrismVerdict(where: string, response: ContractResponse): void {
  const violations = response.headers.get('sl-violations');
  if (violations) {
    throw new AssertionError({ message: `${where}: Prism reports that the exchange does not match openapi.yaml (status ${response.status}): ${describeViolations(violations)}` });
  }
  const body = response.body as { type?: unknown; title?: unknown; detail?: unknown; validation?: unknown } | undefined;
  if (typeof body === 'object' && body !== null && typeof body.type === 'string' && body.type.startsWith(prismErrorPrefix)) {
    const detail = body.validation ? describeViolations(JSON.stringify(body.validation)) : String(body.detail ?? '');
    throw new AssertionError({
      message: `${where}: Prism answered ${response.status} itself (${body.type.slice(prismErrorPrefix.length)}: ${String(body.title)}); the request never reached the API. ${detail}`,
    });
  }
}

function describeViolations(json: string): string {
  try {
    const list = JSON.parse(json) as Array<{ location?: string[]; message?: string }>;
    return list.map((v) => `${(v.location ?? []).join('.')}: ${v.message ?? '?'}`).join('; ');
  } catch {
    return json;
  }
}
