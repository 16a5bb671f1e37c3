/**
 * omnisip as a library: start the emulator inside your own tests and drive it in-process.
 *
 * @example
 * import { startEmulator } from 'omniagent-sip-emulator';
 * const emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', seed: 1, logLevel: 'silent' });
 * // point your provisioning code at emulator.url; move time with emulator.control.advanceClock({ ms });
 * // read what happened with emulator.control.getJournal({ kind: ['sip'] })
 * await emulator.close();
 */
export {
  ControlError,
  EmulatorControl,
  startEmulator,
  type EmulatorOptions,
  type JournalEntry,
  type JournalKind,
  type JournalQuery,
  type RunningEmulator,
} from './emulator/index.js';
export { scenario, ScenarioFailure, type ScenarioContext, type ScenarioOptions } from './scenarios/index.js';
export type * from './emulator/generated/index.js';
