// bench/sip-register: authenticated REGISTERs/s of the built-in PBX vs Kamailio, and 1,000 SIP connections online.
export { formatMarkdown, formatText } from './formatReport.js';
export { measureConnections, type ConnectionsResult } from './measureConnections.js';
export { measureRegistrations, type RegistrationLoad, type RegistrationRun } from './measureRegistrations.js';
export { measureServerRound, type RoundOptions, type ServerRound } from './measureServerRound.js';
export { processMemory, type ProcessMemory } from './processMemory.js';
export { runSipRegisterBenchmark, type Check, type ServerRegistrations, type SipRegisterBenchOptions, type SipRegisterBenchResult, type SipRegisterReport } from './runSipRegisterBenchmark.js';
export { benchUsers, startKamailioRegistrar, startOmnisip, type BenchUser, type SipServer, type StartSipServerResult } from './sipServers.js';
export { sippDurationSeconds } from './sippTiming.js';
export { summarizeCpuProfile, type CpuProfile, type CpuProfileSummary } from './summarizeCpuProfile.js';
export { waitForSip, type WaitForSipResult } from './waitForSip.js';
