import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBundledCli } from './runApiBenchmark.js';

describe('isBundledCli', () => {
  // scripts/bundle-cli.mjs splits the bundle with chunkNames 'chunks/[name]-[hash]'; tsc's entry imports its sibling modules.
  it("tells the build's bundled CLI entry from tsc's plain one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnisip-cli-'));
    writeFileSync(join(dir, 'bundled.js'), '#!/usr/bin/env node\nimport {\n  UsageError\n} from "./chunks/chunk-NLDT43WB.js";\n');
    writeFileSync(join(dir, 'plain.js'), "#!/usr/bin/env node\nimport { UsageError } from './args.js';\n");
    expect(isBundledCli(join(dir, 'bundled.js'))).toBe(true);
    expect(isBundledCli(join(dir, 'plain.js'))).toBe(false);
  });
});
