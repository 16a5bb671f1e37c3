import { describe, expect, it } from 'vitest';
import { PCMA, PCMU } from './g711.js';
import { goertzel } from './goertzel.js';
import { PROMPT_FREQUENCIES, identifyPrompts, promptHeard, prompts, type PromptName } from './prompts.js';
import { DTMF_FREQUENCIES, RINGBACK_FREQUENCIES, concatPcm, dtmfTone, multiTone, silence } from './tones.js';

const names = Object.keys(prompts) as PromptName[];

describe('prompts', () => {
  it.each(names)('%s is identified as itself and nothing else', (name) => {
    expect(identifyPrompts(prompts[name]())).toEqual([name]);
  });

  it.each(names)('%s carries energy at each of its characteristic frequencies', (name) => {
    const pcm = prompts[name]();
    // Per 100 ms window: over a whole prompt, beeps that restart their phase can cancel out.
    const strongest = (f: number) => {
      let max = 0;
      for (let i = 0; i + 800 <= pcm.length; i += 400) max = Math.max(max, goertzel(pcm.subarray(i, i + 800), f));
      return max;
    };
    for (const f of PROMPT_FREQUENCIES[name]) expect(strongest(f)).toBeGreaterThan(0.15);
  });

  it('keeps every prompt frequency 25 Hz from the others and from DTMF and ringback (beyond a 100 ms Hann window\'s 20 Hz main lobe)', () => {
    const all = names.flatMap((n) => PROMPT_FREQUENCIES[n].map((f) => [n, f] as const));
    const others = [...Object.values(DTMF_FREQUENCIES).flat(), ...RINGBACK_FREQUENCIES.filter((f) => f !== 480), 350];
    for (const [a, fa] of all) {
      for (const [b, fb] of all) if (a !== b) expect(Math.abs(fa - fb), `${a} ${fa} vs ${b} ${fb}`).toBeGreaterThanOrEqual(25);
      for (const f of others) expect(Math.abs(fa - f), `${a} ${fa} vs ${f}`).toBeGreaterThanOrEqual(25);
    }
  });

  it('finds prompts in a recording in the order they were played, through G.711 and at a lower level', () => {
    const played = concatPcm([silence(300), prompts.greeting(), silence(700), prompts.response(), silence(200), prompts.transferring()]);
    for (const codec of [PCMU, PCMA]) {
      const quieter = played.map((s) => Math.round(s / 4));
      expect(identifyPrompts(codec.decode(codec.encode(quieter)))).toEqual(['greeting', 'response', 'transferring']);
    }
    expect(promptHeard(played, 'greeting')).toBe(true);
    expect(promptHeard(played, 'noAgents')).toBe(false);
  });

  it('does not mistake ringback, DTMF or silence for a prompt', () => {
    const other = concatPcm([
      multiTone(RINGBACK_FREQUENCIES, { durationMs: 2000, amplitude: 0.2 }),
      ...Object.keys(DTMF_FREQUENCIES).flatMap((d) => [dtmfTone(d, { durationMs: 150, amplitude: 0.2 }), silence(100)]),
      silence(1000),
    ]);
    expect(identifyPrompts(other)).toEqual([]);
  });
});
