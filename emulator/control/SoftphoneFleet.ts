import { writeWav, type SdpCodec } from '../../media/index.js';
import type { RandomSource } from '../../random/index.js';
import { Softphone, type SoftphoneCall, type SoftphoneOptions } from '../../softphone/index.js';
import type { AutoAnswer, Softphone as SoftphoneView, SoftphoneCreate } from '../generated/index.js';
import { capturedEndedCalls, type CallRecord, type Calls } from '../core/calls.js';
import { wallClockMs } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { failed, success, type Result } from '../core/result.js';
import type { CallNoteEntry, Journal } from '../journal/index.js';
import { sipRecorder } from '../journal/sipRecorder.js';
import type { Pbx } from '../pbx/index.js';
import { controlErrors } from './errors.js';

/** Codecs a test call may offer by name: G.711, which softphones play, and two they only name (for a codec mismatch). */
const OFFERABLE_CODECS: Record<string, SdpCodec> = {
  PCMU: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
  PCMA: { name: 'PCMA', payloadType: 8, clockRate: 8000 },
  G722: { name: 'G722', payloadType: 9, clockRate: 8000 },
  G729: { name: 'G729', payloadType: 18, clockRate: 8000 },
};

/** The domain emulator softphones use: a name, so the built-in PBX serves it. */
export const softphoneDomain = 'omnisip.local';

interface Member {
  phone: Softphone;
  transport: 'UDP' | 'TCP';
  autoAnswer: Required<AutoAnswer>;
}

/**
 * The softphones that run inside the emulator (`/_emulator/softphones`): callers placed by
 * `POST /_emulator/calls`, and humans that take handoffs. Every call they make or take is a
 * record in the call registry, with its timeline and its packets for the pcap.
 */
export class SoftphoneFleet {
  private readonly members = new Map<string, Member>();
  /** Our softphones' legs of each call record: the caller's (outgoing) and the callee's (incoming); both when two of ours talk. */
  private readonly legs = new Map<string, { caller?: SoftphoneCall; callee?: SoftphoneCall }>();
  /** Recordings of ended legs, so they can be fetched after the call: those of the latest `capturedEndedCalls` calls, oldest first. */
  private readonly finished = new Map<string, { caller?: Int16Array; callee?: Int16Array }>();

  constructor(
    private readonly pbx: Pbx,
    private readonly registry: Calls,
    private readonly journal: Journal,
    private readonly random: RandomSource,
    private readonly logger: Logger,
    /** The softphones' own timers (session refreshes) run on the emulator clock. */
    private readonly scheduler?: SoftphoneOptions['scheduler'],
  ) {}

  async create(body: SoftphoneCreate, register = true): Promise<Result<SoftphoneView>> {
    if (this.members.has(body.username)) return failed(controlErrors.softphoneExists(body.username));
    const random = this.random.fork(`softphone:${body.username}`);
    const password = body.password ?? random.bytes(12).toString('hex');
    const transport = body.transport ?? 'UDP';
    const autoAnswer = { status: body.autoAnswer?.status ?? 200, afterMs: body.autoAnswer?.afterMs ?? 0 };
    this.pbx.accounts.put(body.username, { password, domain: softphoneDomain });
    let phone: Softphone;
    try {
      phone = await Softphone.start({
        username: body.username,
        password,
        domain: softphoneDomain,
        server: this.pbx.endpoint(transport),
        register,
        autoAnswer,
        logger: this.logger,
        random,
        onSipMessage: sipRecorder(this.journal, { stack: 'softphone', username: body.username }),
        onRtpPacket: (callId, packet) => this.registry.captureRtp(callId, packet, wallClockMs()),
        ...(this.scheduler && { scheduler: this.scheduler }),
      });
    } catch (error) {
      return failed(controlErrors.softphoneFailed(body.username, (error as Error).message));
    }
    phone.on('incoming', (call: SoftphoneCall) => this.follow(call, body.username));
    this.members.set(body.username, { phone, transport, autoAnswer });
    this.logger.info(`softphone ${body.username} started (${transport}, ${register ? 'registered' : 'not registered'}, answers ${autoAnswer.status})`);
    return success(this.view(body.username)!);
  }

  list(): SoftphoneView[] {
    return [...this.members.keys()].map((u) => this.view(u)!);
  }

  async delete(username: string): Promise<Result<void>> {
    const member = this.members.get(username);
    if (!member) return failed(controlErrors.softphoneNotFound(username));
    this.members.delete(username);
    await member.phone.stop();
    return success(undefined);
  }

  /** `from` calls `to` through the PBX; `from` is started (unregistered) if it does not run. */
  async call(from: string, to: string, transport: 'UDP' | 'TCP' = 'UDP', codecs?: readonly string[]): Promise<Result<CallRecord>> {
    if (!this.members.has(from)) {
      const started = await this.create({ username: from, transport }, false);
      if (!started.ok) return started;
    }
    const offered = codecs?.map((name) => OFFERABLE_CODECS[name]!);
    // The call-setup quirks of the caller's account, else the callee's (an INVITE to the agent under
    // lateOffer or require100rel), are how the phone calls: the PBX is a proxy, it cannot rewrite the offer.
    const callerQuirks = this.pbx.quirksFor(from);
    const calleeQuirks = this.pbx.quirksFor(to);
    const quirks = { lateOffer: callerQuirks.lateOffer ?? calleeQuirks.lateOffer, require100rel: callerQuirks.require100rel ?? calleeQuirks.require100rel, sessionTimers: callerQuirks.sessionTimers ?? calleeQuirks.sessionTimers };
    const call = this.members.get(from)!.phone.call(`sip:${to}@${softphoneDomain}`, {
      ...(offered && { codecs: offered }),
      lateOffer: quirks.lateOffer === true,
      require100rel: quirks.require100rel === true,
      // A phone that supports session timers asks for the smallest interval (RFC 4028 §4): the PBX's Min-SE decides.
      ...(quirks.sessionTimers && { sessionExpires: 90 }),
    });
    const record = this.follow(call, from);
    const applied = [
      ...(quirks.lateOffer ? ['INVITE without SDP (lateOffer)'] : []),
      ...(quirks.require100rel ? ['Require: 100rel (require100rel)'] : []),
      ...(quirks.sessionTimers ? ['Session-Expires: 90, refreshing at half the granted interval (sessionTimers)'] : []),
    ];
    if (applied.length > 0) {
      this.journal.record({ kind: 'call.note', callId: record.id, sipCallId: record.callId, connectionId: record.connectionId, topic: 'caller', text: `softphone ${from}: calls with ${applied.join(', ')}, as the PBX quirks of ${from} or ${to} say` });
    }
    return success(record);
  }

