import type { ScenarioResult } from '../runner/runScenario.js';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const seconds = (ms: number) => (ms / 1000).toFixed(3);
const mark = { passed: '✓', failed: '✗', error: '!' } as const;

/** One line per scenario as it finishes: `✓ name (1.42 s)`, and a failure's whole story under it. */
export function prettyLine(result: ScenarioResult): string {
  const head = `${mark[result.status]} ${result.plan.name} (${seconds(result.durationMs)} s)  ${result.plan.file}`;
  if (!result.failure) return head;
  const body = result.failure.render().split('\n').map((l) => `    ${l}`).join('\n');
  return `${head}\n${body}${result.journalFile ? `\n    journal: ${result.journalFile}` : ''}`;
}

export function prettySummary(results: readonly ScenarioResult[], wallMs: number): string {
  const count = (s: ScenarioResult['status']) => results.filter((r) => r.status === s).length;
  return `\n${results.length} scenarios: ${count('passed')} passed, ${count('failed')} failed, ${count('error')} errors (${seconds(wallMs)} s)`;
}

/**
 * JUnit XML as CI systems read it: one testsuite per file, one testcase per scenario (or matrix
 * row) with its file and line, a failure (or error) with the message and the whole story, and the
 * ladder and journal path in system-out.
 */
export function junitReport(results: readonly ScenarioResult[], wallMs: number): string {
  const byFile = new Map<string, ScenarioResult[]>();
  for (const r of results) byFile.set(r.plan.file, [...(byFile.get(r.plan.file) ?? []), r]);
  const count = (list: readonly ScenarioResult[], s: ScenarioResult['status']) => list.filter((r) => r.status === s).length;
  const suites = [...byFile].map(([file, list]) => {
    const cases = list.map((r) => {
      const attrs = `name="${escapeXml(r.plan.name)}" classname="${escapeXml(file.replace(/\.ya?ml$/, '').replace(/[/\\]/g, '.'))}" file="${escapeXml(file)}" line="${r.plan.location.line}" time="${seconds(r.durationMs)}"`;
      if (!r.failure) return `    <testcase ${attrs}/>`;
      const tag = r.status === 'error' ? 'error' : 'failure';
      const where = r.failure.location ? `${r.failure.location.file}:${r.failure.location.line}:${r.failure.location.column}: ` : '';
      const out = [r.failure.details.ladder, r.journalFile && `journal: ${r.journalFile}`].filter(Boolean).join('\n\n');
      return `    <testcase ${attrs}>\n      <${tag} message="${escapeXml(where + r.failure.message)}" type="${r.status === 'error' ? 'ScenarioError' : 'ScenarioFailure'}">${escapeXml(r.failure.render())}</${tag}>${out ? `\n      <system-out>${escapeXml(out)}</system-out>` : ''}\n    </testcase>`;
    });
    const time = list.reduce((sum, r) => sum + r.durationMs, 0);
    return `  <testsuite name="${escapeXml(file)}" tests="${list.length}" failures="${count(list, 'failed')}" errors="${count(list, 'error')}" skipped="0" time="${seconds(time)}" timestamp="${new Date().toISOString()}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="omnisip scenarios" tests="${results.length}" failures="${count(results, 'failed')}" errors="${count(results, 'error')}" time="${seconds(wallMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** The results as JSON: each scenario with its steps, status, failure (rendered) and journal. */
export function jsonReport(results: readonly ScenarioResult[], wallMs: number): string {
  return `${JSON.stringify(
    {
      durationMs: Math.round(wallMs),
      scenarios: results.map((r) => ({
        name: r.plan.name,
        file: r.plan.file,
        line: r.plan.location.line,
        status: r.status,
        durationMs: Math.round(r.durationMs),
        seed: r.seed,
        ...(r.journalFile && { journal: r.journalFile }),
        steps: r.steps.map((s) => ({ ...s, durationMs: Math.round(s.durationMs) })),
        ...(r.failure && {
          failure: { message: r.failure.message, location: r.failure.location, text: r.failure.render(), ...(r.failure.details.callId && { callId: r.failure.details.callId }) },
        }),
      })),
    },
    null,
    2,
  )}\n`;
}

/** TAP version 14: `ok`/`not ok` per scenario, the failure as YAML diagnostics. */
export function tapReport(results: readonly ScenarioResult[]): string {
  const lines = ['TAP version 14', `1..${results.length}`];
  results.forEach((r, i) => {
    lines.push(`${r.status === 'passed' ? 'ok' : 'not ok'} ${i + 1} - ${r.plan.name.replace(/#/g, '\\#')}`);
    if (r.failure) {
      lines.push('  ---', `  message: ${JSON.stringify(r.failure.message)}`, `  at: ${JSON.stringify(r.failure.location ? `${r.failure.location.file}:${r.failure.location.line}:${r.failure.location.column}` : r.plan.file)}`, '  text: |');
      for (const l of r.failure.render().split('\n')) lines.push(`    ${l}`);
      lines.push('  ...');
    }
  });
  return `${lines.join('\n')}\n`;
}
