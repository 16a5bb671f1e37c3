/**
 * Error templates for the public API. Every error the emulator answers is built here, so the
 * envelope `{code, description, type, numericType}` is the same everywhere.
 *
 * `type`/`numericType` follow the .NET ErrorOr `ErrorType` the vendor's examples fit (assumed:
 * see api-facts.md conflicts 2, 3 and 5): Failure 0, Unexpected 1, Validation 2, Conflict 3,
 * NotFound 4, Unauthorized 5, Forbidden 6; 12 is the vendor's rate-limit type.
 */
export interface ErrorBody {
  code: string;
  description: string;
  type: number;
  numericType: number;
}

export interface ApiFailure {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

export const ErrorType = {
  Failure: 0,
  Unexpected: 1,
  Validation: 2,
  Conflict: 3,
  NotFound: 4,
  Unauthorized: 5,
  Forbidden: 6,
  RateLimited: 12,
} as const;

/** What to try instead of a path that matched no route. */
function routeHint(path: string): string {
  if (path.includes('//')) return 'The path has an empty segment (//): is a shell variable in the URL, such as $AGENT_ID or $CONN_ID, unset? GET /public lists every route.';
  if (path.length > 1 && path.endsWith('/')) return `Leave out the trailing slash: ${path.replace(/\/+$/, '')}. GET /public and GET /_emulator list every route.`;
  if (path.startsWith('/_emulator')) return 'GET /_emulator lists every route of the control API; see /docs/control.';
  return 'GET /public lists every route of the public API; see /docs for the reference.';
}

function failure(status: number, code: string, type: number, description: string, headers?: Record<string, string>): ApiFailure {
  return { status, body: { code, description, type, numericType: type }, ...(headers ? { headers } : {}) };
}

export const apiErrors = {
  validation: (description: string) => failure(400, 'ValidationError', ErrorType.Validation, description),
  malformedJson: (detail: string) =>
    failure(400, 'MalformedJson', ErrorType.Validation, `The request body is not valid JSON (${detail}). Send a JSON object with Content-Type: application/json.`),
  unauthorized: () =>
    failure(401, 'Unauthorized', ErrorType.Unauthorized, 'Missing or invalid API key. Send your key in the X-Api-Key header (not Authorization: Bearer).'),
  agentNotFound: (agentId: string) =>
    failure(404, 'AgentNotFound', ErrorType.NotFound, `Agent '${agentId}' was not found in this project. Check the id, and that you use the API key of the project that created it.`),
  channelConfigNotFound: (agentId: string, channelType: string) =>
    failure(404, 'ChannelConfigNotFound', ErrorType.NotFound, `Agent '${agentId}' has no '${channelType}' channel config. Create it with PUT /public/agents/${agentId}/channels/${channelType}.`),
  sipConnectionNotFound: (id: string) =>
    failure(404, 'SipConnectionNotFound', ErrorType.NotFound, `SIP connection '${id}' was not found in this project. Check the id, and that you use the API key of the project that created it.`),
  routeNotFound: (method: string, path: string) =>
    failure(404, 'RouteNotFound', ErrorType.NotFound, `No route for ${method} ${path}. ${routeHint(path)}`),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    failure(405, 'MethodNotAllowed', ErrorType.Failure, `${method} is not allowed on ${path}. Allowed: ${allowed.join(', ')}.`, { Allow: allowed.join(', ') }),
  agentLimitExceeded: (limit: number) =>
    failure(409, 'AgentLimitExceeded', ErrorType.Conflict, `This project already has the maximum of ${limit} agents. Delete an agent to free a slot.`),
  sipNotEnabled: () =>
    failure(403, 'SipConnectionsNotEnabled', ErrorType.Forbidden, 'SIP connections are not enabled for this project: they are a private preview, enabled per account on request. Ask the vendor to enable SIP (in omnisip: PUT /_emulator/projects/{apiKey}/sip with {"enabled": true}).'),
  sipQuotaExceeded: (quota: number, count: number) =>
    failure(409, 'SipQuotaExceeded', ErrorType.Conflict, `The project's sipPods quota is ${quota} and it has ${count} SIP connection${count === 1 ? '' : 's'}. Request more with POST /public/quota-requests {"quotaType":"sipPods","requestedValue":${count + 1}}, or delete a connection.`),
  quotaRequestNotFound: (id: string) =>
    failure(404, 'QuotaRequestNotFound', ErrorType.NotFound, `Quota request '${id}' was not found in this project. GET /public/quota-requests lists them.`),
  connectionNotOnline: (id: string, status: string) =>
    failure(409, 'SipConnectionNotOnline', ErrorType.Conflict, `SIP connection '${id}' is ${status}; an outbound call needs Running/online. Wait for it (POST /public/sip-connections/${id}/status), or read its error log.`),
  concurrentCallLimit: (limit: number) =>
    failure(409, 'ConcurrentCallLimitReached', ErrorType.Conflict, `The project already has the maximum of ${limit} concurrent SIP calls. End a call first.`),
  payloadTooLarge: (limitBytes: number) =>
    failure(413, 'PayloadTooLarge', ErrorType.Validation, `The request body is larger than ${limitBytes} bytes. Send a smaller body.`),
  unsupportedMediaType: (contentType: string) =>
    failure(415, 'UnsupportedMediaType', ErrorType.Validation, `Content-Type '${contentType}' is not supported. Send the body as JSON with Content-Type: application/json.`),
  rateLimited: (retryAfterSeconds: number, description = 'Too many requests. Please try again later.') =>
    failure(429, 'RequestRateLimitExceeded', ErrorType.RateLimited, description, { 'Retry-After': String(retryAfterSeconds) }),
  internal: (description = 'The emulator hit an unexpected error. This is a bug in omnisip: please report it with the request that caused it.') =>
    failure(500, 'InternalError', ErrorType.Unexpected, description),
  serviceUnavailable: (description = 'The service is temporarily unavailable. Retry later.') =>
    failure(503, 'ServiceUnavailable', ErrorType.Unexpected, description),
  /** A status chosen by a fault rule; keeps the vendor's envelope with a code that says so. */
  injected: (status: number, code?: string, description?: string, retryAfter?: number): ApiFailure => {
    const known: Record<number, ApiFailure> = {
      429: apiErrors.rateLimited(retryAfter ?? 5),
      500: apiErrors.internal('Injected failure (omnisip fault rule).'),
      503: apiErrors.serviceUnavailable('Injected failure (omnisip fault rule).'),
    };
    const base = known[status] ?? failure(status, 'InjectedFault', status >= 500 ? ErrorType.Unexpected : ErrorType.Failure, 'Injected failure (omnisip fault rule).');
    const headers = { ...base.headers, ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}) };
    return {
      status,
      body: { ...base.body, ...(code ? { code } : {}), ...(description ? { description } : {}) },
      ...(Object.keys(headers).length ? { headers } : {}),
    };
  },
};
