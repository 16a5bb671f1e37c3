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
  /** Told after every change (durable state follows it). */
  notify?: () => void;
}

/** A project's SIP access as saved (the state dir, an export). */
export interface SavedSipAccess {
  enabled: boolean;
  quota: number | null;
  requests: QuotaRequest[];
}

/**
 * A project's access to SIP connections: whether it is enabled at all (the guide era's private
 * preview, "enabled on request"), its `sipPods` quota (the latest docs: 0 until the vendor
 * approves a request) and its quota requests.
 */
export class SipAccess {
  private isEnabled: boolean;
  private currentQuota: number | null;
  private requests: QuotaRequest[] = [];

  constructor(private readonly options: SipAccessOptions) {
    this.isEnabled = options.enabled;
    this.currentQuota = options.quota;
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  get quota(): number | null {
    return this.currentQuota;
  }

  /** The control plane: enable or disable SIP for the project, or set its quota (null: no limit). */
  configure(change: { enabled?: boolean; quota?: number | null }): void {
    if (change.enabled !== undefined) this.isEnabled = change.enabled;
    if (change.quota !== undefined) this.currentQuota = change.quota;
    this.options.notify?.();
  }

  save(): SavedSipAccess {
    return { enabled: this.isEnabled, quota: this.currentQuota, requests: this.list() };
  }

  /** Puts back a saved state (the state dir, an import). */
  restore(saved: SavedSipAccess): void {
    this.isEnabled = saved.enabled;
    this.currentQuota = saved.quota;
    this.requests = saved.requests.map((r) => ({ ...r }));
    this.options.notify?.();
  }

  /** Refuses every SIP-connection operation of a project whose SIP access is not enabled. */
  check(): ApiFailure | undefined {
    return this.isEnabled ? undefined : apiErrors.sipNotEnabled();
  }

  /** Refuses a new connection beyond the quota; `count` is how many the project has. */
  admit(count: number): ApiFailure | undefined {
    const quota = this.currentQuota;
    return this.check() ?? (quota !== null && count >= quota ? apiErrors.sipQuotaExceeded(quota, count) : undefined);
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
    this.options.notify?.();
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
    this.options.notify?.();
    return success({ ...request });
  }

  private decide(request: QuotaRequest, status: 'approved' | 'rejected'): void {
    request.status = status;
    if (status === 'approved') this.currentQuota = request.requestedValue;
  }
}
