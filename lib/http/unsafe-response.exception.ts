import { HttpException, HttpStatus } from '@nestjs/common';

export type UnsafeResponseReason = 'response-too-large' | 'timeout' | 'unexpected-content-type' | 'upstream-failed';

const MESSAGES: Record<UnsafeResponseReason, string> = {
  'response-too-large': 'The upstream response exceeded the size limit',
  timeout: 'The upstream did not answer in time',
  'unexpected-content-type': 'The upstream answered with an unexpected content type',
  'upstream-failed': 'The upstream request failed',
};

/** API10: an upstream answer that cannot be consumed safely. 504 for time-outs, 502 otherwise. */
export class UnsafeResponseException extends HttpException {
  constructor(readonly reason: UnsafeResponseReason) {
    const status = reason === 'timeout' ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY;
    super(
      { statusCode: status, message: MESSAGES[reason], error: status === HttpStatus.GATEWAY_TIMEOUT ? 'Gateway Timeout' : 'Bad Gateway', reason },
      status,
    );
    this.name = 'UnsafeResponseException';
  }
}
