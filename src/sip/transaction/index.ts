export { InviteClientTransaction, type InviteClientState } from './InviteClientTransaction.js';
export { NonInviteClientTransaction, type NonInviteClientState } from './NonInviteClientTransaction.js';
export { InviteServerTransaction, TRYING_DELAY, type InviteServerState } from './InviteServerTransaction.js';
export { NonInviteServerTransaction, type NonInviteServerState } from './NonInviteServerTransaction.js';
export type { ClientTransaction, ClientTransactionUser, SendMessage, ServerTransaction, ServerTransactionUser, TransactionOptions } from './Transaction.js';
export { resolveTimers, DEFAULT_T1, DEFAULT_T2, DEFAULT_T4, type TransactionTimers } from './TransactionTimers.js';
export { clientTransactionKey, responseTransactionKey, serverTransactionKey, MAGIC_COOKIE } from './transactionKeys.js';
export { createAck } from './createAck.js';
export { createCancel } from './createCancel.js';
