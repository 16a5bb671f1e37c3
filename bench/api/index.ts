export { buildReport, targets, type ApiBenchReport, type CaseReport, type TargetCheck } from './buildReport.js';
export { formatMarkdown, formatText } from './formatReport.js';
export { guideAgent, guideSipConnection, loadCases, type LoadCase, type PreparedCase } from './loadCases.js';
export { measureColdStarts, type ColdStart } from './measureColdStarts.js';
export { runApiBenchmark, type ApiBenchmarkOptions, type ApiBenchmarkResult } from './runApiBenchmark.js';
export { runLoad, type LoadOptions, type LoadResult, type LoadTarget } from './runLoad.js';
export { omnisipServer, prismServer, type ServerName, type ServerUnderTest } from './servers.js';
export { startServer, type StartServerResult } from './startServer.js';
