// The emulator's public surface: start it, drive it through its control plane, read its journal.
export { defaults, readConfigFile, resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
export { ControlError } from './control/ControlError.js';
export { EmulatorControl, type JournalQuery, type SipSide } from './control/EmulatorControl.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './core/logger.js';
export { createWorld, type World, type WorldFoundation } from './createWorld.js';
export type { JournalEntry, JournalKind, StartedOptions } from './journal/index.js';
export { startEmulator, type RunningEmulator } from './startEmulator.js';
export type { RestoredState, StateSnapshot } from './store/index.js';
export { version } from './version.js';
