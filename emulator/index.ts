export { defaults, readConfigFile, resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
export { EventBus, type EmulatorEvent } from './events.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { startEmulator, type EmulatorControl, type RunningEmulator } from './startEmulator.js';
