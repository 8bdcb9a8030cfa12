import type { AuthFailureReason } from '../interfaces/security-event.interface.js';

/** Internal: why a token was refused. Never reaches the client; every cause answers the same 401. */
export class AuthenticationFailedError extends Error {
  constructor(readonly reason: AuthFailureReason) {
    super(reason);
  }
}
