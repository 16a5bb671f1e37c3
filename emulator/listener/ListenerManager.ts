import type { FaultRule } from '../generated/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeState, type LifecycleEffect, type LifecycleEvent } from '../core/lifecycle.js';
import type { Projects, ConnectionChange } from '../core/projects.js';
import { applyLifecycleEvent, statusOf, type SipConnectionRecord } from '../core/sipConnections.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { Logger } from '../core/logger.js';
import type { Journal } from '../journal/index.js';
import { sumTransactionCounts, type TransactionCounts } from '../../sip/index.js';

/** A deployed listener for one SIP connection: what the manager starts and stops. */
export interface SipListener {
  stop(options: { unregister: boolean }): Promise<void> | void;
  /** Places an outbound call through the connection's server (absent on listeners without SIP). */
  placeCall?(call: { destination: string; initialSpeech?: string }): void;
  /** Its SIP stack's transactions and absorbers, once it has a stack (for diagnostics). */
  sipStats?(): TransactionCounts | undefined;
}

export interface ListenerContext {
  readonly record: SipConnectionRecord;
  readonly clock: Clock;
  /** Feeds the lifecycle state machine: registered, registration failed, call started/ended, crashed. */
  report(event: LifecycleEvent): void;
}

export type ListenerFactory = (context: ListenerContext) => SipListener;

export interface ListenerManagerOptions {
  clock: Clock;
  projects: Projects;
  faults: FaultRules;
  journal: Journal;
  logger: Logger;
  /** How long a new or redeployed connection stays Pending. */
  provisionDelayMs: number;
  /** How long a crashed listener stays in Error before it restarts, unless the fault rule says otherwise. */
  restartDelayMs: number;
  factory: ListenerFactory;
}

/**
 * Runs the lifecycle of every SIP connection: applies events to the pure state machine and
 * carries out its effects (timers on the emulator clock, starting and stopping listeners). It
 * follows the connection store (`projects.onConnectionChange(manager.follow)`), so the API's
 * handlers only ever touch the store.
 */
