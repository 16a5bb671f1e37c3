/**
 * The SIP listener lifecycle, as a pure state machine.
 *
 * The vendor reports a listener's health as two fields: `lifecycleStatus` (is the listener
 * deployed?) and `sipStatus` (is it registered with the PBX?). Here the state keeps the facts
 * (`registered`, `activeCalls`) and `sipStatusOf()` derives `sipStatus` from them, so the two can
 * never disagree.
 *
 * ```
 *               provisioningFailed                 crashed                 lost
 *   ┌─────────┐ ─────────────────▶ ┌────────┐     ┌───────┐ ◀──────┐     ┌─────────┐
 *   │ Pending │                    │ Failed │     │ Error │        │     │ Unknown │
 *   └─────────┘ ◀──────────────────┴────────┘     └───────┘        │     └─────────┘
 *     │   ▲        settingsChanged                   │ restarted   │        │ ▲  restarted
 *     │   └──────────────────────────────────────────┘ (→ Pending) │        │ │  (→ Pending)
 *     │ provisioned                                                │        │ │
 *     ▼                                                            │        │ │
 *   ┌──────────────────────── Running ─────────────────────────────┴────────┘─┘┐
 *   │  registering ──registered──▶ online ──callStarted──▶ calling              │
 *   │       ▲  ◀──registrationFailed──┘  ◀───callEnded (last)───┘              │
 *   └────────────────────────────────────────────────────────────────────────────┘
 *   settingsChanged from any state → Pending (redeploy);  deleted from any state → Deleted (final)
 * ```
 *
 * `transition(state, event)` returns the next state and the effects the caller must carry out
 * (start or stop the SIP listener, schedule timers on the emulator clock, append to the error
 * log). An event that makes no sense in a state is answered with `{ ok: false }` and changes
 * nothing: the caller logs it; it is never thrown.
 */

export type LifecycleStatus = 'Pending' | 'Running' | 'Failed' | 'Error' | 'Unknown';
export type SipStatus = 'registering' | 'online' | 'calling';

export interface ListenerState {
  /** `Deleted` is internal: a deleted connection is gone from the API. */
  readonly lifecycleStatus: LifecycleStatus | 'Deleted';
  /** True while the PBX holds a valid registration for this listener. */
  readonly registered: boolean;
  readonly activeCalls: number;
  /** `status.message`: why the listener is Failed/Error/Unknown, or the last registration error. */
  readonly message: string | null;
}

export type LifecycleEvent =
  | { type: 'provisioned' }
  | { type: 'provisioningFailed'; message: string }
  | { type: 'registering' }
  | { type: 'registered' }
  | { type: 'registrationFailed'; code: number; message: string }
  | { type: 'callStarted' }
  | { type: 'callEnded' }
  /** A problem worth the error log that changes no state: a refused call, a failed transfer. */
  | { type: 'errorLogged'; code: number; message: string }
  | { type: 'crashed'; message: string }
  | { type: 'lost'; message: string }
  | { type: 'restarted' }
  | { type: 'settingsChanged' }
  | { type: 'deleted' };

export type LifecycleEventType = LifecycleEvent['type'];

export type LifecycleEffect =
  /** Start the provisioning delay timer; when it fires, `provisioned` (or `provisioningFailed`). */
  | { type: 'scheduleProvisioning' }
  /** Deploy the SIP listener: it starts registering. */
  | { type: 'startListener' }
  /** Tear the SIP listener down; `unregister` sends REGISTER with Expires: 0 first. */
  | { type: 'stopListener'; unregister: boolean }
  /** Append `{timestamp, message, code}` to the connection's error log. */
  | { type: 'appendError'; code: number; message: string }
  /** Start the restart timer; when it fires, `restarted`. */
  | { type: 'scheduleRestart' }
  /** Cancel every pending lifecycle timer of this connection. */
  | { type: 'cancelTimers' };

export type TransitionResult =
  | { ok: true; state: ListenerState; effects: LifecycleEffect[] }
  | { ok: false; state: ListenerState; reason: string };

