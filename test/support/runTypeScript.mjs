// `node --import ./test/support/runTypeScript.mjs cli/main.ts ...`: see tsHooks.mjs.
import { register } from 'node:module';

register('./tsHooks.mjs', import.meta.url);
