import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { readProfileDocument } from '../emulator/http/openapiDocument.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { startPrismProxy, type PrismProxy } from '../test/support/prism.js';
import { createContractContext } from './createContractContext.js';
import { contractCases } from './suite.js';
import type { ContractContext, ContractEnvironment, ContractProfile } from './types.js';

const apiKey = 'contract-key';
const otherApiKey = 'contract-other-key';

/** Prism validates against the profile's own document: openapi.yaml, or it with the latest overlay applied. */
function documentOf(profile: ContractProfile): string {
  if (profile === 'guide') return 'openapi.yaml';
  const file = join(mkdtempSync(join(tmpdir(), 'omnisip-contracts-')), `openapi-${profile}.json`);
  writeFileSync(file, JSON.stringify(readProfileDocument(profile)));
  return file;
}

describe.each(['guide', 'latest'] as const)('the contract suite against omnisip --api-profile %s', (profile) => {
  const environment: ContractEnvironment = { target: 'emulator', profile, strict: true, hasOtherApiKey: true, allowSip: true };
  let emulator: RunningEmulator;
  let prism: PrismProxy;
  /** Valid traffic goes through Prism, which fails any exchange that does not match the profile's document. */
  let throughPrism: ContractContext;
  /**
   * Cases that send invalid requests on purpose go straight to the emulator: Prism would answer
   * them itself (its own 401, 404 or 422) and they would never reach it. Their responses are still
   * checked against the document, by the emulator itself (`validateResponses` turns a mismatch
   * into a 500, which no case accepts).
   */
  let direct: ContractContext;

  beforeAll(async () => {
    // The suite compares `created` with the wall clock, as it would against the real API.
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', logLevel: 'silent', validateResponses: true, seed: 1, clockStart: Date.now(), apiProfile: profile });
    prism = await startPrismProxy({ upstream: emulator.url, document: documentOf(profile) });
    throughPrism = createContractContext({ baseUrl: prism.url, apiKey, otherApiKey, target: 'emulator', profile });
    direct = createContractContext({ baseUrl: emulator.url, apiKey, otherApiKey, target: 'emulator', profile });
  });

  afterAll(async () => {
    await prism?.stop();
    await emulator?.close();
  });

  const groups = [...new Set(contractCases.map((c) => c.group))];
  for (const group of groups) {
    describe(group, () => {
      for (const c of contractCases.filter((x) => x.group === group)) {
        const reason = c.skip?.(environment);
        if (reason) it.skip(`${c.name} (skipped: ${reason})`, () => {});
        else it(c.name, () => c.run(c.sendsInvalidRequests ? direct : throughPrism));
      }
    });
  }

  describe('the run as a whole', () => {
    it('every case cleaned up after itself: both projects are empty', async () => {
      for (const key of [apiKey, otherApiKey]) {
        for (const path of ['/public/agents', '/public/sip-connections']) {
          const res = await throughPrism.request('GET', path, { key });
          assert.equal(res.status, 200);
          assert.equal((res.body as { totalCount: number }).totalCount, 0, `${path} of ${key} still holds ${res.text}`);
        }
      }
    });
  });
});
