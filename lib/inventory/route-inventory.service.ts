import { Inject, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { ACKNOWLEDGED_FINDINGS_KEY, API_SHIELD_OPTIONS } from '../constants.js';
import { RoutePolicyResolver } from '../auth/route-policy.resolver.js';
import { ShieldAuthGuard } from '../auth/shield-auth.guard.js';
import { FlowPolicyResolver } from '../flows/flow-policy.resolver.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { findingsFor } from './inventory-findings.js';
import type { Finding, RouteEntry } from './route-entry.interface.js';
import { RouteScanner } from './route-scanner.js';

function hasShieldGuard(target: Function): boolean {
  const guards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, target) ?? [];
  return guards.some((g) => g === ShieldAuthGuard || (typeof g === 'function' && g.name === ShieldAuthGuard.name));
}

/** API9: every HTTP route of the app, with the protection it really has. */
@Injectable()
export class RouteInventoryService {
  constructor(
    private readonly scanner: RouteScanner,
    private readonly policies: RoutePolicyResolver,
    private readonly flows: FlowPolicyResolver,
    @Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions,
  ) {}

  list(): RouteEntry[] {
    return this.collect().map(({ entry }) => entry);
  }

  /** Findings on the inventory, each with a code and a one-line fix; acknowledged ones are marked. */
  findings(): Finding[] {
    const collected = this.collect();
    const acknowledged = new Map(collected.map(({ entry, controller, handler }) => [entry, {
      ...(Reflect.getMetadata(ACKNOWLEDGED_FINDINGS_KEY, controller) ?? {}),
      ...(Reflect.getMetadata(ACKNOWLEDGED_FINDINGS_KEY, handler) ?? {}),
    } as Record<string, string>]));
    return findingsFor(collected.map(({ entry }) => entry), (entry) => acknowledged.get(entry) ?? {});
  }

  private collect(): { entry: RouteEntry; controller: Function; handler: Function }[] {
    const entries: { entry: RouteEntry; controller: Function; handler: Function }[] = [];
    for (const route of this.scanner.scan()) {
      const policy = this.policies.resolve(route.controller, route.handler);
      const flows = this.flows.resolve(route.controller, route.handler).flows.map((flow) => ({
        name: flow.label,
        limit: flow.options.limit,
        windowMs: flow.options.windowMs,
        by: typeof flow.options.by === 'function' ? 'custom' : flow.options.by ?? 'user',
        ...(flow.options.scope !== undefined ? { scope: typeof flow.options.scope === 'function' ? 'custom' : flow.options.scope } : {}),
      }));
      const guarded = this.options.global || hasShieldGuard(route.controller) || hasShieldGuard(route.handler);
      for (const path of route.paths) {
        const entry: RouteEntry = {
          method: route.method, path, controller: route.controller.name, handler: route.handlerName,
          policy: policy.kind, roles: policy.kind === 'roles' ? [...policy.granting].sort() : [],
          flows, explicit: policy.explicit, guarded, module: route.moduleName,
          ...(route.version ? { version: route.version } : {}),
        };
        entries.push({ entry, controller: route.controller, handler: route.handler });
      }
    }
    return entries.sort((a, b) => a.entry.path.localeCompare(b.entry.path) || a.entry.method.localeCompare(b.entry.method));
  }
}
