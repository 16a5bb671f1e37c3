export { contractCases } from './suite.js';
export { createContractContext, type ContractContextOptions } from './createContractContext.js';
export { caseTitle, formatResult, formatSummary, runContracts, type ContractResult, type ContractRunOptions, type ContractRunSummary } from './runContracts.js';
export { toJUnitXml } from './toJUnitXml.js';
export { contractSecrets } from './fixtures.js';
export type { ContractCase, ContractContext, ContractEnvironment, ContractRequestOptions, ContractProfile, ContractResponse, ContractTarget } from './types.js';
