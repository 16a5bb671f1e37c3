import { agentCases } from './cases/agents.js';
import { authCases } from './cases/auth.js';
import { channelConfigCases } from './cases/channelConfigs.js';
import { errorCases } from './cases/errors.js';
import { latestCases } from './cases/latest.js';
import { sipConnectionCases } from './cases/sipConnections.js';
import type { ContractCase } from './types.js';

/**
 * The contract suite: every documented behaviour of the public API (and, in strict runs, every
 * behaviour omnisip assumes), as cases any runner can execute against any base URL.
 *
 * @example
 * for (const c of contractCases) it(c.name, () => c.run(createContractContext({ baseUrl, apiKey, target: 'emulator' })));
 */
export const contractCases: ContractCase[] = [...agentCases, ...channelConfigCases, ...sipConnectionCases, ...authCases, ...errorCases, ...latestCases];
