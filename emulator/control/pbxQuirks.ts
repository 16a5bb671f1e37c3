import type { Logger } from '../core/logger.js';
import type { PbxAccount, PbxAccountPut, PbxQuirks } from '../generated/index.js';
import { quirksProblem, type Pbx } from '../pbx/index.js';
import { ControlError } from './ControlError.js';
import { controlErrors } from './errors.js';

/** putPbxAccount: the account's credentials and quirks; quirks given in-process are checked as the HTTP API checks them. */
export function putPbxAccount(pbx: Pbx, logger: Logger, username: string, body: PbxAccountPut): PbxAccount {
  if (body.quirks !== undefined) checkQuirks(body.quirks);
  const account = pbx.accounts.put(username, { password: body.password, ...(body.domain !== undefined && { domain: body.domain }), ...(body.quirks !== undefined && { quirks: body.quirks }) });
  const quirks = Object.keys(account.quirks).length > 0 ? ` with quirks ${JSON.stringify(account.quirks)}` : '';
  logger.info(`PBX account ${username} set through the control API${quirks} (overrides the connection's credentials)`);
  return account;
}

/** putPbxQuirks: replaces every PBX-wide quirk. */
export function putPbxQuirks(pbx: Pbx, logger: Logger, body: PbxQuirks): PbxQuirks {
  checkQuirks(body);
  const quirks = pbx.quirks.set(body);
  logger.info(`PBX quirks set through the control API: ${JSON.stringify(quirks)}`);
  return quirks;
}

function checkQuirks(quirks: unknown): void {
  const problem = quirksProblem(quirks);
  if (problem !== undefined) throw new ControlError(controlErrors.invalidQuirks(problem));
}
