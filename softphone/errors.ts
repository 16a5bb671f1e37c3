import type { RegistrationFailure } from '../sip/index.js';

/**
 * `Softphone.start` could not register: the registrar's answer (401/403 wrong credentials, 404
 * unknown account) or no answer (408, 503 unreachable), in `code`.
 */
export class RegistrationError extends Error {
  readonly code: number;

  constructor(username: string, failure: RegistrationFailure) {
    super(`${username} could not register: ${failure.message}. ${advice(failure.code)}`);
    this.name = 'RegistrationError';
    this.code = failure.code;
  }
}

function advice(code: number): string {
  if (code === 401 || code === 403 || code === 407) return 'Check the user name, password and domain.';
  if (code === 404) return 'The server knows no such account: check the user name and domain.';
  if (code === 408) return 'Check the server address, port and transport, and that it is running.';
  if (code === 503) return 'Check that the server is running and reachable over this transport.';
  return 'See the server log for why it refused the registration.';
}
