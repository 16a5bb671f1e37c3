import type { JournalEntry } from '../../emulator/index.js';

/**
 * The entries of an NDJSON journal (`--journal FILE`, or a scenario run's). A last line cut short
 * (the process was killed while writing) is left out; any other bad line is an error naming it.
 */
export function readJournalFile(text: string): JournalEntry[] {
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      if (i >= lines.length - 2) return;
      throw new Error(`line ${i + 1} of the journal is not JSON (${(error as Error).message}): is this an omnisip journal (NDJSON)?`);
    }
  });
  if (entries.length && entries[0]!.kind !== 'emulator.started') throw new Error(`the journal does not start with an emulator.started entry (it starts with ${entries[0]!.kind}): was it cut, or written by an older omnisip?`);
  return entries;
}
