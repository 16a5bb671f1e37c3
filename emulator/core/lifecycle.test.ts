import { describe, expect, it } from 'vitest';
import {
  describeState,
  initialListenerState,
  transition,
  type LifecycleEvent,
  type LifecycleEventType,
  type ListenerState,
} from './lifecycle.js';

const states: Record<string, ListenerState> = {
  Pending: initialListenerState,
  'Running/registering': { lifecycleStatus: 'Running', registered: false, activeCalls: 0, message: null },
  'Running/online': { lifecycleStatus: 'Running', registered: true, activeCalls: 0, message: null },
  'Running/calling': { lifecycleStatus: 'Running', registered: true, activeCalls: 1, message: null },
  Failed: { lifecycleStatus: 'Failed', registered: false, activeCalls: 0, message: 'boom' },
  Error: { lifecycleStatus: 'Error', registered: false, activeCalls: 0, message: 'crash' },
  Unknown: { lifecycleStatus: 'Unknown', registered: false, activeCalls: 0, message: 'lost' },
  Deleted: { lifecycleStatus: 'Deleted', registered: false, activeCalls: 0, message: null },
};

const events: Record<LifecycleEventType, LifecycleEvent> = {
  provisioned: { type: 'provisioned' },
  provisioningFailed: { type: 'provisioningFailed', message: 'image pull failed' },
  registering: { type: 'registering' },
  registered: { type: 'registered' },
  registrationFailed: { type: 'registrationFailed', code: 401, message: 'SIP registration failed: 401 Unauthorized' },
  callStarted: { type: 'callStarted' },
  callEnded: { type: 'callEnded' },
  errorLogged: { type: 'errorLogged', code: 480, message: 'Call refused: no SIP channel config' },
  crashed: { type: 'crashed', message: 'listener crashed' },
  lost: { type: 'lost', message: 'heartbeat lost' },
  restarted: { type: 'restarted' },
  settingsChanged: { type: 'settingsChanged' },
  deleted: { type: 'deleted' },
};

type Expect = string; // "<next state> [effects]" or "illegal"
const X = 'illegal';

/** Every (state, event) pair: the next state as the API shows it, and the effects in order. */
const table: Record<string, Record<LifecycleEventType, Expect>> = {
  Pending: {
    provisioned: 'Running/registering [startListener]',
    provisioningFailed: 'Failed [appendError]',
    registering: X, registered: X, registrationFailed: X, callStarted: X, callEnded: X,
    errorLogged: X, crashed: X, lost: X, restarted: X,
    settingsChanged: 'Pending [cancelTimers scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers]',
  },
  'Running/registering': {
    provisioned: X, provisioningFailed: X,
    registering: 'Running/registering []',
    registered: 'Running/online []',
    registrationFailed: 'Running/registering [appendError]',
    callStarted: X, callEnded: X,
    errorLogged: 'Running/registering [appendError]', crashed: 'Error [stopListener appendError scheduleRestart]',
    lost: 'Unknown [stopListener scheduleRestart]',
    restarted: X,
    settingsChanged: 'Pending [cancelTimers stopListener scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers stopListener]',
  },
  'Running/online': {
    provisioned: X, provisioningFailed: X,
    registering: 'Running/registering []',
    registered: 'Running/online []',
    registrationFailed: 'Running/registering [appendError]',
    callStarted: 'Running/calling []',
    callEnded: X,
    errorLogged: 'Running/online [appendError]', crashed: 'Error [stopListener appendError scheduleRestart]',
    lost: 'Unknown [stopListener scheduleRestart]',
    restarted: X,
    settingsChanged: 'Pending [cancelTimers stopListener scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers stopListener]',
  },
  'Running/calling': {
    provisioned: X, provisioningFailed: X,
    registering: 'Running/calling []',
    registered: 'Running/calling []',
    registrationFailed: 'Running/calling [appendError]',
    callStarted: 'Running/calling []',
    callEnded: 'Running/online []',
    errorLogged: 'Running/calling [appendError]', crashed: 'Error [stopListener appendError scheduleRestart]',
    lost: 'Unknown [stopListener scheduleRestart]',
    restarted: X,
    settingsChanged: 'Pending [cancelTimers stopListener scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers stopListener]',
  },
  Failed: {
    provisioned: X, provisioningFailed: X, registering: X, registered: X, registrationFailed: X,
    callStarted: X, callEnded: X, errorLogged: X, crashed: X, lost: X, restarted: X,
    settingsChanged: 'Pending [cancelTimers scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers]',
  },
  Error: {
    provisioned: X, provisioningFailed: X, registering: X, registered: X, registrationFailed: X,
    callStarted: X, callEnded: X, errorLogged: X, crashed: X, lost: X,
    restarted: 'Pending [scheduleProvisioning]',
    settingsChanged: 'Pending [cancelTimers scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers]',
  },
  Unknown: {
    provisioned: X, provisioningFailed: X, registering: X, registered: X, registrationFailed: X,
    callStarted: X, callEnded: X, errorLogged: X, crashed: X, lost: X,
    restarted: 'Pending [scheduleProvisioning]',
    settingsChanged: 'Pending [cancelTimers scheduleProvisioning]',
    deleted: 'Deleted [cancelTimers]',
  },
  Deleted: {
    provisioned: X, provisioningFailed: X, registering: X, registered: X, registrationFailed: X,
    callStarted: X, callEnded: X, errorLogged: X, crashed: X, lost: X, restarted: X, settingsChanged: X, deleted: X,
  },
};

