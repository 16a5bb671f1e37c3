/**
 * omnisip as a library: start the emulator inside your own tests.
 *
 * @example
 * import { startEmulator } from 'omniagent-sip-emulator';
 * const emulator = await startEmulator({ apiPort: 0, clock: 'virtual', logLevel: 'silent' });
 * // point your provisioning code at emulator.url, move time with emulator.control.advanceClock(ms)
 * await emulator.close();
 */
export {
  startEmulator,
  type EmulatorControl,
  type EmulatorEvent,
  type EmulatorOptions,
  type RunningEmulator,
} from './emulator/index.js';
export type * from './emulator/generated/index.js';