  /** What our softphone on that side heard (default: the caller's side when it is ours), kept after the call ends for the latest 50 calls (as their RTP). */
  recording(recordId: string, side?: 'caller' | 'callee'): Int16Array | undefined {
    const live = this.legs.get(recordId);
    const done = this.finished.get(recordId);
    const pick = side ?? (live?.caller || done?.caller ? 'caller' : 'callee');
    return live?.[pick]?.recording() ?? done?.[pick];
  }

  /** That recording as a WAV file (8 kHz, 16-bit mono). */
  recordingWav(recordId: string, side?: 'caller' | 'callee'): Buffer | undefined {
    const pcm = this.recording(recordId, side);
    return pcm && Buffer.from(writeWav(pcm));
  }

  /** What the fleet holds now (read-only, for diagnostics): softphones, legs in progress, kept recordings and their bytes. */
  usage(): { softphones: number; liveCalls: number; recordings: number; recordingBytes: number } {
    let recordingBytes = 0;
    for (const kept of this.finished.values()) recordingBytes += (kept.caller?.byteLength ?? 0) + (kept.callee?.byteLength ?? 0);
    return { softphones: this.members.size, liveCalls: this.legs.size, recordings: this.finished.size, recordingBytes };
  }

  /** The leg that acts for the caller (DTMF, tones, hangup): the caller's when it is ours, else the callee's. */
  leg(recordId: string): SoftphoneCall | undefined {
    const legs = this.legs.get(recordId);
    return legs?.caller ?? legs?.callee;
  }

  async stopAll(): Promise<void> {
    const phones = [...this.members.values()].map((m) => m.phone.stop());
    this.members.clear();
    this.legs.clear();
    this.finished.clear();
    await Promise.allSettled(phones);
  }

  /** Mirrors one softphone call into the registry: state changes, DTMF, transfers. */
  private follow(call: SoftphoneCall, username: string): CallRecord {
    const outgoing = call.direction === 'outgoing';
    const remoteUser = /^sips?:([^@;>]+)@/.exec(call.remote)?.[1] ?? call.remote;
    const record = this.registry.open({ callId: call.callId, from: outgoing ? username : remoteUser, to: outgoing ? remoteUser : username, at: wallClockMs() });
    const side = outgoing ? 'caller' : 'callee';
    this.legs.set(record.id, { ...this.legs.get(record.id), [side]: call });
    const ref = () => ({ callId: record.id, sipCallId: record.callId, connectionId: record.connectionId });
    const note = (topic: CallNoteEntry['topic'], text: string) => this.journal.record({ kind: 'call.note', ...ref(), topic, text: `softphone ${username}: ${text}` });
    note('sip', outgoing ? `calling ${call.remote}` : `incoming call from ${call.remote}`);
    const answered = () => {
      this.registry.setState(record, 'active', wallClockMs());
      note('sip', 'answered');
    };
    call.on('answered', answered);
    // A leg that follows a REFER may be answered before anyone listens (RFC 3515 §2.4.7's new INVITE).
    if (call.state === 'active') answered();
    call.on('dtmf', (digit: string) => this.journal.record({ kind: 'dtmf', ...ref(), digit, method: 'rfc4733', heardBy: `softphone:${username}` }));
    call.on('refer', ({ referTo }: { referTo: string }) => note('transfer', `REFER to ${referTo} accepted (202); calling the target`));
    call.on('transferred', (next: SoftphoneCall) => {
      note('transfer', `transferred: now in call ${next.callId} with ${next.remote}`);
      this.follow(next, username).transferOf ??= record.id;
    });
    void call.ended.then(({ reason, status }) => {
      const stats = call.rtpStats();
      if (stats && !record.rtp) record.rtp = stats;
      this.registry.setState(record, 'ended', wallClockMs(), status !== undefined ? `${reason} (${status})` : reason);
      const kept = this.finished.get(record.id);
      this.finished.delete(record.id);
      this.finished.set(record.id, { ...kept, [side]: call.recording() });
      // A long run keeps memory bounded: a minute of audio is ~1 MB, kept like the calls' packets (Calls.captureRtp).
      while (this.finished.size > capturedEndedCalls) this.finished.delete(this.finished.keys().next().value!);
      const legs = this.legs.get(record.id);
      if (legs) delete legs[side];
      if (legs && !legs.caller && !legs.callee) this.legs.delete(record.id);
    });
    return record;
  }

  private view(username: string): SoftphoneView | undefined {
    const member = this.members.get(username);
    if (!member) return undefined;
    return { username, transport: member.transport, registered: member.phone.registered, autoAnswer: { ...member.autoAnswer } };
  }
}
