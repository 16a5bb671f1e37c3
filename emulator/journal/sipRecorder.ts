import type { SipTraceEntry } from '../../sip/index.js';
import type { SipParty } from './entries.js';
import type { Journal } from './Journal.js';
import { SipMessageEntry } from './SipMessageEntry.js';

/**
 * The `onTrace` hook of one SIP stack: each message it sends or receives becomes a journal entry,
 * marked as a retransmission when the same message already went that way at that party. It lives
 * apart from the journal so that an API-only emulator never loads the SIP layer.
 *
 * @example
 * const stack = new SipStack({ transport, onTrace: sipRecorder(journal, { stack: 'pbx' }) });
 */
export function sipRecorder(journal: Journal, party: SipParty): (trace: SipTraceEntry) => void {
  return (trace) =>
    journal.append((stamp) => {
      const entry = new SipMessageEntry(stamp, party, trace);
      const identity = entry.identity;
      if (identity !== undefined && journal.seenBefore(identity)) entry.retransmission = true;
      return entry;
    }, trace.data.length);
}
