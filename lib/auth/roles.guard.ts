import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SecurityEventsService } from '../events/security-events.service.js';
import type { Principal } from '../interfaces/principal.interface.js';
import { describeRoute, httpRequest, type AnyRequest } from '../utils/http-context.js';
import { RoutePolicyResolver } from './route-policy.resolver.js';
import { accessDenied, unauthorized } from './shield-auth.guard.js';

/**
 * API5: enforces @Roles with exact, case-sensitive matching against the hierarchy-expanded
 * requirement. Runs after ShieldAuthGuard; a missing principal on a non-public route is a 401,
 * so forgetting ShieldAuthGuard with `global: false` fails closed.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly policies: RoutePolicyResolver, private readonly events: SecurityEventsService) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = this.policies.resolve(context.getClass(), context.getHandler());
    if (policy.kind === 'public') return true;
    if (context.getType() !== 'http') throw accessDenied();
    const request = httpRequest(context);
    if (policy.kind === 'deny') throw accessDenied();
    const user = request.user as Principal | undefined;
    if (!user || typeof user.id !== 'string' || !Array.isArray(user.roles)) throw unauthorized();
    if (policy.kind === 'authenticated') return true;
    if (user.roles.some((role) => policy.granting.has(role))) return true;
    this.events.emit({
      type: 'access-denied', reason: 'missing-role', principalId: user.id,
      requiredRoles: [...policy.roles], route: describeRoute(request), ip: request.ip,
    });
    throw accessDenied();
  }
}
