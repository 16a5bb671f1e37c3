export { buildReport, targets, type SoakReport, type SoakSample, type SoakSettings } from './buildReport.js';
export { faultWindows, metFault, type FaultKind, type FaultWindow, type Generator } from './faultSchedule.js';
export { formatMarkdown, formatText } from './formatReport.js';
export { growthPercent, judgeStore, thirds, type StoreVerdict } from './growth.js';
export { Outcomes, type GeneratorOutcome } from './Outcomes.js';
export { runSoak, type SoakOptions, type SoakResult } from './runSoak.js';
