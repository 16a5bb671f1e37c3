// Durable state (--state-dir) behind the core's stores, and the snapshot that export/import carry.
export { ChangeLog, decodeLine, encodeLine, readChangeLog, type LogContents } from './ChangeLog.js';
export { applyChange, captureSnapshot, emptySnapshot, parseSnapshot, restoreSnapshot, watchChanges, type ChangeEntry, type ControlAccounts, type SavedPbxAccount, type SavedProject, type StateSnapshot, type StateSources } from './snapshot.js';
export { changeLogFile, lockFile, snapshotFile, StateStore, writeSnapshot, type RestoredState } from './StateStore.js';
export { CaptureSpillFile } from './CaptureSpillFile.js';
