import { Injectable, RequestMethod } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { SENSITIVE_FLOWS_KEY } from '../constants.js';
import type { SensitiveFlowOptions } from '../interfaces/sensitive-flow-options.interface.js';
import { PerRouteCache } from '../utils/per-route-cache.js';
import { sfString } from '../utils/structured-field.js';
import { parseScopePath } from './flow-scope.js';
import type { ResolvedFlow, RouteFlows } from './resolved-flow.interface.js';

/** Long identities are hashed once here: shorter keys cost less memory in the store, per key. */
function compactId(id: string): string {
  return id.length <= 32 ? id : `#${createHash('sha256').update(id).digest('base64url').slice(0, 16)}`;
}

const NONE: RouteFlows = { flows: [], policyHeader: '', successFlows: false, blocksAutomation: false, sharedNames: false, ownHits: [], successIndexes: [] };

function paths(value: unknown): string {
  return ([] as unknown[]).concat(value ?? '').map(String).join(',');
}

/** Reads @SensitiveFlow metadata once per (controller, handler): class flows first, then handler flows. */
@Injectable()
export class FlowPolicyResolver {
  private readonly cache = new PerRouteCache<RouteFlows>((controller, handler) => this.compute(controller, handler));

  resolve(controller: Function, handler: Function): RouteFlows {
    return this.cache.get(controller, handler);
  }

  /**
   * The default identity includes the HTTP method and both route paths, so two controllers whose classes
   * and methods share names never share a counter, and every app instance derives the same key.
   */
  routeIdentity(controller: Function, handler: Function): string {
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) ?? RequestMethod.GET];
    const path = `${paths(Reflect.getMetadata(PATH_METADATA, controller))}|${paths(Reflect.getMetadata(PATH_METADATA, handler))}`;
    return `${controller.name}.${handler.name}@${method} ${path}`;
  }

  private compute(controller: Function, handler: Function): RouteFlows {
    const declared: SensitiveFlowOptions[] = [
      ...(Reflect.getMetadata(SENSITIVE_FLOWS_KEY, controller) ?? []),
      ...(Reflect.getMetadata(SENSITIVE_FLOWS_KEY, handler) ?? []),
    ];
    if (declared.length === 0) return NONE;
    const route = this.routeIdentity(controller, handler);
    const flows: ResolvedFlow[] = declared.map((options, index) => {
      const label = options.name ?? `${controller.name}.${handler.name}${declared.length > 1 ? `#${index}` : ''}`;
      return {
        options,
        id: compactId(options.name ?? `${route}#${index}`),
        label,
        headerLabel: sfString(label),
        scopePath: typeof options.scope === 'string' ? parseScopePath(options.scope) : undefined,
        countOnSuccess: options.count === 'success',
      };
    });
    return {
      flows,
      policyHeader: flows.map((f) => `${f.headerLabel};q=${f.options.limit};w=${Math.ceil(f.options.windowMs / 1000)}`).join(', '),
      successFlows: flows.some((f) => f.countOnSuccess),
      blocksAutomation: flows.some((f) => f.options.automation === 'block'),
      sharedNames: new Set(flows.map((f) => f.id)).size < flows.length,
      ownHits: Object.freeze(flows.map((_, i) => i)),
      successIndexes: Object.freeze(flows.flatMap((f, i) => (f.countOnSuccess ? [i] : []))),
    };
  }
}
