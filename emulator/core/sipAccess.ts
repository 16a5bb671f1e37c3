import { apiErrors, type ApiFailure } from './errors.js';
import { unixSeconds, type Ids } from './ids.js';
import { failed, success, type Result } from './result.js';

export interface QuotaRequest {
  id: string;
  quotaType: 'sipPods';
  requestedValue: number;
  reason?: string;
  status: 'pending' | 'approved' | 'rejected';
  created: number;
}

export interface SipAccessOptions {
  /** Whether SIP connections are enabled for the project (the guide's private preview). */
  enabled: boolean;
  /** The `sipPods` quota: how many SIP connections the project may have; null for no limit. */
  quota: number | null;
  /** `auto` approves a quota request when it is made; `manual` leaves it pending for the control plane. */
  approval: 'auto' | 'manual';
  ids: Ids;
}

/**
 * A project's access to SIP connections: whether it is enabled at all (the guide era's private
 * preview, "enabled on request"), its `sipPods` quota (the latest docs: 0 until the vendor
 * approves a request) and its quota requests.
 */
export class SipAccess {
  enabled: boolean;
  quota: number | null;
  private readonly requests: QuotaRequest[] = [];

  constructor(private readonly options: SipAccessOptions) {
    this.enabled = options.enabled;
    this.quota = options.quota;
  }

  /** Refuses every SIP-connection operation of a project whose SIP access is not enabled. */
  check(): ApiFailure | undefined {
    return this.enabled ? undefined : apiErrors.sipNotEnabled();
  }

  /** Refuses a new connection beyond the quota; `count` is how many the project has. */
  admit(count: number): ApiFailure | undefined {
    return this.check() ?? (this.quota !== null && count >= this.quota ? apiErrors.sipQuotaExceeded(this.quota, count) : undefined);
  }

  request(body: { quotaType: 'sipPods'; requestedValue: number; reason?: string }, nowMs: number): QuotaRequest {
    const request: QuotaRequest = {
      id: this.options.ids.next('quotareq'),
      quotaType: body.quotaType,
      requestedValue: body.requestedValue,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      status: 'pending',
      created: unixSeconds(nowMs),
    };
    this.requests.push(request);
    if (this.options.approval === 'auto') this.decide(request, 'approved');
    return { ...request };
  }

  get approval(): 'auto' | 'manual' {
    return this.options.approval;
  }

  list(): QuotaRequest[] {
    return this.requests.map((r) => ({ ...r }));
  }

  /** Approves or rejects a request; an approved request's value becomes the quota. */
  review(id: string, status: 'approved' | 'rejected'): Result<QuotaRequest> {
    const request = this.requests.find((r) => r.id === id);
    if (!request) return failed(apiErrors.quotaRequestNotFound(id));
    this.decide(request, status);
    return success({ ...request });
  }

  private decide(request: QuotaRequest, status: 'approved' | 'rejected'): void {
    request.status = status;
    if (status === 'approved') this.quota = request.requestedValue;
  }
}
