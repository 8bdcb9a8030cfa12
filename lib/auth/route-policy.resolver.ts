import { Inject, Injectable } from '@nestjs/common';
import { API_SHIELD_OPTIONS, IS_AUTHENTICATED_KEY, IS_PUBLIC_KEY, ROLES_KEY } from '../constants.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { PerRouteCache } from '../utils/per-route-cache.js';
import type { RoutePolicy } from './route-policy.interface.js';

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Reads @Public / @Authenticated / @Roles once per route: handler metadata overrides class metadata; at
 * the same level the stricter one wins (@Roles, then @Authenticated, then @Public); routes with none get
 * `defaultPolicy`.
 */
@Injectable()
export class RoutePolicyResolver {
  private readonly cache = new PerRouteCache<RoutePolicy>((controller, handler) => this.compute(controller, handler));

  constructor(@Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions) {}

  resolve(controller: Function, handler: Function): RoutePolicy {
    return this.cache.get(controller, handler);
  }

  private compute(controller: Function, handler: Function): RoutePolicy {
    for (const target of [handler, controller]) {
      const roles = Reflect.getMetadata(ROLES_KEY, target) as readonly string[] | undefined;
      if (roles?.length) {
        return { kind: 'roles', roles, granting: this.options.hierarchy.grantingRoles(roles), explicit: true };
      }
      if (Reflect.getMetadata(IS_AUTHENTICATED_KEY, target) === true) {
        return { kind: 'authenticated', roles: [], granting: EMPTY, explicit: true };
      }
      if (Reflect.getMetadata(IS_PUBLIC_KEY, target) === true) {
        return { kind: 'public', roles: [], granting: EMPTY, explicit: true };
      }
    }
    return { kind: this.options.defaultPolicy, roles: [], granting: EMPTY, explicit: false };
  }
}
