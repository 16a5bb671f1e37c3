import type { ContractRunSummary } from './runContracts.js';

const escape = (text: string) =>
  text
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * A contract run as JUnit XML (the Surefire dialect CI servers read): one `<testsuite>` per
 * group, one `<testcase>` per case, `<failure>` with the message, `<skipped>` with the reason.
 */
export function toJUnitXml(summary: ContractRunSummary, suiteName = 'omnisip contracts'): string {
  const groups = new Map<string, ContractRunSummary['results']>();
  for (const result of summary.results) groups.set(result.group, [...(groups.get(result.group) ?? []), result]);

  const suites = [...groups].map(([group, results]) => {
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    const cases = results.map((r) => {
      const open = `    <testcase classname="${escape(group)}" name="${escape(r.name)}" time="${seconds(r.durationMs)}"`;
      if (r.outcome === 'passed') return `${open}/>`;
      if (r.outcome === 'skipped') return `${open}>\n      <skipped message="${escape(r.reason ?? '')}"/>\n    </testcase>`;
      const message = r.error?.message ?? 'failed';
      return `${open}>\n      <failure message="${escape(message.split('\n')[0] ?? message)}" type="AssertionError">${escape(r.error?.stack ?? message)}</failure>\n    </testcase>`;
    });
    const failures = results.filter((r) => r.outcome === 'failed').length;
    const skipped = results.filter((r) => r.outcome === 'skipped').length;
    return `  <testsuite name="${escape(group)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}">\n${cases.join('\n')}\n  </testsuite>`;
  });

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(suiteName)}" tests="${summary.results.length}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${seconds(summary.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
