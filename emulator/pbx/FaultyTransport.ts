import type { Endpoint, InboundPacket, SipTransport } from '../../sip/index.js';

/**
 * Wraps the PBX's transport with its network-level faults:
 * - `down`: every message, in and out, vanishes (the "PBX down" fault), so peers see timeouts;
 * - `dropRate`: each UDP datagram, in and out, is lost with that probability (seeded `random`).
 *   TCP is left alone on purpose: TCP retransmits lost segments itself, so a whole SIP message
 *   lost on a TCP flow is something no real network does, and the transactions (no retransmission
 *   over TCP, RFC 3261 §17) would then only time out.
 */
export class FaultyTransport implements SipTransport {
  private down = false;
  private dropRate = 0;

  /**
   * @param dropInbound decides, per received message, whether a `drop` fault rule loses it. It runs
   * here, below the transaction layer, so each retransmission draws anew, as on a lossy network.
   * @param dropOutbound the same for each message sent (rules with `direction: out`).
   */
  constructor(
    private readonly inner: SipTransport,
    private readonly random: () => number,
    private readonly dropInbound: (packet: InboundPacket) => boolean = () => false,
    private readonly dropOutbound: (data: Buffer, destination: Endpoint) => boolean = () => false,
  ) {}

  get address(): string {
    return this.inner.address;
  }

  get udpPort(): number | undefined {
    return this.inner.udpPort;
  }

  get tcpPort(): number | undefined {
    return this.inner.tcpPort;
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  get isDown(): boolean {
    return this.down;
  }

  setDropRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`PBX: dropRate must be within [0, 1], got ${rate}`);
    this.dropRate = rate;
  }

  async send(data: Buffer, destination: Endpoint, flowId?: string): Promise<void> {
    // A lost message looks sent to the sender, as with a real network.
    if (this.lose(destination) || this.dropOutbound(data, destination)) return;
    return this.inner.send(data, destination, flowId);
  }

  onPacket(handler: (packet: InboundPacket) => void): () => void {
    return this.inner.onPacket((packet) => {
      if (!this.lose(packet.source) && !this.dropInbound(packet)) handler(packet);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private lose(peer: Endpoint): boolean {
    if (this.down) return true;
    return peer.protocol === 'UDP' && this.dropRate > 0 && this.random() < this.dropRate;
  }
}
