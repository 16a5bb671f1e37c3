import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { parseMessage, SipHeaders, type SipResponse } from '../../sip/message/index.js';
import { StreamFramer } from '../../sip/transport/StreamFramer.js';

/**
 * Raw SIP peers for black-box tests: they send bytes exactly as given (no stack, no fixing up) and
 * collect what comes back, so a test can put a malformed message on the wire and see the answer.
 * Every wait has a deadline; nothing sleeps.
 */
export interface RawPeer {
  /** Responses received so far, in arrival order (unparseable datagrams are kept as undefined). */
  readonly responses: SipResponse[];
  send(data: Buffer | string): Promise<void>;
  /** Resolves with the first received response (already received or still to come) matching `accept`; undefined at the deadline. */
  waitFor(accept: (response: SipResponse) => boolean, ms: number): Promise<SipResponse | undefined>;
  close(): Promise<void>;
}

abstract class Collector {
  readonly responses: SipResponse[] = [];
  private waiters = new Set<() => void>();

  protected collect(data: Buffer): void {
    const parsed = parseMessage(data);
    const response = parsed.ok ? (parsed.message.type === 'response' ? parsed.message : undefined) : readLeniently(data);
    if (response !== undefined) this.responses.push(response);
    for (const wake of [...this.waiters]) wake();
  }

  waitFor(accept: (response: SipResponse) => boolean, ms: number): Promise<SipResponse | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = this.responses.find(accept);
        if (found === undefined) return false;
        done(found);
        return true;
      };
      const done = (value: SipResponse | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => done(undefined), ms);
      this.waiters.add(wake);
      check();
    });
  }
}

/**
 * A response the strict parser refuses, read as far as a test needs (status line and header
 * lines): a 400 to a broken request echoes the broken To or CSeq (RFC 3261 §8.2.6.2), and the
 * test still has to see it.
 */
function readLeniently(data: Buffer): SipResponse | undefined {
  const [head = ''] = data.toString('utf8').split('\r\n\r\n');
  const [start = '', ...lines] = head.split('\r\n');
  const status = /^SIP\/2\.0 (\d{3})(?: (.*))?$/.exec(start);
  if (status === null) return undefined;
  const entries = lines.flatMap((line): Array<[string, string]> => {
    const match = /^([A-Za-z0-9\-.!%*_+`'~]+)\s*:(.*)$/.exec(line);
    return match === null ? [] : [[match[1] ?? '', (match[2] ?? '').replace(/[\r\n]/g, '')]];
  });
  return { type: 'response', status: Number(status[1]), reason: status[2] ?? '', headers: new SipHeaders(entries), body: Buffer.alloc(0) };
}

/** One UDP socket on 127.0.0.1; every datagram it receives is collected. */
export class RawUdpPeer extends Collector implements RawPeer {
  private constructor(private readonly socket: UdpSocket, private readonly target: { address: string; port: number }) {
    super();
    socket.on('message', (data) => this.collect(data));
  }

  static async open(target: { address: string; port: number }): Promise<RawUdpPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new RawUdpPeer(socket, target);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(Buffer.from(data), this.target.port, this.target.address, (error) => (error ? reject(error) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** One TCP connection; the byte stream it receives is framed by Content-Length and collected. */
export class RawTcpPeer extends Collector implements RawPeer {
  private readonly framer = new StreamFramer();
  private readonly ended: Promise<void>;
  closedByPeer = false;

  private constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      for (const message of this.framer.push(chunk).messages) this.collect(message);
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('end', () => {
      this.closedByPeer = true;
    });
  }

  static async open(target: { address: string; port: number }): Promise<RawTcpPeer> {
    const socket = connect(target.port, target.address);
    await once(socket, 'connect');
    return new RawTcpPeer(socket);
  }

  get port(): number {
    return this.socket.localPort ?? 0;
  }

  send(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(Buffer.from(data), (error) => (error ? reject(error) : resolve())));
  }

  /** Whether the server closed the connection within `ms`. */
  async waitForClose(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const closed = await Promise.race([this.ended.then(() => this.closedByPeer), deadline]);
    clearTimeout(timer);
    return closed;
  }

  get open(): boolean {
    return !this.closedByPeer && !this.socket.destroyed;
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    this.socket.destroy();
    return this.ended;
  }
}
