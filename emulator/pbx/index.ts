// The built-in PBX's public surface: the element, its account directory and location service.
export { Pbx, type PbxOptions, type PbxStartOptions } from './Pbx.js';
export { AccountDirectory, type AccountCredentials, type AccountSource } from './AccountDirectory.js';
export { MemoryConnections, type ConnectionCredentials, type ConnectionSource, type ConnectionSourceChange } from './ConnectionSource.js';
export { LocationService, type Binding, type BindingChange, type ContactUpdate, type LocationUpdate, type PbxClock, type RegisterOrigin } from './LocationService.js';
export { serves } from './serves.js';
export { mergeQuirks, PbxQuirkSettings, quirkNames, quirksProblem, type EffectiveQuirks, type PbxQuirks, type QuirkEvent, type QuirkName } from './quirks.js';
