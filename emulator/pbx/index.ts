// The built-in PBX's public surface: the element, its account directory and location service.
export { Pbx, type PbxOptions, type PbxStartOptions } from './Pbx.js';
export { AccountDirectory, type AccountCredentials, type AccountSource } from './AccountDirectory.js';
export { LocationService, type Binding, type ContactUpdate, type LocationUpdate, type PbxClock, type RegisterOrigin } from './LocationService.js';
export { serves } from './serves.js';
