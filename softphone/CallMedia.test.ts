import { afterEach, describe, expect, it } from 'vitest';
import { buildSdp, decodeRtpPacket, goertzel, PCMA, sine } from '../media/index.js';
import { seededSource } from '../random/index.js';
import { CallMedia, type CallMediaHooks, type RtpPacketSeen } from './CallMedia.js';

const opened: CallMedia[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((media) => media.stop()));
});

interface Observed {
  hooks: CallMediaHooks;
  frames: Int16Array[];
  digits: string[];
  holds: boolean[];
  packets: RtpPacketSeen[];
  /** Resolves once `check` holds, tested after each frame or digit. */
  until(check: () => boolean): Promise<void>;
}

function observe(): Observed {
  const waiters: Array<() => void> = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  const observed: Observed = {
    frames: [],
    digits: [],
    holds: [],
    packets: [],
    hooks: {
      audio: (pcm) => (observed.frames.push(pcm), wake()),
      dtmf: (digit) => (observed.digits.push(digit), wake()),
      hold: (onHold) => observed.holds.push(onHold),
      failed: (error) => {
        throw new Error(error.message);
      },
      rtpPacket: (_callId, packet) => observed.packets.push(packet),
      random: seededSource(1),
    },
    until: async (check) => {
      while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
  return observed;
}

function payloadType(packet: RtpPacketSeen): number | undefined {
  const decoded = decodeRtpPacket(packet.data);
  return decoded.ok ? decoded.value.payloadType : undefined;
}

async function media(observed: Observed): Promise<CallMedia> {
  const result = await CallMedia.open('127.0.0.1', observed.hooks);
  if (!result.ok) throw new Error(result.error.message);
  result.value.callId = 'call-media-test';
  opened.push(result.value);
  return result.value;
}

describe('CallMedia', () => {
  it('offers PCMU, PCMA and telephone-event 101 on its port', async () => {
    const offer = (await media(observe())).offer();
    expect(offer).toMatch(/^m=audio \d+ RTP\/AVP 0 8 101\r$/m);
    expect(offer).toContain('a=rtpmap:101 telephone-event/8000');
    expect(offer).toContain('a=sendrecv');
  });

  it('re-binds on the same port when the negotiation picks PCMA and telephone-event 96, and then sends with them', async () => {
    const caller = observe();
    const callee = observe();
    const a = await media(caller);
    const b = await media(callee);
    const portA = a.localPort;
    const portB = b.localPort;
    const offer = buildSdp({ port: portA, codecs: [PCMA], telephoneEventPt: 96 });
    const answer = b.answerOffer(offer);
    if (!answer.ok) throw new Error(answer.error.message);
    expect(answer.value).toMatch(/^m=audio \d+ RTP\/AVP 8 96\r$/m);
    expect(a.acceptAnswer(answer.value).ok).toBe(true);
    expect([a.localPort, b.localPort]).toEqual([portA, portB]);

    await b.play(sine(1000, { durationMs: 200, amplitude: 0.5 }));
    await caller.until(() => caller.frames.length >= 8);
    const heard = Int16Array.from(caller.frames.slice(-8).flatMap((f) => [...f]));
    expect(goertzel(heard, 1000)).toBeGreaterThan(0.3);
    const types = callee.packets.filter((p) => p.direction === 'out').map(payloadType);
    expect(new Set(types)).toEqual(new Set([8]));

    expect(b.telephoneEvents).toBe(true);
    await b.sendDtmf('4');
    await caller.until(() => caller.digits.length >= 1);
    expect(caller.digits).toEqual(['4']);
    expect(callee.packets.some((p) => p.direction === 'out' && payloadType(p) === 96)).toBe(true);
  });

  it('answers a re-offer with the call codec only, and reports hold and resume', async () => {
    const observed = observe();
    const m = await media(observed);
    expect(m.answerOffer(buildSdp({ port: 40000 })).ok).toBe(true);
    const held = m.answerOffer(buildSdp({ port: 40000, direction: 'sendonly' }));
    expect(held.ok && held.value).toMatch(/a=recvonly/);
    expect(held.ok && held.value).toMatch(/RTP\/AVP 0 101\r/);
    const resumed = m.answerOffer(buildSdp({ port: 40000 }));
    expect(resumed.ok && resumed.value).toMatch(/a=sendrecv/);
    expect(observed.holds).toEqual([true, false]);
    const pcmaOnly = m.answerOffer(buildSdp({ port: 40000, codecs: [PCMA] }));
    expect(pcmaOnly.ok).toBe(false);
  });
});
