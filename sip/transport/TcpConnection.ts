import type { Socket } from 'node:net';
import { StreamFramer } from './StreamFramer.js';
import { TransportError } from './TransportError.js';
import type { Endpoint } from './SipTransport.js';

/** How long a connection closed for a framing error still waits for the answers to its earlier messages. */
const DRAIN_MS = 200;

export interface TcpConnectionEvents {
  message(data: Buffer, connection: TcpConnection): void;
  closed(connection: TcpConnection): void;
  warning(message: string): void;
}

/**
 * One TCP connection (a "flow" in RFC 5626 terms): frames inbound bytes into messages,
 * closes itself when idle or when the peer sends something it cannot frame.
 */
export class TcpConnection {
  private readonly framer: StreamFramer;
  private closed = false;
  /** After a framing error: reads nothing more, but lets the answers to what came before go out. */
  private draining = false;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    readonly remote: Endpoint,
    options: { idleTimeout: number; maxBufferSize: number },
    private readonly events: TcpConnectionEvents,
  ) {
    this.framer = new StreamFramer(options.maxBufferSize);
    socket.setNoDelay(true);
    // Node's socket timeout measures inactivity in both directions, which is what "idle" means here.
    if (options.idleTimeout > 0) socket.setTimeout(options.idleTimeout, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A reset or a peer closing mid-message ends the flow; the partial message is discarded.
    socket.on('error', () => undefined);
    socket.on('close', () => this.markClosed());
    socket.on('end', () => socket.end());
  }

  get open(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable;
  }

  write(data: Buffer): Promise<void> {
    if (!this.open) return Promise.reject(new TransportError('ECLOSED', this.remote));
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (error) reject(TransportError.fromSystemError(error, this.remote));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private receive(chunk: Buffer): void {
    if (this.draining) return;
    const { messages, error } = this.framer.push(chunk);
    for (const message of messages) {
      if (this.closed) return;
      this.events.message(message, this);
    }
    // RFC 3261 §18.3: a stream that cannot be framed cannot be resynchronised; close it. The
    // messages framed before the error are being answered asynchronously (a 400 among them), so
    // the close waits a moment and then ends gracefully, flushing those answers first.
    if (error !== undefined) {
      this.events.warning(`SIP transport: closing TCP connection from ${this.remote.address}:${this.remote.port}: ${error}`);
      this.draining = true;
      this.socket.pause();
      setTimeout(() => this.socket.end(), DRAIN_MS).unref();
      setTimeout(() => this.socket.destroy(), DRAIN_MS + 2000).unref();
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.closed(this);
  }
}
