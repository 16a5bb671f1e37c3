/**
 * A scenario's text with its passwords replaced: a step as written, or a diff, may carry one, and
 * reports (pretty, JUnit, JSON, TAP, the dashboard's Scenarios view) must not.
 */
export function redactSecrets(text: string): string {
  return text.replace(/(["']?\b(?:password|passwd|auth_pass|secret)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^,}\s]+)/gi, '$1[secret]');
}

/** Where in a scenario file a step was written, for `file:line:column` in failures. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A step whose expectation did not hold: what was expected, what happened, and, when a call was
 * involved, its ladder. The runner adds the step's location.
 */
export class ScenarioFailure extends Error {
  location: SourceLocation | undefined;
  /** The step as written, e.g. `wait: connection … Running/online within 30 s`. */
  step: string | undefined;
  /** True when an API step's response did not match its `expect` (the failure points there). */
  fromExpectation = false;

  constructor(
    message: string,
    readonly details: {
      expected?: unknown;
      actual?: unknown;
      /** A line-by-line diff, `-` expected, `+` actual. */
      diff?: string;
      /** A text ladder of the call involved (columns per party). */
      ladder?: string;
      /** The control API's call id, for a link to the dashboard's ladder. */
      callId?: string;
    } = {},
  ) {
    super(message);
    this.name = 'ScenarioFailure';
  }

  /** The failure as a person reads it: where, what, the diff, the ladder. */
  render(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.column}` : undefined;
    const lines = [`${where ? `${where}: ` : ''}${this.message}`];
    if (this.step) lines.push(`  step: ${this.step}`);
    if (this.details.diff) lines.push('  expected (-) against actual (+):', ...this.details.diff.split('\n').map((l) => `    ${l}`));
    else {
      if (this.details.expected !== undefined) lines.push(`  expected: ${oneLine(this.details.expected)}`);
      if (this.details.actual !== undefined) lines.push(`  actual:   ${oneLine(this.details.actual)}`);
    }
    if (this.details.ladder) lines.push('', ...this.details.ladder.split('\n').map((l) => `  ${l}`));
    return redactSecrets(lines.join('\n'));
  }
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
