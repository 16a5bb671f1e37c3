import { describe, expect, it } from 'vitest';
import { prettyLine, runScenarios } from '../scenarios/index.js';

describe('the scenario library', () => {
  it('every scenario of scenarios/library passes, each in its own world, two at once', async () => {
    const results = await runScenarios(['scenarios/library'], { parallel: 2 });
    const failed = results.filter((r) => r.status !== 'passed');
    expect(failed.map(prettyLine).join('\n')).toBe('');
    // 26 files, two of them (and the handoff by DTMF) twice: over UDP and over TCP.
    expect(results.length).toBeGreaterThanOrEqual(28);
    console.log(`scenario library: ${results.length} scenarios, slowest ${results.map((r) => `${r.plan.name} ${(r.durationMs / 1000).toFixed(2)} s`).sort((a, b) => parseFloat(b.split(' ').at(-2)!) - parseFloat(a.split(' ').at(-2)!))[0]}`);
  }, 180_000);
});