export class ListenerManager {
  private readonly timers = new Map<string, Set<TimerHandle>>();
  private readonly listeners = new Map<string, SipListener>();
  private readonly restartDelays = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ListenerManagerOptions) {
    this.unsubscribe = options.faults.onAdded((rule) => this.applyCrashRule(rule));
  }

  /** Listeners running now and their SIP stacks' transactions and absorbers, all together (read-only, for diagnostics). */
  usage(): TransactionCounts & { listeners: number } {
    return { listeners: this.listeners.size, ...sumTransactionCounts([...this.listeners.values()].flatMap((l) => l.sipStats?.() ?? [])) };
  }

  /** Carries out what a change of the connection store means for its listener. */
  readonly follow = (change: ConnectionChange): void => {
    const { record } = change;
    switch (change.type) {
      case 'created':
        // Pending until the provisioning delay passes.
        this.publishStatus(record, 'created');
        this.run(record, [{ type: 'scheduleProvisioning' }]);
        return;
      case 'patched':
        if (change.redeploy) this.dispatch(record, { type: 'settingsChanged' });
        return;
      case 'deleted':
        this.dispatch(record, { type: 'deleted' });
        this.options.journal.record({ kind: 'connection.deleted', connectionId: record.id });
        return;
    }
  };

  /** Applies one event and carries out its effects. Illegal events are logged and ignored. */
  dispatch(record: SipConnectionRecord, event: LifecycleEvent): void {
    const { clock, journal, logger } = this.options;
    const before = describeState(record.state);
    const errorsBefore = record.errors.length;
    const applied = applyLifecycleEvent(record, event, clock.now());
    if (!applied.ok) {
      logger.warn(`connection ${record.id}: ignored ${applied.reason}`);
      return;
    }
    const after = describeState(record.state);
    if (after !== before) logger.info(`connection ${record.id}: ${before} → ${after}${record.state.message ? ` (${record.state.message})` : ''}`);
    if (record.state.lifecycleStatus !== 'Deleted') this.publishStatus(record, event.type, before);
    for (const error of record.errors.slice(errorsBefore)) journal.record({ kind: 'connection.error', connectionId: record.id, error });
    this.run(record, applied.effects);
  }

  /** Crashes a running listener now (fault rule or control API). */
  crash(record: SipConnectionRecord, message: string, restartAfterMs?: number): void {
    if (restartAfterMs !== undefined) this.restartDelays.set(record.id, restartAfterMs);
    this.dispatch(record, { type: 'crashed', message });
  }

  /** Stops every listener and timer (reset, shutdown). */
  async stopAll(): Promise<void> {
    for (const id of [...this.timers.keys()]) this.cancelTimers(id);
    const stopping = [...this.listeners.values()].map((l) => l.stop({ unregister: true }));
    this.listeners.clear();
    this.restartDelays.clear();
    await Promise.allSettled(stopping);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.stopAll();
  }

  /** The running listener of a connection, if any. */
  listenerOf(connectionId: string): SipListener | undefined {
    return this.listeners.get(connectionId);
  }

  private run(record: SipConnectionRecord, effects: LifecycleEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'scheduleProvisioning':
          this.schedule(record.id, this.options.provisionDelayMs, () => this.provision(record));
          break;
        case 'startListener':
          this.startListener(record);
          break;
        case 'stopListener':
          this.stopListener(record.id, effect.unregister);
          break;
        case 'scheduleRestart': {
          const delay = this.restartDelays.get(record.id) ?? this.options.restartDelayMs;
          this.restartDelays.delete(record.id);
          this.schedule(record.id, delay, () => this.dispatch(record, { type: 'restarted' }));
          break;
        }
        case 'cancelTimers':
          this.cancelTimers(record.id);
          break;
        case 'appendError':
          break; // done by the store
      }
    }
  }

  private provision(record: SipConnectionRecord): void {
    const fault = this.options.faults.check({ target: 'lifecycle', event: 'provisioning', connectionId: record.id });
    if (fault?.action.type === 'delay') {
      this.schedule(record.id, fault.action.ms, () => this.dispatch(record, { type: 'provisioned' }));
      return;
    }
    if (fault && fault.action.type !== 'respond') {
      const message = ('message' in fault.action && fault.action.message) || 'Listener failed to start (injected by an omnisip fault rule).';
      this.dispatch(record, { type: 'provisioningFailed', message });
      return;
    }
    this.dispatch(record, { type: 'provisioned' });
  }

  private startListener(record: SipConnectionRecord): void {
    const listener = this.options.factory({
      record,
      clock: this.options.clock,
      report: (event) => {
        // A listener that was stopped may still report late; only the current one counts.
        if (this.listeners.get(record.id) === listener) this.dispatch(record, event);
      },
    });
    this.listeners.set(record.id, listener);
    const fault = this.options.faults.check({ target: 'lifecycle', event: 'running', connectionId: record.id });
    if (fault?.action.type === 'crash') {
      this.crash(record, fault.action.message ?? 'Listener crashed (injected by an omnisip fault rule).', fault.action.restartAfterMs);
    }
  }

  private stopListener(id: string, unregister: boolean): void {
    const listener = this.listeners.get(id);
    this.listeners.delete(id);
    if (!listener) return;
    Promise.resolve(listener.stop({ unregister })).catch((error: Error) =>
      this.options.logger.warn(`connection ${id}: listener did not stop cleanly: ${error.message}`),
    );
  }

  /** A new crash rule hits the listeners that are already running. */
  private applyCrashRule(rule: FaultRule): void {
    if (rule.match.target !== 'lifecycle' || rule.match.event !== 'running') return;
    for (const record of this.options.projects.allSipConnections()) {
      if (record.state.lifecycleStatus !== 'Running') continue;
      const fault = this.options.faults.check({ target: 'lifecycle', event: 'running', connectionId: record.id });
      if (fault?.action.type !== 'crash') continue;
      this.crash(record, fault.action.message ?? 'Listener crashed (injected by an omnisip fault rule).', fault.action.restartAfterMs);
    }
  }

  private schedule(id: string, ms: number, callback: () => void): void {
    const set = this.timers.get(id) ?? new Set<TimerHandle>();
    const handle = this.options.clock.setTimeout(() => {
      set.delete(handle);
      callback();
    }, ms);
    set.add(handle);
    this.timers.set(id, set);
  }

  private cancelTimers(id: string): void {
    for (const handle of this.timers.get(id) ?? []) this.options.clock.clearTimeout(handle);
    this.timers.delete(id);
  }

  private publishStatus(record: SipConnectionRecord, event: string, from?: string): void {
    this.options.journal.record({ kind: 'connection.status', connectionId: record.id, status: statusOf(record), event, ...(from !== undefined && { from }) });
  }
}
