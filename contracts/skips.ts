import type { ContractEnvironment } from './types.js';

type Skip = (environment: ContractEnvironment) => string | undefined;

/** Creating a SIP connection deploys a listener, which costs SIP quota on the live API. */
export const needsSip: Skip = ({ target, allowSip }) =>
  target === 'live' && !allowSip ? 'creates SIP connections, which use SIP quota on the live API; pass --allow-sip to run it' : undefined;

export const needsOtherApiKey: Skip = ({ hasOtherApiKey }) =>
  hasOtherApiKey ? undefined : "needs the key of a second project; pass --other-api-key";

/**
 * The whole case checks a behaviour the docs leave open and omnisip assumes (openapi.yaml says
 * "Assumed by omnisip"); a lenient run has nothing documented to check.
 */
export const assumption = (what: string): Skip => ({ strict }) =>
  strict ? undefined : `checks an omnisip assumption (${what}) the docs leave open; pass --strict to check it on this target`;

/** The first reason any of `skips` gives. */
export const anyOf = (...skips: Skip[]): Skip => (environment) => {
  for (const skip of skips) {
    const reason = skip(environment);
    if (reason) return reason;
  }
  return undefined;
};
