import { HttpException, HttpStatus } from '@nestjs/common';

export type SsrfBlockReason =
  | 'invalid-url'
  | 'credentials-in-url'
  | 'protocol-not-allowed'
  | 'port-not-allowed'
  | 'host-not-allowed'
  | 'address-not-allowed'
  | 'redirect-not-allowed'
  | 'too-many-redirects'
  | 'option-not-allowed';

const BAD_INPUT: ReadonlySet<SsrfBlockReason> = new Set(['invalid-url', 'credentials-in-url']);

const MESSAGES: Record<SsrfBlockReason, string> = {
  'invalid-url': 'The URL is not a valid absolute http(s) URL',
  'credentials-in-url': 'URLs with credentials are not allowed',
  'protocol-not-allowed': 'The URL scheme is not allowed',
  'port-not-allowed': 'The port is not allowed',
  'host-not-allowed': 'The host is not allowed',
  'address-not-allowed': 'The host resolves to an address that is not allowed',
  'redirect-not-allowed': 'The upstream redirected to a location that is not allowed',
  'too-many-redirects': 'The upstream redirected too many times',
  'option-not-allowed': 'A request option that bypasses the outbound policy was refused',
};

/**
 * API7: an outbound request refused before any socket connected. 400 for unusable input, 403 for a
 * target the policy forbids. The message never contains a resolved address.
 */
export class SsrfBlockedException extends HttpException {
  constructor(readonly reason: SsrfBlockReason, detail?: string) {
    const status = BAD_INPUT.has(reason) ? HttpStatus.BAD_REQUEST : HttpStatus.FORBIDDEN;
    super(
      {
        statusCode: status,
        message: detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason],
        error: status === HttpStatus.BAD_REQUEST ? 'Bad Request' : 'Forbidden',
        reason,
      },
      status,
    );
    this.name = 'SsrfBlockedException';
  }
}
