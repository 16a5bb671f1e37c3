import { describe, expect, it } from 'vitest';
import { lineDiff } from './matchers.js';

describe('lineDiff', () => {
  it('keeps common lines and shows what was expected before what came', () => {
    expect(lineDiff('{\n  "status": 200,\n  "body": {}\n}', '{\n  "status": 404,\n  "body": {}\n}')).toBe('  {\n-   "status": 200,\n+   "status": 404,\n    "body": {}\n  }');
  });
  it('an empty side is all additions or all removals', () => {
    expect(lineDiff('a\nb', 'a')).toBe('  a\n- b');
    expect(lineDiff('a', 'a\nb')).toBe('  a\n+ b');
  });
});
