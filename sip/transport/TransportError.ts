import { formatEndpoint, type Endpoint } from './SipTransport.js';

export type TransportErrorCode =
  | 'ECONNREFUSED'
  | 'ENOTFOUND'
  | 'ETIMEDOUT'
  | 'ECLOSED'
  | 'EMSGSIZE'
  /** the transport was not opened for this protocol, or is closed */
  | 'ENOTSUP'
  /** any other socket error; `cause` holds the original */
  | 'EIO';

const explanations: Record<TransportErrorCode, string> = {
  ECONNREFUSED: 'connection refused; is a SIP server listening there?',
  ENOTFOUND: 'the host name does not resolve; check the spelling or use an IP address',
  ETIMEDOUT: 'no answer before the connect timeout; is the host reachable?',
  ECLOSED: 'the connection closed before the message was written; resend to open a new one',
  EMSGSIZE: 'the message is too large for a UDP datagram; send it over TCP (RFC 3261 §18.1.1)',
  ENOTSUP: 'this transport does not have that protocol open; enable it when creating the transport',
  EIO: 'the socket reported an error',
};

/** A failed send, as a value the caller can branch on (`code`) and log (`message`). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** What went wrong, in a few words, without the destination: "connection refused; is a SIP server listening there?" */
  readonly explanation: string;

  constructor(
    readonly code: TransportErrorCode,
    readonly destination: Endpoint,
    options?: { cause?: unknown; detail?: string },
  ) {
    const detail = options?.detail ? ` (${options.detail})` : '';
    super(
      `SIP transport: cannot send to ${formatEndpoint(destination)}: ${explanations[code]}${detail} [${code}]`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.explanation = explanations[code];
  }

  /** Maps a Node socket or DNS error onto the codes callers branch on. */
  static fromSystemError(error: unknown, destination: Endpoint): TransportError {
    if (error instanceof TransportError) return error;
    const systemCode = (error as NodeJS.ErrnoException | undefined)?.code;
    const detail = error instanceof Error ? error.message : String(error);
    switch (systemCode) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'ETIMEDOUT':
      case 'EMSGSIZE':
        return new TransportError(systemCode, destination, { cause: error, detail });
      case 'EAI_AGAIN':
      case 'EAI_NONAME':
      case 'EAI_NODATA':
        return new TransportError('ENOTFOUND', destination, { cause: error, detail });
      case 'EPIPE':
      case 'ECONNRESET':
      case 'ERR_STREAM_DESTROYED':
      case 'ERR_STREAM_WRITE_AFTER_END':
      case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
        return new TransportError('ECLOSED', destination, { cause: error, detail });
      default:
        return new TransportError('EIO', destination, { cause: error, detail });
    }
  }
}
