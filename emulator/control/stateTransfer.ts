import type { FaultRules } from '../core/FaultRules.js';
import type { Ids } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { Projects } from '../core/projects.js';
import type { Clock } from '../core/clock.js';
import type { StateImportReport } from '../generated/index.js';
import { captureSnapshot, parseSnapshot, restoreSnapshot, type StateSnapshot, type StateSources } from '../store/index.js';
import { ControlError } from './ControlError.js';

export type { StateImportReport, StateSnapshot };
import { controlErrors } from './errors.js';
import type { SipSide } from './EmulatorControl.js';

/** What export and import work on: the stores, and the PBX when there is one. */
export interface StateParts {
  projects: Projects;
  faults: FaultRules;
  sip: SipSide | undefined;
  ids: Ids;
  clock: Clock;
  logger: Logger;
}

const sourcesOf = (parts: StateParts): StateSources => ({
  projects: parts.projects,
  faults: parts.faults,
  accounts: parts.sip?.pbx.accounts,
  ids: parts.ids,
  now: () => parts.clock.now(),
});

/** The whole setup (`GET /_emulator/state`): passwords only with `includeSecrets`. */
export function exportState(parts: StateParts, includeSecrets: boolean): StateSnapshot {
  return captureSnapshot(sourcesOf(parts), { withSecrets: includeSecrets });
}

/**
 * Replaces the whole setup with `body` (`PUT /_emulator/state`): projects, fault rules and PBX
 * account overrides are forgotten (running listeners stop), then the snapshot's are put back with
 * their ids and `created`; its connections are provisioned as new ones. What cannot work as
 * imported (a connection or an account without its password) is named in `warnings`.
 */
export function importState(parts: StateParts, body: unknown): StateImportReport {
  let snapshot: StateSnapshot;
  try {
    snapshot = parseSnapshot(body, 'the request body');
  } catch (error) {
    throw new ControlError(controlErrors.invalidState((error as Error).message));
  }
  const warnings: string[] = [];
  for (const project of snapshot.projects) {
    for (const connection of project.sipConnections) {
      if (connection.password === undefined || connection.password === '') {
        warnings.push(`${connection.id} has no password (exported without --include-secrets): PATCH /public/sip-connections/${connection.id} with settings.password (X-Api-Key of its project); until then its registration fails`);
      }
    }
  }
  const accounts = parts.sip?.pbx.accounts;
  for (const account of snapshot.pbxAccounts) {
    if (!accounts) warnings.push(`PBX account ${account.username} not imported: this emulator runs without the SIP side (--no-sip)`);
    else if (account.password === undefined) warnings.push(`PBX account ${account.username} not imported: it has no password (exported without --include-secrets); PUT /_emulator/pbx/accounts/${account.username} with its password`);
  }

  parts.projects.clear();
  parts.faults.clear();
  accounts?.reset();
  restoreSnapshot(sourcesOf(parts), snapshot);
  for (const warning of warnings) parts.logger.warn(`state import: ${warning}`);

  const sum = (pick: (p: StateSnapshot['projects'][number]) => unknown[]) => snapshot.projects.reduce((n, p) => n + pick(p).length, 0);
  return {
    imported: {
      projects: snapshot.projects.length,
      agents: sum((p) => p.agents),
      channelConfigs: sum((p) => p.channelConfigs),
      sipConnections: sum((p) => p.sipConnections),
      pbxAccounts: accounts ? snapshot.pbxAccounts.filter((a) => a.password !== undefined).length : 0,
      faultRules: snapshot.faultRules.length,
    },
    warnings,
  };
}
