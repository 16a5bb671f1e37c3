// The journal: one ordered, bounded record of everything that happens, and the views made from it.
export * from './entries.js';
export type { ApiExchange } from './ApiExchangeEntry.js';
export { Journal, kindMatches, type JournalFilter, type JournalOptions } from './Journal.js';
export { NdjsonFile } from './NdjsonFile.js';
export { SecretRedactor, secretPlaceholder } from './redact.js';
export { callTimeline, sipPackets, type TimelineItem } from './views/callViews.js';
export { writePcap } from './views/writePcap.js';
