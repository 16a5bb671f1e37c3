import { describe, expect, it } from 'vitest';
import { silence, sine } from '../../../media/index.js';
import { AgentBehaviour } from './AgentBehaviour.js';
import { asksForHuman, handoffTerms } from './handoffRule.js';

const handoffOn = { enabled: true, transferExtension: '200', transferDescription: 'Transfer when the caller asks for a manager or says "billing"' };

function feed(agent: AgentBehaviour, pcm: Int16Array, startMs: number) {
  const actions = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) actions.push(...agent.audio(pcm.subarray(i, i + 160), startMs + (i / 160) * 20));
  return actions;
}

describe('AgentBehaviour', () => {
  it('greets on answer', () => {
    expect(new AgentBehaviour({ turnDetection: {}, handoff: handoffOn }).answered()).toEqual([{ type: 'say', prompt: 'greeting', why: 'call answered' }]);
  });

  it('responds once the caller has spoken and then been silent for silence_duration_ms', () => {
    const agent = new AgentBehaviour({ turnDetection: { threshold: 0.5, silence_duration_ms: 400 }, handoff: handoffOn });
    const speech = sine(440, { amplitude: 0.5, durationMs: 600 });
    expect(feed(agent, speech, 0).filter((a) => a.type === 'say')).toEqual([]);
    expect(feed(agent, silence(380), 600).filter((a) => a.type === 'say')).toEqual([]);
    const after = feed(agent, silence(100), 980);
    expect(after.filter((a) => a.type === 'say')).toEqual([{ type: 'say', prompt: 'response', why: 'caller silent for 400 ms' }]);
  });

  it('ignores audio below the threshold', () => {
    const agent = new AgentBehaviour({ turnDetection: { threshold: 0.9, silence_duration_ms: 200 }, handoff: handoffOn });
    const quiet = sine(440, { amplitude: 0.02, durationMs: 600 });
    expect([...feed(agent, quiet, 0), ...feed(agent, silence(500), 600)].filter((a) => a.type === 'say')).toEqual([]);
  });

  it('transfers on DTMF 0 or on asking for a person, saying so first', () => {
    const agent = new AgentBehaviour({ turnDetection: {}, handoff: handoffOn });
    expect(agent.dtmf('5', 0).map((a) => a.type)).toEqual(['heard']);
    expect(agent.dtmf('0', 10)).toEqual([
      { type: 'heard', what: 'DTMF 0', atMs: 10 },
      { type: 'say', prompt: 'transferring', why: 'caller pressed 0' },
      { type: 'transfer', extension: '200', why: 'caller pressed 0' },
    ]);
    const other = new AgentBehaviour({ turnDetection: {}, handoff: handoffOn });
    expect(other.utterance('What are your opening hours?', 0).map((a) => a.type)).toEqual(['heard', 'say']);
    expect(other.utterance('Can I talk to a real person please', 1).map((a) => a.type)).toEqual(['heard', 'say', 'transfer']);
  });

  it('never transfers with handoff disabled, or without a transferExtension', () => {
    for (const handoff of [{ ...handoffOn, enabled: false }, { enabled: true }]) {
      const agent = new AgentBehaviour({ turnDetection: {}, handoff });
      const actions = [...agent.dtmf('0', 0), ...agent.utterance('I want a human, an operator, a manager!', 1)];
      expect(actions.some((a) => a.type === 'transfer')).toBe(false);
    }
  });

  it('after a failed transfer says so and can transfer again', () => {
    const agent = new AgentBehaviour({ turnDetection: {}, handoff: handoffOn });
    agent.dtmf('0', 0);
    expect(agent.transferFailed(486)).toEqual([{ type: 'say', prompt: 'transferFailed', why: 'transfer failed with 486' }]);
    expect(agent.dtmf('0', 1).some((a) => a.type === 'transfer')).toBe(true);
  });
});

describe('handoff keyword rule', () => {
  it('adds the terms the transferDescription names', () => {
    const terms = handoffTerms(handoffOn.transferDescription);
    expect(terms).toEqual(expect.arrayContaining(['human', 'manager', 'billing']));
    expect(asksForHuman('I have a billing question', terms)).toBe(true);
    expect(asksForHuman('my order is late', terms)).toBe(false);
    expect(asksForHuman('HUMAN!!!', terms)).toBe(true);
    expect(asksForHuman('humanity is great', terms)).toBe(false);
  });
});
