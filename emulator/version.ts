import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './http/packageRoot.js';

/** omnisip's version, from its package.json. */
export const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
