import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { API_SHIELD_OPTIONS } from '../constants.js';
import { RoutePolicyResolver } from '../auth/route-policy.resolver.js';
import { FlowPolicyResolver } from '../flows/flow-policy.resolver.js';
import { RouteScanner } from '../inventory/route-scanner.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';

/**
 * Declarations that cannot work are refused when the app boots, not when a request arrives:
 * roles unknown to the hierarchy, flows counting users on routes that have none, automation blocks
 * without a detector.
 */
@Injectable()
export class RouteDeclarationsValidator implements OnModuleInit {
  constructor(
    private readonly scanner: RouteScanner,
    private readonly policies: RoutePolicyResolver,
    private readonly flows: FlowPolicyResolver,
    @Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions,
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    const knownRoles = this.options.hierarchy.roles;
    for (const { controller, handler, handlerName } of this.scanner.scan()) {
      const where = `${controller.name}.${handlerName}`;
      const policy = this.policies.resolve(controller, handler);
      if (!this.options.hierarchy.isEmpty) {
        for (const role of policy.roles) {
          if (!knownRoles.has(role)) problems.push(`@Roles('${role}') on ${where}: unknown role (not in authorization.roleHierarchy)`);
        }
      }
      for (const flow of this.flows.resolve(controller, handler).flows) {
        if ((flow.options.by ?? 'user') === 'user' && policy.kind === 'public') {
          problems.push(`@SensitiveFlow '${flow.label}' on ${where} counts by 'user' but the route is public: use by: 'ip' or 'user-or-ip'`);
        }
        if (flow.options.automation === 'block' && !this.options.flows.detectAutomation) {
          problems.push(`@SensitiveFlow '${flow.label}' on ${where} blocks automation but flows.detectAutomation is not set`);
        }
      }
    }
    if (problems.length) throw new ShieldConfigurationError(`invalid route declarations:\n  - ${problems.join('\n  - ')}`);
  }
}
