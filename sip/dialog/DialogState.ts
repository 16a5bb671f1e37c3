import { createRequest, formatUri, parseCSeq, parseNameAddr, parseUri, parseVia, type SipRequest, type SipResponse } from '../message/index.js';
import { DEFAULT_SIP_PORT, type Endpoint, type TransportProtocol } from '../transport/index.js';

/**
 * The state of one dialog (RFC 3261 §12): what identifies it and what every request within it is
 * built from. `localParty`/`remoteParty` are the whole From/To values (display name, URI, tag), so
 * in-dialog requests carry them unchanged.
 */
export interface DialogState {
  callId: string;
  localTag: string;
  /** Empty for a 2xx without a To tag (an RFC 2543 peer, §12.1.2). */
  remoteTag: string;
  localParty: string;
  remoteParty: string;
  /** The peer's Contact URI, where requests go when there is no route set. */
  remoteTarget: string;
  /** Route header values, in the order they go into requests. */
  routeSet: string[];
  /** The last CSeq number we used; the next request uses one more. */
  localSeq: number;
  /** The last CSeq number received from the peer; undefined until it sends one (§12.1.2). */
  remoteSeq: number | undefined;
  /** The transport the dialog was set up over: used for a next hop whose URI names none. */
  protocol: TransportProtocol;
}

/** §12.1.2: the UAC's dialog state from the INVITE it sent and a 2xx (or tagged 1xx) response. */
export function createUacDialogState(invite: SipRequest, response: SipResponse, protocol: TransportProtocol): DialogState {
  const from = invite.headers.get('From') ?? '';
  const to = response.headers.get('To') ?? '';
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    localTag: tagOf(from) ?? '',
    remoteTag: tagOf(to) ?? '',
    localParty: from,
    remoteParty: to,
    remoteTarget: contactUri(response) ?? invite.uri,
    // §12.1.2: the route set is the Record-Route list of the response, in reverse order.
    routeSet: response.headers.getAll('Record-Route').reverse(),
    localSeq: parseCSeq(invite.headers.get('CSeq') ?? '')?.seq ?? 1,
    remoteSeq: undefined,
    protocol,
  };
}

/** §12.1.1: the UAS's dialog state from the INVITE it received and the To tag it chose. */
export function createUasDialogState(invite: SipRequest, localTag: string, protocol: TransportProtocol): DialogState {
  const from = invite.headers.get('From') ?? '';
  const to = invite.headers.get('To') ?? '';
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    localTag,
    remoteTag: tagOf(from) ?? '',
    localParty: tagOf(to) === undefined ? `${to};tag=${localTag}` : to,
    remoteParty: from,
    remoteTarget: contactUri(invite) ?? bottomViaTarget(invite),
    // §12.1.1: the route set is the Record-Route list of the request, in order.
    routeSet: invite.headers.getAll('Record-Route'),
    // §12.1.1: the local sequence number is empty; our first request picks one.
    localSeq: 0,
    remoteSeq: parseCSeq(invite.headers.get('CSeq') ?? '')?.seq,
    protocol,
  };
}

export interface InDialogRequestInit {
  /** Extra header lines, after the dialog's own. */
  headers?: Array<[string, string | number]>;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * A request within the dialog (§12.2.1.1): To, From, Call-ID from the state, the given CSeq, and
 * the Request-URI and Route headers from the remote target and the route set, loose or strict.
 * `contact` goes in for target-refresh requests. The caller's stack adds Via and Max-Forwards.
 */
export function createInDialogRequest(state: DialogState, method: string, cseq: number, init: InDialogRequestInit & { contact?: string } = {}): SipRequest {
  const { uri, routes } = requestTarget(state);
  const headers: Array<[string, string | number]> = [
    ...routes.map((route): [string, string] => ['Route', route]),
    ['From', state.localParty],
    ['To', state.remoteParty],
    ['Call-ID', state.callId],
    ['CSeq', `${cseq} ${method}`],
  ];
  if (init.contact !== undefined) headers.push(['Contact', init.contact]);
  headers.push(...(init.headers ?? []));
  const request = createRequest({ method, uri, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  if (init.contentType !== undefined) request.headers.set('Content-Type', init.contentType);
  return request;
}

/** §12.2.1.1: loose routing keeps the remote target as Request-URI; a strict router (no `lr`) takes its place. */
function requestTarget(state: DialogState): { uri: string; routes: string[] } {
  const [first, ...rest] = state.routeSet;
  if (first === undefined) return { uri: state.remoteTarget, routes: [] };
  const firstRoute = parseNameAddr(first);
  if (firstRoute === undefined || 'lr' in firstRoute.uri.params) return { uri: state.remoteTarget, routes: state.routeSet };
  // Strict routing: parameters not allowed in a Request-URI (method, headers) are stripped (§12.2.1.1).
  const uri = { ...firstRoute.uri, params: { ...firstRoute.uri.params }, headers: {} };
  delete uri.params.method;
  return { uri: formatUri(uri), routes: [...rest, `<${state.remoteTarget}>`] };
}

/**
 * Where a request goes (RFC 3261 §8.1.2, §18.1.1): the first Route URI if there is one, else the
 * Request-URI; its `transport` parameter, else `fallback`. Host names are left to the transport.
 * RFC 3263 would default to UDP; we keep the dialog's own transport instead, so a dialog set up
 * over TCP stays on TCP when the peer's Contact omits `;transport=tcp`.
 */
export function nextHop(request: SipRequest, fallback: TransportProtocol): Endpoint | undefined {
  const route = request.headers.get('Route');
  const uri = route === undefined ? parseUri(request.uri) : parseNameAddr(route)?.uri;
  if (uri === undefined || uri.scheme === 'tel' || uri.host === '') return undefined;
  const transport = (uri.params.transport ?? '').toLowerCase();
  const protocol: TransportProtocol = transport === 'tcp' ? 'TCP' : transport === 'udp' ? 'UDP' : fallback;
  const address = uri.params.maddr ?? uri.host;
  return { protocol, address, port: uri.port ?? DEFAULT_SIP_PORT };
}

/** The `tag` parameter of a From or To value. */
export function tagOf(value: string): string | undefined {
  const tag = parseNameAddr(value)?.params.tag;
  return tag === null ? undefined : tag;
}

function contactUri(message: SipRequest | SipResponse): string | undefined {
  const contact = message.headers.get('Contact');
  const parsed = contact === undefined ? undefined : parseNameAddr(contact);
  return parsed === undefined ? undefined : formatUri(parsed.uri);
}

/** An INVITE without Contact breaks §8.1.1.8; the UAC's own Via (the bottom one) is the best remote target left. */
function bottomViaTarget(request: SipRequest): string {
  const via = parseVia(request.headers.getAll('Via').at(-1) ?? '');
  if (via === undefined) return request.uri;
  const rport = via.params.rport ? Number(via.params.rport) : undefined;
  const host = via.params.received ?? via.host;
  return formatUri({ scheme: 'sip', host, port: rport ?? via.port ?? DEFAULT_SIP_PORT, params: {}, headers: {} });
}
