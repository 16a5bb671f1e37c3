import { cryptoSource, type RandomSource } from '../random/index.js';
import { realScheduler, type Endpoint, type Scheduler, type SipTraceEntry, type TransactionTimers } from '../sip/index.js';
import type { RtpPacketSeen } from './CallMedia.js';

/** How a softphone answers incoming calls: 200 answers, 180 (or 183) rings forever, 3xx-6xx rejects. */
export interface AutoAnswer {
  status: number;
  /** How long it rings (180) before `status`. Default 0. */
  afterMs?: number;
}

export interface SoftphoneOptions {
  /** The account: AOR `username@domain`, the From of every call. */
  username: string;
  /** For digest challenges (REGISTER, and INVITE when the server asks). */
  password?: string;
  domain: string;
  /** The PBX (or any SIP server): REGISTER and every INVITE go there, e.g. `{ protocol: 'UDP', address: '127.0.0.1', port: 5060 }`. */
  server: Endpoint;
  /** Register at start (and refresh, and unregister on stop). Default true. */
  register?: boolean;
  /** Default `{ status: 200 }`: answer at once. */
  autoAnswer?: AutoAnswer;
  /** Requested registration lifetime, seconds. Default 3600. */
  registerExpires?: number;
  /** RFC 3261 T1, T2, T4 in ms (shorter in tests). Default 500, 4000, 5000. */
  sipTimers?: Partial<Pick<TransactionTimers, 'T1' | 'T2' | 'T4'>>;
  logger?: { info(message: string): void; warn(message: string): void };
  /** Every SIP message the softphone sends or receives (the emulator's journal records them). */
  onSipMessage?: (entry: SipTraceEntry) => void;
  /** Every RTP packet of a call, with the call's SIP Call-ID (for pcap exports). */
  onRtpPacket?: (callId: string, packet: RtpPacketSeen) => void;
  /** Tags, Call-IDs, cnonces and SDP session ids; default cryptographic, seeded to reproduce a run. */
  random?: RandomSource;
  /** Local address for SIP and RTP. Default 127.0.0.1; set it to reach a PBX on another host. */
  localAddress?: string;
  /** Local SIP port. Default 0 (any free port). */
  localPort?: number;
  /**
   * After a transfer succeeded, how long the transferee waits for the transferor's BYE before it
   * ends the original call itself (RFC 5589 §6: the transferor hangs up). Default 4000 ms.
   */
  transferHangupAfterMs?: number;
  /**
   * Place calls with a delayed offer: an INVITE without SDP, the offer coming in the callee's 200
   * and our answer in the ACK (RFC 3261 §13.2.1), as Cisco CUCM's "delayed offer" does. Default false.
   */
  lateOffer?: boolean;
  /**
   * Place calls with `Require: 100rel` (RFC 3262): the callee must send its 180/183 reliably, and
   * each gets a PRACK; the 200 comes after it. As Asterisk with `100rel=required`. Default false.
   */
  require100rel?: boolean;
  /**
   * Session timers (RFC 4028): ask for this session interval in seconds (at least 90), take a 422's
   * larger Min-SE, and refresh the call with a re-INVITE at half the interval. Default off.
   */
  sessionExpires?: number;
  /** Where the softphone's own timers run (session refreshes): the emulator passes its clock. Default real timers. */
  scheduler?: Scheduler;
}

/** The options with every default filled in, resolved once at start (STYLE.md, practice 12). */
export interface ResolvedSoftphoneOptions {
  username: string;
  password: string;
  domain: string;
  server: Endpoint;
  register: boolean;
  autoAnswer: Required<AutoAnswer>;
  registerExpires: number;
  sipTimers: Partial<TransactionTimers>;
  logger: { info(message: string): void; warn(message: string): void };
  onSipMessage: ((entry: SipTraceEntry) => void) | undefined;
  onRtpPacket: ((callId: string, packet: RtpPacketSeen) => void) | undefined;
  random: RandomSource;
  localAddress: string;
  localPort: number;
  transferHangupAfterMs: number;
  lateOffer: boolean;
  require100rel: boolean;
  sessionExpires: number | undefined;
  scheduler: Scheduler;
}

const silentLogger = { info: () => undefined, warn: () => undefined };

/** Fills in the defaults and checks the options; a bad option is a programmer error and throws. */
export function resolveSoftphoneOptions(options: SoftphoneOptions): ResolvedSoftphoneOptions {
  if (!/^[^\s@:;<>]+$/.test(options.username)) throw new TypeError(`Softphone: username ${JSON.stringify(options.username)} must be a SIP user part (no spaces, @, :, ;)`);
  if (!/^[^\s@;<>]+$/.test(options.domain)) throw new TypeError(`Softphone: domain ${JSON.stringify(options.domain)} must be a host name or address`);
  const { server } = options;
  if (server.protocol !== 'UDP' && server.protocol !== 'TCP') throw new TypeError(`Softphone: server.protocol must be 'UDP' or 'TCP', got ${JSON.stringify(server.protocol)}`);
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw new RangeError(`Softphone: server.port must be 1-65535, got ${server.port}`);
  return {
    username: options.username,
    password: options.password ?? '',
    domain: options.domain,
    server: { ...server },
    register: options.register ?? true,
    autoAnswer: checkAutoAnswer(options.autoAnswer ?? { status: 200 }),
    registerExpires: options.registerExpires ?? 3600,
    sipTimers: { ...options.sipTimers },
    logger: options.logger ?? silentLogger,
    onSipMessage: options.onSipMessage,
    onRtpPacket: options.onRtpPacket,
    random: options.random ?? cryptoSource(),
    localAddress: options.localAddress ?? '127.0.0.1',
    localPort: options.localPort ?? 0,
    transferHangupAfterMs: options.transferHangupAfterMs ?? 4000,
    lateOffer: options.lateOffer ?? false,
    require100rel: options.require100rel ?? false,
    sessionExpires: options.sessionExpires,
    scheduler: options.scheduler ?? realScheduler,
  };
}

export function checkAutoAnswer(answer: AutoAnswer): Required<AutoAnswer> {
  const { status, afterMs = 0 } = answer;
  if (!Number.isInteger(status) || status < 180 || status > 699 || (status >= 200 && status < 300 && status !== 200) || (status > 183 && status < 200)) {
    throw new RangeError(`Softphone: autoAnswer status must be 180 or 183 (ring), 200 (answer) or 300-699 (reject), got ${status}`);
  }
  if (!(afterMs >= 0) || !Number.isFinite(afterMs)) throw new RangeError(`Softphone: autoAnswer afterMs must be a finite number >= 0, got ${afterMs}`);
  return { status, afterMs };
}
