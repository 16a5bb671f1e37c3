/**
 * What one SIP stack holds right now, for diagnostics and leak tests: live client and server
 * transactions, and the absorbers that stand in for completed ones until their timer (Timer J)
 * ends. Every count returns to 0 once the stack is idle for longer than its longest timer.
 */
export interface TransactionCounts {
  clientTransactions: number;
  serverTransactions: number;
  absorbers: number;
}

export const noTransactions: Readonly<TransactionCounts> = Object.freeze({ clientTransactions: 0, serverTransactions: 0, absorbers: 0 });

/** The counts of several stacks together, e.g. every listener's. */
export function sumTransactionCounts(counts: Iterable<TransactionCounts>): TransactionCounts {
  const total = { ...noTransactions };
  for (const c of counts) {
    total.clientTransactions += c.clientTransactions;
    total.serverTransactions += c.serverTransactions;
    total.absorbers += c.absorbers;
  }
  return total;
}