describe('transition(): every (state, event) pair', () => {
  const cases = Object.entries(table).flatMap(([stateName, row]) =>
    (Object.keys(events) as LifecycleEventType[]).map((eventType) => [stateName, eventType, row[eventType]] as const),
  );

  it('covers every state and every event', () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(states).sort());
    expect(cases).toHaveLength(Object.keys(states).length * Object.keys(events).length);
  });

  it.each(cases)('%s + %s → %s', (stateName, eventType, expected) => {
    const before = states[stateName]!;
    const result = transition(before, events[eventType]);
    if (expected === X) {
      expect(result.ok).toBe(false);
      expect(result.state).toBe(before);
      if (!result.ok) expect(result.reason).toContain(eventType);
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const got = `${describeState(result.state)} [${result.effects.map((e) => e.type).join(' ')}]`;
    expect(got).toBe(expected);
  });
});

describe('transition(): details the table does not show', () => {
  it('a registration failure keeps the SIP code and message for the error log and status.message', () => {
    const result = transition(states['Running/online']!, events.registrationFailed);
    expect(result.ok && result.effects).toEqual([
      { type: 'appendError', code: 401, message: 'SIP registration failed: 401 Unauthorized' },
    ]);
    expect(result.state.message).toBe('SIP registration failed: 401 Unauthorized');
  });

  it('registering again clears the previous error message', () => {
    const failed = transition(states['Running/registering']!, events.registrationFailed).state;
    expect(transition(failed, events.registered).state.message).toBeNull();
  });

  it('a crash forgets the registration and the calls, and the restart provisions again', () => {
    const crashed = transition(states['Running/calling']!, events.crashed).state;
    expect(crashed).toMatchObject({ lifecycleStatus: 'Error', registered: false, activeCalls: 0, message: 'listener crashed' });
    const restarted = transition(crashed, events.restarted);
    expect(restarted.ok && describeState(restarted.state)).toBe('Pending');
  });

  it('sipStatus stays calling until the last of several calls ends', () => {
    let state = states['Running/online']!;
    state = transition(state, events.callStarted).state;
    state = transition(state, events.callStarted).state;
    state = transition(state, events.callEnded).state;
    expect(describeState(state)).toBe('Running/calling');
    state = transition(state, events.callEnded).state;
    expect(describeState(state)).toBe('Running/online');
  });

  it('a registration lost during a call shows after the call ends', () => {
    let state = transition(states['Running/calling']!, events.registrationFailed).state;
    state = transition(state, events.callEnded).state;
    expect(describeState(state)).toBe('Running/registering');
  });

  it('is pure: the input state is never mutated', () => {
    const before = { ...states['Running/online']! };
    transition(states['Running/online']!, events.crashed);
    expect(states['Running/online']).toEqual(before);
  });
});
