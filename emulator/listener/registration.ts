import { type Endpoint, RegisterClient, type Scheduler, type SipStack } from '../../sip/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { LifecycleEvent } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { SipConnectionRecord } from '../core/sipConnections.js';
import type { Journal } from '../journal/index.js';

export interface RegistrationOptions {
  record: SipConnectionRecord;
  stack: SipStack;
  /** Where REGISTER goes: the built-in PBX, or `settings.server:port`. */
  destination: Endpoint;
  /** `pbx.example.com:5060 over UDP (built-in PBX at 127.0.0.1:5060)`, for messages. */
  serverLabel: string;
  expires: number;
  retryMs: number;
  maxRetryMs: number;
  clock: Clock;
  journal: Journal;
  logger: Logger;
  report(event: LifecycleEvent): void;
}

/** Registration refreshes and retries run on the emulator clock, so a virtual clock can jump over them. */
const schedulerOf = (clock: Clock): Scheduler => ({
  setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
  clearTimeout: (handle) => clock.clearTimeout(handle as TimerHandle | undefined),
});

/**
 * The listener's registration: REGISTERs `username@domain`, keeps it fresh, retries with backoff,
 * and reports each outcome to the lifecycle state machine and the journal.
 */
export function startRegistration(options: RegistrationOptions): RegisterClient {
  const { record, journal, logger, serverLabel, report } = options;
  const { settings } = record;
  const client = new RegisterClient({
    stack: options.stack,
    destination: options.destination,
    serverLabel,
    username: settings.username,
    password: record.password,
    domain: settings.domain,
    expires: options.expires,
    scheduler: schedulerOf(options.clock),
    retryMs: options.retryMs,
    maxRetryMs: options.maxRetryMs,
    onRegistered: (expires) => {
      logger.info(`connection ${record.id}: registered ${settings.username}@${settings.domain} with ${serverLabel} for ${expires} s`);
      journal.record({ kind: 'registration', connectionId: record.id, phase: 'registered', server: serverLabel, expires });
      report({ type: 'registered' });
    },
    onFailed: (failure) => {
      logger.warn(`connection ${record.id}: ${failure.message} (${serverLabel}); retrying with backoff`);
      journal.record({ kind: 'registration', connectionId: record.id, phase: 'failed', server: serverLabel, code: failure.code, message: failure.message });
      report({ type: 'registrationFailed', code: failure.code, message: failure.message });
    },
  });
  journal.record({ kind: 'registration', connectionId: record.id, phase: 'started', server: serverLabel });
  report({ type: 'registering' });
  if (record.password === '') {
    // Imported without secrets: a REGISTER with an empty password would only hide why it fails.
    const message = `SIP registration not attempted: connection ${record.id} has no password (imported without secrets). PATCH /public/sip-connections/${record.id} with settings.password.`;
    logger.error(`connection ${record.id}: ${message}`);
    journal.record({ kind: 'registration', connectionId: record.id, phase: 'failed', server: serverLabel, code: 401, message });
    report({ type: 'registrationFailed', code: 401, message });
    return client;
  }
  client.start();
  return client;
}
