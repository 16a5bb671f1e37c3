export type { DigestAlgorithm } from './digestAlgorithm.js';
export { formatChallenge, parseChallenge, type DigestChallenge } from './DigestChallenge.js';
export { formatCredentials, parseCredentials, type DigestCredentials } from './DigestCredentials.js';
export { DigestClient, type DigestClientOptions } from './DigestClient.js';
export { DigestServer, type DigestServerOptions, type DigestVerdict } from './DigestServer.js';
export { redactAuthorization } from './redactAuthorization.js';
