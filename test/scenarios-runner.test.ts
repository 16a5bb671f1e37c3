import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { scenarioCommand } from '../cli/scenarioCommand.js';
import { loadScenario, redactSecrets, ScenarioFileError, runScenarios, type ScenarioResult } from '../scenarios/index.js';

const FIXTURES = 'test/fixtures/scenarios';
const out = mkdtempSync(join(tmpdir(), 'omnisip-scenarios-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs `omnisip scenario …` in this process and returns its exit code and what it printed. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    return { code: await scenarioCommand(argv), stdout };
  } finally {
    spy.mockRestore();
  }
}

const byName = (results: ScenarioResult[], name: string) => results.find((r) => r.plan.name === name)!;

describe('scenario runner: a failure says where, what and shows the call', () => {
  let results: ScenarioResult[];
  it('runs the failing fixtures in fresh worlds, two at once, and reports each', async () => {
    results = await runScenarios([join(FIXTURES, 'failing')], { parallel: 2, outDir: join(out, 'runs') });
    expect(results.map((r) => [r.plan.name, r.status])).toEqual([
      ['a handoff expected without asking for one', 'failed'],
      ['an agent is created', 'passed'],
      ['a failing step that carries a password on its own line', 'failed'],
      ['a connection expected to exist that does not', 'failed'],
    ]);
  }, 60_000);

  it('a wrong status points at the expect line and diffs status and body', () => {
    const failure = byName(results, 'a connection expected to exist that does not').failure!;
    expect(failure.location).toEqual({ file: join(FIXTURES, 'failing/wrong-status.yaml'), line: 9, column: 5 });
    const text = failure.render();
    expect(text).toMatch(/^test\/fixtures\/scenarios\/failing\/wrong-status\.yaml:9:5: /);
    expect(text).toContain('-   "status": 200');
    expect(text).toContain('+   "status": 404');
  });

  it('an unknown PBX quirk in an account step is an error at the step that names the field the control API refused', async () => {
    const [result] = await runScenarios([join(FIXTURES, 'erroring/unknown-quirk.yaml')]);
    expect(result!.status).toBe('error');
    expect(result!.failure!.location).toEqual({ file: join(FIXTURES, 'erroring/unknown-quirk.yaml'), line: 5, column: 5 });
    expect(result!.failure!.render()).toMatch(/^test\/fixtures\/scenarios\/erroring\/unknown-quirk\.yaml:5:5: PUT \/_emulator\/pbx\/accounts\/101 answered 400: 'quirks' has an unknown field 'strictDigestURI' \(the known ones are strictDigestUri, /);
  }, 30_000);

  it('a missing REFER names the step and shows the call ladder with the INVITE and the agent', () => {
    const failure = byName(results, 'a handoff expected without asking for one').failure!;
    expect(failure.location).toMatchObject({ file: join(FIXTURES, 'failing/missing-refer.yaml'), line: 10 });
    expect(failure.message).toMatch(/REFER/);
    const ladder = failure.details.ladder ?? '';
    expect(ladder).toMatch(/caller/);
    expect(ladder).toMatch(/agent/);
    expect(ladder).toMatch(/INVITE/);
    expect(ladder).toMatch(/200/);
    expect(ladder).not.toMatch(/REFER/);
    expect(failure.details.callId).toMatch(/./);
  });

  it('ten virtual minutes and more pass in well under a second: the one-hour refresh', async () => {
    const [result] = await runScenarios(['scenarios/library/one-hour-refresh.yaml']);
    expect(result!.status).toBe('passed');
    expect(result!.durationMs).toBeLessThan(1000);
  }, 30_000);

  it("each run's journal is written for replay, its passwords redacted", () => {
    const files = readdirSync(join(out, 'runs'));
    expect(files).toHaveLength(4);
    const wrongStatus = readFileSync(join(out, 'runs', files.find((f) => f.includes('wrong-status'))!), 'utf8');
    expect(wrongStatus).toContain('/public/sip-connections/conn_does_not_exist');
    expect(wrongStatus).toMatch(/\[secret \d+\]/);
    for (const file of files) expect(readFileSync(join(out, 'runs', file), 'utf8'), file).not.toContain('s3cret-fixture-pw');
  });
});

describe('scenario files are checked before they run', () => {
  it('every file of the library loads and validates against scenario.schema.json', () => {
    const files = readdirSync('scenarios/library').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const file of files) {
      const text = readFileSync(join('scenarios/library', file), 'utf8');
      expect(text.split('\n')[0], file).toBe('# yaml-language-server: $schema=../scenario.schema.json');
      expect(loadScenario(join('scenarios/library', file)).length, file).toBeGreaterThan(0);
    }
  });

  it('a misspelt action is an error at its line that names the action meant', () => {
    let error: unknown;
    try {
      loadScenario(join(FIXTURES, 'invalid/typo.yaml'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioFileError);
    expect((error as ScenarioFileError).location).toMatchObject({ line: 6 });
    expect((error as Error).message).toMatch(/wiat/);
    expect((error as Error).message).toMatch(/did you mean .*wait/);
  });
});

describe('omnisip scenario run', () => {
  it('writes JUnit that a JUnit reader counts: the failures as failures, the pass as a pass; exits 1', async () => {
    const dir = join(out, 'junit');
    const { code, stdout } = await cli(['run', join(FIXTURES, 'failing'), '--reporter', 'junit', '--out', dir, '--parallel', '2']);
    expect(code).toBe(1);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(stdout).toBe(xml);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml);
    const suites = parsed.testsuites.testsuite as Array<{ name: string; tests: string; failures: string; testcase: Array<{ name: string; failure?: { message: string } }> }>;
    expect(parsed.testsuites.tests).toBe('4');
    expect(parsed.testsuites.failures).toBe('3');
    const cases = suites.flatMap((s) => s.testcase);
    expect(cases.filter((c) => c.failure).map((c) => c.name).sort()).toEqual(['a connection expected to exist that does not', 'a failing step that carries a password on its own line', 'a handoff expected without asking for one']);
    expect(cases.find((c) => c.name === 'a connection expected to exist that does not')!.failure!.message).toMatch(/wrong-status\.yaml:9:5/);
    // A password in a scenario reaches the emulator, never a report (the failing step as written included) or a journal.
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file), 'utf8'), file).not.toContain('s3cret-fixture-pw');
    expect(stdout).not.toContain('s3cret-fixture-pw');
  }, 60_000);

  it('a file that does not load is an error in the report, not a crash', async () => {
    const { code, stdout } = await cli(['run', join(FIXTURES, 'invalid'), '--reporter', 'tap', '--out', join(out, 'tap')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^TAP version 14\n1\.\.1\nnot ok 1 /);
    expect(stdout).toMatch(/typo\.yaml:6:/);
  });

  it('redacts a password however a step writes it', () => {
    expect(redactSecrets('body: { password: "a b", transport: UDP }')).toBe('body: { password: [secret], transport: UDP }');
    expect(redactSecrets(`{"settings":{"password":"x","username":"101"}}`)).toBe(`{"settings":{"password":[secret],"username":"101"}}`);
    expect(redactSecrets('account: { username: "200", password: human }')).toBe('account: { username: "200", password: [secret] }');
  });

  it('--help explains run and from-journal', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--reporter <pretty\|junit\|json\|tap>/);
    expect(stdout).toMatch(/from-journal/);
  });
});
