import { createRequest, parseCSeq, parseNameAddr, type Endpoint, type RequestContext, type SipRequest, type SipStack } from '../../sip/index.js';
import type { EffectiveQuirks, QuirkEvent } from './quirks.js';

/** Dialogs remembered for the proxy's quirks, oldest forgotten first beyond this. */
const MAX_DIALOGS = 1000;

interface DialogMemory {
  /** The From tag of the dialog-creating request: who the caller is. */
  callerTag: string;
  /** How many Record-Route entries of ours it carries when it has the SBC's too (extraProxyHop), else 0. */
  ourRoutes: number;
  /** The highest CSeq seen from each side (by From tag), for a NOTIFY the PBX sends itself. */
  cseqs: Map<string, number>;
}

export interface ProxyQuirksOptions {
  stack: SipStack;
  quirksFor: (username: string | undefined) => EffectiveQuirks;
  onQuirk: (event: QuirkEvent) => void;
  /** Whether a URI is one of ours (what we put in Record-Route). */
  designatesUs: (uri: NonNullable<ReturnType<typeof parseNameAddr>>['uri']) => boolean;
  /** RFC 3261 T1, ms: the implicit subscription the PBX grants a REFER lasts 64*T1. */
  T1: number;
}

/**
 * The proxy's quirks, beside the proxy so that its RFC 3261 path stays plain:
 * - `extraProxyHop`: a second Record-Route entry (`;hop=sbc`), as an SBC in front of the PBX adds:
 *   the callee side reaches the SBC first, the caller side the PBX first. An in-dialog request whose
 *   Route set lacks one of our entries, or has them in the other side's order, is what a real SBC
 *   chain cannot route (it would skip the PBX, or loop): 403 here.
 * - `refer`: the PBX takes an in-dialog REFER itself with 202, as a B2BUA (Asterisk) does for the
 *   transferee leg, and then sends no NOTIFY (`noNotify`) or only `100 Trying` (`noFinalNotify`).
 */
export class ProxyQuirks {
  private readonly dialogs = new Map<string, DialogMemory>();

  constructor(private readonly options: ProxyQuirksOptions) {}

  /** The quirks for a request: its sender's account (From user) and its target's (Request-URI user), either side's on. */
  quirksOf(request: SipRequest): EffectiveQuirks {
    const from = parseNameAddr(request.headers.get('From') ?? '')?.uri.user;
    const to = parseNameAddr(request.headers.get('To') ?? '')?.uri.user;
    return { ...this.options.quirksFor(to), ...this.options.quirksFor(from) };
  }

  /** Remembers a request the proxy forwards: dialogs it creates (`ourRoutes` counts the SBC's entry, 0 without it), and each side's CSeq. */
  observe(request: SipRequest, ourRoutes: number): void {
    const callId = request.headers.get('Call-ID') ?? '';
    const fromTag = parseNameAddr(request.headers.get('From') ?? '')?.params.tag ?? '';
    const seq = parseCSeq(request.headers.get('CSeq') ?? '')?.seq ?? 0;
    let dialog = this.dialogs.get(callId);
    if (dialog === undefined && hasToTag(request)) return;
    if (dialog === undefined) {
      dialog = { callerTag: fromTag, ourRoutes, cseqs: new Map() };
      this.dialogs.set(callId, dialog);
      if (this.dialogs.size > MAX_DIALOGS) this.dialogs.delete(this.dialogs.keys().next().value!);
    }
    dialog.cseqs.set(fromTag, Math.max(seq, dialog.cseqs.get(fromTag) ?? 0));
    if (request.method === 'BYE') this.dialogs.delete(callId);
  }

  /** The Record-Route entry the SBC hop adds on top of ours (extraProxyHop). */
  sbcRecordRoute(request: SipRequest, ourValue: string): void {
    request.headers.prepend('Record-Route', ourValue.replace(/;lr>$/, ';lr;hop=sbc>'));
  }

  /**
   * Why an in-dialog request cannot pass the two hops (extraProxyHop), or undefined: the Route
   * entries of ours at its top must be all of them, the sender's nearest hop first.
   */
  routeProblem(request: SipRequest): string | undefined {
    const dialog = this.dialogs.get(request.headers.get('Call-ID') ?? '');
    if (dialog === undefined || dialog.ourRoutes < 2 || !hasToTag(request)) return undefined;
    const ours: string[] = [];
    for (const route of request.headers.getAll('Route')) {
      const parsed = parseNameAddr(route);
      if (parsed === undefined || !this.options.designatesUs(parsed.uri)) break;
      ours.push(parsed.uri.params.hop ?? 'pbx');
    }
    const fromTag = parseNameAddr(request.headers.get('From') ?? '')?.params.tag ?? '';
    const calleeSide = fromTag !== dialog.callerTag;
    const expected = calleeSide ? ['sbc', ...Array<string>(dialog.ourRoutes - 1).fill('pbx')] : [...Array<string>(dialog.ourRoutes - 1).fill('pbx'), 'sbc'];
    if (ours.join(',') === expected.join(',')) return undefined;
    const seen = ours.length === 0 ? 'none' : ours.join(', ');
    return `its Route set names our hops as [${seen}], not [${expected.join(', ')}] (the ${calleeSide ? 'callee' : 'caller'}'s Record-Route order): a UA must keep every Record-Route entry, in order (RFC 3261 §12.1)`;
  }

  /**
   * The `refer` quirk: NOTIFY `100 Trying` in the REFER's dialog, from the PBX to the referrer, then
   * nothing more. Its CSeq is the other side's latest (RFC 3261 §12.2.2 refuses only a lower one),
   * so the caller's own next request stays in order.
   */
  async notifyTrying(refer: SipRequest, context: RequestContext): Promise<void> {
    const callId = refer.headers.get('Call-ID') ?? '';
    const from = refer.headers.get('From') ?? '';
    const to = refer.headers.get('To') ?? '';
    const contact = parseNameAddr(refer.headers.get('Contact') ?? '');
    if (contact === undefined) return;
    const otherTag = parseNameAddr(to)?.params.tag ?? '';
    const seq = this.dialogs.get(callId)?.cseqs.get(otherTag) ?? 1;
    const expires = Math.max(1, Math.ceil((64 * this.options.T1) / 1000));
    const { stack } = this.options;
    const notify = createRequest({
      method: 'NOTIFY',
      uri: contactUri(refer.headers.get('Contact') ?? ''),
      headers: [
        ['From', to],
        ['To', from],
        ['Call-ID', callId],
        ['CSeq', `${seq} NOTIFY`],
        ['Contact', `<sip:${stack.viaHost(context.source.protocol)}>`],
        ['Event', 'refer'],
        ['Subscription-State', `active;expires=${expires}`],
      ],
      contentType: 'message/sipfrag;version=2.0',
      body: 'SIP/2.0 100 Trying\r\n',
    });
    const destination: Endpoint = { ...context.source };
    await stack.request(notify, destination, context.flowId !== undefined ? { flowId: context.flowId } : {});
  }
}

function hasToTag(request: SipRequest): boolean {
  return parseNameAddr(request.headers.get('To') ?? '')?.params.tag !== undefined;
}

function contactUri(value: string): string {
  return /<([^>]*)>/.exec(value)?.[1] ?? value.split(';')[0]!.trim();
}
