import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SecurityEventsService } from '../events/security-events.service.js';
import { describeRoute, rawHeaderCount, setResponseHeader, httpRequest, httpResponse, type AnyRequest } from '../utils/http-context.js';
import { AuthenticationFailedError } from './authentication-failed.error.js';
import { RoutePolicyResolver } from './route-policy.resolver.js';
import { TokenService } from './token.service.js';

const BEARER = /^bearer +(\S+)$/i;

/** The one 401 every authentication failure gets: no oracle on the cause. */
export function unauthorized(): UnauthorizedException {
  return new UnauthorizedException('Authentication required');
}

export function accessDenied(): ForbiddenException {
  return new ForbiddenException('Access denied');
}

/**
 * API5: verifies `Authorization: Bearer <jwt>` and sets `request.user`. Runs first.
 * Routes on the 'deny' policy are refused here, before any token work; non-HTTP contexts are
 * refused unless @Public.
 */
@Injectable()
export class ShieldAuthGuard implements CanActivate {
  constructor(
    private readonly policies: RoutePolicyResolver,
    private readonly tokens: TokenService,
    private readonly events: SecurityEventsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = this.policies.resolve(context.getClass(), context.getHandler());
    if (context.getType() !== 'http') {
      if (policy.kind === 'public') return true;
      this.events.emit({ type: 'access-denied', reason: 'unsupported-context' });
      throw accessDenied();
    }
    const request = httpRequest(context);
    if (policy.kind === 'deny') {
      this.events.emit({ type: 'access-denied', reason: 'deny-policy', route: describeRoute(request), ip: request.ip });
      throw accessDenied();
    }
    try {
      request.user = this.authenticate(request);
      return true;
    } catch (error) {
      if (!(error instanceof AuthenticationFailedError)) throw error;
      request.user = undefined;
      if (policy.kind === 'public') return true;
      this.events.emit({ type: 'authentication-failed', reason: error.reason, route: describeRoute(request), ip: request.ip });
      setResponseHeader(httpResponse(context), 'WWW-Authenticate', 'Bearer');
      throw unauthorized();
    }
  }

  private authenticate(request: AnyRequest) {
    const header = request.headers?.authorization;
    if (header === undefined) throw new AuthenticationFailedError('missing-token');
    if (typeof header !== 'string' || rawHeaderCount(request, 'authorization') > 1) {
      throw new AuthenticationFailedError('duplicate-header');
    }
    if (header.length > this.maxHeaderLength) throw new AuthenticationFailedError('oversized-token');
    // The usual spelling and a token verified before (so free of whitespace): the pattern below would match
    // it too, and the cache check alone answers.
    if (header.startsWith('Bearer ')) {
      const principal = this.tokens.cached(header.slice(7));
      if (principal) return principal;
    }
    const match = BEARER.exec(header);
    if (!match) throw new AuthenticationFailedError('malformed-header');
    return this.tokens.verify(match[1]);
  }

  private get maxHeaderLength(): number {
    return this.tokens.maxTokenLength + 16;
  }
}
