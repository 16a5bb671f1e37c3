import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { guideAgent } from '../api/index.js';
import { startEmulatorProcess } from '../calls/startEmulatorProcess.js';
import { probedMachineInfo, startProcess } from '../lib/index.js';
import { buildReport, type SoakReport, type SoakSample, type SoakSettings } from './buildReport.js';
import { faultWindows } from './faultSchedule.js';
import { request, sleep } from './http.js';
import { apiLoop, handoffLoop, sippLoop, switchFaults, type LoadContext } from './loads.js';
import { Outcomes } from './Outcomes.js';
import { prepareSoak } from './prepareSoak.js';
import { parseRtpCallLine } from './rtpCallsProtocol.js';
import { EmulatorSampler } from './sampleEmulator.js';
import { gitCommit, sippVersion } from '../lib/versions.js';

export interface SoakOptions extends Omit<SoakSettings, 'omnisipVersion' | 'gitCommit' | 'sippVersion'> {
  /** The repository root: dist/ and test/sipp/ are found from here. */
  root: string;
  log: (line: string) => void;
}

export type SoakResult = { ok: true; report: SoakReport } | { ok: false; reason: string };

/**
 * The emulator (its own process, `omnisip start`) under a steady mix for `minutes`: SIPp
 * registrations and SIPp calls through the PBX to a listener, callers with G.711 both ways (their
 * own process), handoffs to a softphone, public API traffic, and faults switched on and off. The
 * emulator is sampled every `sampleSeconds`; the report compares the last third of the samples with the first.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { root, log } = options;
  for (const built of ['dist/cli/main.js', 'dist/bench/soak/rtpCallers.js']) {
    if (!existsSync(join(root, built))) return { ok: false, reason: `no build at ${join(root, built)}: run 'npm run bench:soak' (it builds first)` };
  }
  const sipp = sippVersion();
  if (!sipp) return { ok: false, reason: 'sipp is not installed: run scripts/install-peers.sh' };
  const machine = await probedMachineInfo();
  const users = Array.from({ length: options.registerUsers }, (_, i) => ({ username: `u${i}`, password: `pw-u${i}` }));
  const emulator = await startEmulatorProcess({ root, config: { maxConcurrentCalls: 10_000, pbxAccounts: users } });
  if (!emulator.ok) return emulator;
  try {
    const prepared = await prepareSoak(emulator.apiUrl);
    if (!prepared.ok) return prepared;
    const { target } = prepared;
    const totalSeconds = options.minutes * 60;
    const windows = faultWindows(totalSeconds);
    const loadStart = Date.now();
    const outcomes = new Outcomes(windows, loadStart);
    const context: LoadContext = { apiUrl: emulator.apiUrl, sipPort: emulator.sipPort, target, outcomes, deadline: loadStart + totalSeconds * 1000, log };
    const sampler = new EmulatorSampler(emulator.apiUrl, emulator.process.pid, loadStart);
    const baseline = await sampler.read();
    log(`soak: ${options.minutes} min of load, a sample every ${options.sampleSeconds} s; faults at ${windows.map((w) => `${w.onAt}-${w.offAt} s (${w.kind})`).join(', ')}`);

    const callers = startProcess(process.execPath, [join(root, 'dist/bench/soak/rtpCallers.js'), '--pbx', `127.0.0.1:${emulator.sipPort}`, '--uri', `sip:${target.extension}@${target.domain}`, '--calls', String(options.rtpCalls), '--hold', String(options.holdSeconds), '--seconds', String(totalSeconds)], { cwd: root, stdout: 'pipe' });
    const readCallers = (async () => {
      for await (const line of createInterface({ input: callers.stdout! })) {
        const message = parseRtpCallLine(line);
        if (message?.event === 'call') outcomes.record('rtp-call', message.startedAt, message.endedAt, 1, message.ok ? 0 : 1, message.reason);
      }
      const exit = await callers.exited;
      if (exit.code !== 0) throw new Error(`the RTP callers process ended with code ${exit.code}, signal ${exit.signal}\nits stderr:\n${callers.stderrTail().trim()}`);
    })();
    const samples: SoakSample[] = [];
    const sampling = (async () => {
      for (let k = 1; k * options.sampleSeconds <= totalSeconds; k++) {
        await sleep(loadStart + k * options.sampleSeconds * 1000 - Date.now());
        const sample = await sampler.read();
        samples.push(sample);
        log(`soak ${Math.round(sample.atSeconds)} s: RSS ${Math.round(sample.rssBytes / 2 ** 20)} MiB, heap ${Math.round(sample.heapUsedBytes / 2 ** 20)} MiB, loop p99 ${sample.loopDelayMs?.p99.toFixed(2) ?? 'n/a'} ms, handles ${sample.handles}, journal ${sample.stores['journal.entries']}, call records ${sample.stores['calls.records']}`);
      }
    })();
    const rows = users.map((u) => `${u.username};sip.your-provider.com;[authentication username=${u.username} password=${u.password}]`);
    const results = await Promise.allSettled([
      sippLoop(context, { generator: 'sipp-register', scenario: join(root, 'test/sipp/register.xml'), rows, rate: options.registerRate }),
      sippLoop(context, { generator: 'sipp-call', scenario: join(root, 'test/sipp/call-setup.xml'), rows: [`${target.extension};${target.domain}`], rate: options.callRate, extraArgs: ['-recv_timeout', '5000'] }),
      handoffLoop(context, options.handoffEverySeconds),
      apiLoop(context, options.apiRate, guideAgent),
      switchFaults(context, windows, loadStart),
      readCallers,
      sampling,
    ]);
    await request(`${emulator.apiUrl}/_emulator/faults`, 'DELETE');
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) return { ok: false, reason: `bench:soak: a load generator failed: ${(failure.reason as Error)?.stack ?? String(failure.reason)}` };
    const report = buildReport({
      machine,
      settings: {
        minutes: options.minutes,
        sampleSeconds: options.sampleSeconds,
        warmupSeconds: options.warmupSeconds,
        registerRate: options.registerRate,
        registerUsers: options.registerUsers,
        callRate: options.callRate,
        rtpCalls: options.rtpCalls,
        holdSeconds: options.holdSeconds,
        handoffEverySeconds: options.handoffEverySeconds,
        apiRate: options.apiRate,
        omnisipVersion: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
        gitCommit: gitCommit(root),
        sippVersion: sipp,
      },
      faults: windows,
      outcomes: outcomes.summary(),
      baseline,
      samples,
      bounds: sampler.bounds,
    });
    return { ok: true, report };
  } finally {
    await emulator.process.stop();
  }
}
