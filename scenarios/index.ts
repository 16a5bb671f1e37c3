// Scenarios: files (YAML) and scripts (TypeScript) that drive a fresh emulator step by step, the runner and its reports, and replay.
export { scenario, type ScenarioContext, type ScenarioOptions } from './scenario.js';
export { ScenarioSession } from './session/ScenarioSession.js';
export { redactSecrets, ScenarioFailure, type SourceLocation } from './session/ScenarioFailure.js';
export type * from './session/steps.js';
export { loadScenario, ScenarioFileError, type PlannedStep, type ScenarioPlan } from './yaml/loadScenario.js';
export { runScenario, type RunScenarioOptions, type ScenarioResult, type StepResult } from './runner/runScenario.js';
export { collectScenarioFiles, runScenarios, type RunScenariosOptions } from './runner/runScenarios.js';
export { jsonReport, junitReport, prettyLine, prettySummary, tapReport } from './report/reporters.js';
export { renderLadder } from './session/ladder.js';
export { readJournalFile } from './replay/readJournalFile.js';
export { scenarioFromJournal } from './replay/scenarioFromJournal.js';
export { replayJournal, type Divergence, type ReplayOptions, type ReplayReport } from './replay/replayJournal.js';
