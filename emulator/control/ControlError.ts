import type { ApiFailure } from '../core/errors.js';

/**
 * An expected failure of a control-plane operation (no such call, the clock is real, the SIP side
 * is off): it carries the error envelope the HTTP control API answers with.
 *
 * @example
 * try { control.getCall('call_x'); } catch (error) { if (error instanceof ControlError) console.log(error.status, error.code); }
 */
export class ControlError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(readonly failure: ApiFailure) {
    super(`omnisip control: ${failure.body.description}`);
    this.name = 'ControlError';
    this.status = failure.status;
    this.code = failure.body.code;
  }
}
