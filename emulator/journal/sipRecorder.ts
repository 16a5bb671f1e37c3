import type { SipTraceEntry } from '../../sip/index.js';
import type { SipParty } from './entries.js';
import type { Journal } from './Journal.js';
import { SipColumns } from './SipColumns.js';

/**
 * The `onTrace` hook of one SIP stack: each message it sends or receives becomes a journal entry,
 * marked as a retransmission when the same message already went that way at that party. The
 * journal keeps SIP messages in columns (SipColumns) and builds entries when they are read. It
 * lives apart from the journal so that an API-only emulator never loads the SIP layer.
 *
 * @example
 * const stack = new SipStack({ transport, onTrace: sipRecorder(journal, { stack: 'pbx' }) });
 */
export function sipRecorder(journal: Journal, party: SipParty): (trace: SipTraceEntry) => void {
  return SipColumns.of(journal).recorder(party);
}