export const initialListenerState: ListenerState = {
  lifecycleStatus: 'Pending',
  registered: false,
  activeCalls: 0,
  message: null,
};

/** The `sipStatus` the API reports: only meaningful while Running, `null` otherwise. */
export function sipStatusOf(state: ListenerState): SipStatus | null {
  if (state.lifecycleStatus !== 'Running') return null;
  if (state.activeCalls > 0) return 'calling';
  return state.registered ? 'online' : 'registering';
}

/** A display name for a state, as used in the table test and in log lines: `Running/online`. */
export function describeState(state: ListenerState): string {
  const sip = sipStatusOf(state);
  return sip ? `${state.lifecycleStatus}/${sip}` : state.lifecycleStatus;
}

const stopped = { registered: false, activeCalls: 0 } as const;

export function transition(state: ListenerState, event: LifecycleEvent): TransitionResult {
  const status = state.lifecycleStatus;
  const ok = (next: Partial<ListenerState>, effects: LifecycleEffect[] = []): TransitionResult => ({
    ok: true,
    state: { ...state, ...next },
    effects,
  });
  const illegal = (): TransitionResult => ({
    ok: false,
    state,
    reason: `event '${event.type}' is not valid in state ${describeState(state)}`,
  });

  if (status === 'Deleted') return illegal();

  switch (event.type) {
    case 'provisioned':
      return status === 'Pending'
        ? ok({ lifecycleStatus: 'Running', ...stopped, message: null }, [{ type: 'startListener' }])
        : illegal();

    case 'provisioningFailed':
      return status === 'Pending'
        ? ok({ lifecycleStatus: 'Failed', ...stopped, message: event.message }, [
            { type: 'appendError', code: 500, message: event.message },
          ])
        : illegal();

    case 'registering':
      // A listener starting a new registration attempt (first one, or after losing its binding).
      return status === 'Running' ? ok({ registered: false }) : illegal();

    case 'registered':
      return status === 'Running' ? ok({ registered: true, message: null }) : illegal();

    case 'registrationFailed':
      // The listener stays up and keeps retrying; a call in progress is not cut off.
      return status === 'Running'
        ? ok({ registered: false, message: event.message }, [
            { type: 'appendError', code: event.code, message: event.message },
          ])
        : illegal();

    case 'callStarted':
      return status === 'Running' && state.registered ? ok({ activeCalls: state.activeCalls + 1 }) : illegal();

    case 'callEnded':
      return status === 'Running' && state.activeCalls > 0 ? ok({ activeCalls: state.activeCalls - 1 }) : illegal();

    case 'errorLogged':
      return status === 'Running' ? ok({}, [{ type: 'appendError', code: event.code, message: event.message }]) : illegal();

    case 'crashed':
      return status === 'Running'
        ? ok({ lifecycleStatus: 'Error', ...stopped, message: event.message }, [
            { type: 'stopListener', unregister: false },
            { type: 'appendError', code: 500, message: event.message },
            { type: 'scheduleRestart' },
          ])
        : illegal();

    case 'lost':
      return status === 'Running'
        ? ok({ lifecycleStatus: 'Unknown', ...stopped, message: event.message }, [
            { type: 'stopListener', unregister: false },
            { type: 'scheduleRestart' },
          ])
        : illegal();

    case 'restarted':
      return status === 'Error' || status === 'Unknown'
        ? ok({ lifecycleStatus: 'Pending', ...stopped, message: null }, [{ type: 'scheduleProvisioning' }])
        : illegal();

    case 'settingsChanged':
      // PATCH of settings redeploys: whatever the listener was doing, it starts over.
      return ok({ lifecycleStatus: 'Pending', ...stopped, message: null }, [
        { type: 'cancelTimers' },
        ...(status === 'Running' ? [{ type: 'stopListener', unregister: true } as const] : []),
        { type: 'scheduleProvisioning' },
      ]);

    case 'deleted':
      return ok({ lifecycleStatus: 'Deleted', ...stopped }, [
        { type: 'cancelTimers' },
        ...(status === 'Running' ? [{ type: 'stopListener', unregister: true } as const] : []),
      ]);
  }
}
