/** Where a contract run points: omnisip, or the vendor's API with a real key. */
export type ContractTarget = 'emulator' | 'live';

/**
 * Which version of the vendor's API the run expects: `guide`, the SIP guide and the hackathon-era
 * docs (openapi.yaml); `latest`, the docs of August 2026 (ISO 639-1 languages, `name` required, the
 * kiosk channel, the sipPods quota, outbound calls). omnisip runs either (`--api-profile`).
 */
export type ContractProfile = 'guide' | 'latest';

export interface ContractRequestOptions {
  /** JSON-encoded unless it is a string, which is sent as is (to send malformed JSON). */
  body?: unknown;
  /** The X-Api-Key to send: the context's key when left out, none at all when `null`. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface ContractResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; `undefined` for an empty body; the raw text when the body is not JSON. */
  body: unknown;
  /** The body exactly as received. */
  text: string;
}

/** What a case gets: a target, its keys, and a request function that checks every response. */
export interface ContractContext {
  baseUrl: string;
  apiKey: string;
  /** A key of another project, for the isolation cases. */
  otherApiKey?: string;
  target: ContractTarget;
  profile: ContractProfile;
  /** The companion the agents the suite creates use (the guide's `comp_abc123` unless told). */
  companionId: string;
  /**
   * Assert the exact behaviours omnisip assumes (status codes, error codes, replacement rules)
   * instead of only what the vendor documents. True against the emulator.
   */
  strict: boolean;
  request(method: string, path: string, options?: ContractRequestOptions): Promise<ContractResponse>;
}

/** What a skip decision may look at: known before any request is made. */
export interface ContractEnvironment {
  target: ContractTarget;
  profile: ContractProfile;
  /** The run asserts omnisip's assumptions too (always against the emulator; `--strict` live). */
  strict: boolean;
  hasOtherApiKey: boolean;
  /** Cases that create SIP connections may run (each one costs quota on the live API). */
  allowSip: boolean;
}

export interface ContractCase {
  name: string;
  group: string;
  run(ctx: ContractContext): Promise<void>;
  /** A reason to skip the case in this environment, or undefined to run it. */
  skip?: (environment: ContractEnvironment) => string | undefined;
  /**
   * The case sends requests that violate openapi.yaml on purpose (missing key, malformed JSON,
   * missing fields) to check the API's answers. A validating proxy such as Prism answers those
   * itself, so runners that put one in front of the target send these cases around it.
   */
  sendsInvalidRequests?: boolean;
}
