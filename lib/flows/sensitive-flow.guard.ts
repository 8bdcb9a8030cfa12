import {
  ForbiddenException, HttpException, HttpStatus, Inject, Injectable, ServiceUnavailableException,
  type CanActivate, type ExecutionContext,
} from '@nestjs/common';
import { API_SHIELD_OPTIONS, FLOW_STORE } from '../constants.js';
import { SecurityEventsService } from '../events/security-events.service.js';
import type { Principal } from '../interfaces/principal.interface.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { sfString } from '../utils/structured-field.js';
import { describeRoute, setResponseHeader, type AnyRequest } from '../utils/http-context.js';
import { FlowPolicyResolver } from './flow-policy.resolver.js';
import { FlowKeyError, requestKey } from './flow-request-keys.js';
import type { FlowDecision, FlowHit, FlowStore } from './flow-store.interface.js';
import type { ResolvedFlow, RouteFlows } from './resolved-flow.interface.js';

const DEFAULT_MESSAGE = 'Too many requests. Please try again later.';

/**
 * API6: enforces every @SensitiveFlow of a route in one all-or-nothing store call. Runs after
 * authentication and roles, so flows can count by user.
 */
@Injectable()
export class SensitiveFlowGuard implements CanActivate {
  constructor(
    private readonly resolver: FlowPolicyResolver,
    @Inject(FLOW_STORE) private readonly store: FlowStore,
    @Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions,
    private readonly events: SecurityEventsService,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.resolver.resolve(context.getClass(), context.getHandler());
    if (route.flows.length === 0) return true; // stays synchronous: no promise on unlimited routes
    if (context.getType() !== 'http') throw new ForbiddenException('Access denied');
    return this.enforce(context, route);
  }

  private async enforce(context: ExecutionContext, route: RouteFlows): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AnyRequest>();
    const principalId = (request.user as Principal | undefined)?.id;

    if (route.blocksAutomation) await this.refuseAutomation(context, route, request, principalId);

    const { hits, hitOfFlow } = this.hitsFor(context, route, request);
    let stored: FlowDecision;
    try {
      stored = await this.store.consume(hits);
    } catch (error) {
      return this.onStoreError(error, request);
    }
    // Results per flow, in declaration order.
    const decision: FlowDecision = { ...stored, results: hitOfFlow.map((index) => stored.results[index]) };

    const response = http.getResponse();
    setResponseHeader(response, 'RateLimit-Policy', route.policyHeader);
    setResponseHeader(response, 'RateLimit', this.rateLimitHeader(route.flows, decision));
    if (!decision.admitted) this.refuse(route, decision, request, response, principalId);

    if (route.successFlows && decision.reservation) {
      const successHits = hits.filter((_, index) => route.flows.some((flow, i) => flow.countOnSuccess && hitOfFlow[i] === index));
      this.releaseUnlessSuccessful(response, successHits, decision.reservation);
    }
    return true;
  }

  /**
   * `count: 'success'`: the slot was reserved before the handler ran (so parallel requests cannot all pass);
   * it is given back when the response ends with a status >= 400 or the connection closes first. Watching
   * the response rather than the handler also covers pipes and guards that fail after this one.
   */
  private releaseUnlessSuccessful(response: any, hits: FlowHit[], reservation: string): void {
    const raw = response?.raw ?? response;
    if (typeof raw?.once !== 'function') return;
    let settled = false;
    const settle = (succeeded: boolean) => {
      if (settled) return;
      settled = true;
      if (succeeded) return;
      Promise.resolve()
        .then(() => this.store.release(hits, reservation))
        // The slot then expires with its window: stricter than intended, never looser.
        .catch((error) => this.events.emit({ type: 'flow-store-error', action: 'deny', error: `release failed: ${error instanceof Error ? error.message : String(error)}` }));
    };
    raw.once('finish', () => settle(raw.statusCode < 400));
    raw.once('close', () => settle(raw.writableFinished === true && raw.statusCode < 400));
  }

  /**
   * One hit per distinct key: flows that share a name and resolve to the same key are one counter, charged
   * once, with the strictest limit and the longest window among them.
   */
  private hitsFor(context: ExecutionContext, route: RouteFlows, request: AnyRequest): { hits: FlowHit[]; hitOfFlow: number[] } {
    try {
      const hits: FlowHit[] = [];
      const hitOfFlow: number[] = [];
      const byKey = new Map<string, number>();
      for (const flow of route.flows) {
        const key = requestKey(flow, context, request, this.options.flows.ipv6Subnet);
        const index = byKey.get(key);
        if (index !== undefined) {
          hits[index].limit = Math.min(hits[index].limit, flow.options.limit);
          hits[index].windowMs = Math.max(hits[index].windowMs, flow.options.windowMs);
          hitOfFlow.push(index);
        } else {
          byKey.set(key, hits.length);
          hitOfFlow.push(hits.length);
          hits.push({ key, limit: flow.options.limit, windowMs: flow.options.windowMs });
        }
      }
      return { hits, hitOfFlow };
    } catch (error) {
      if (error instanceof FlowKeyError) {
        const flow = route.flows[0];
        this.events.emit({ type: 'flow-request-rejected', flow: flow.label, reason: error.reason, route: describeRoute(request), ip: request.ip });
      }
      throw error;
    }
  }

  private async refuseAutomation(context: ExecutionContext, route: RouteFlows, request: AnyRequest, principalId?: string) {
    const detector = this.options.flows.detectAutomation;
    let automated = true;
    try {
      automated = detector ? await detector(context) : true;
    } catch {
      automated = true;
    }
    if (!automated) return;
    const flow = route.flows.find((f) => f.options.automation === 'block') as ResolvedFlow;
    this.events.emit({ type: 'automation-blocked', flow: flow.label, principalId, route: describeRoute(request), ip: request.ip });
    throw new ForbiddenException('Access denied');
  }

  private onStoreError(error: unknown, request: AnyRequest): boolean {
    const action = this.options.flows.onStoreError;
    this.events.emit({
      type: 'flow-store-error', action, error: error instanceof Error ? error.message : String(error),
      route: describeRoute(request), ip: request.ip,
    });
    if (action === 'allow') return true;
    throw new ServiceUnavailableException('Service temporarily unavailable');
  }

  private refuse(route: RouteFlows, decision: FlowDecision, request: AnyRequest, response: unknown, principalId?: string): never {
    const refusing = route.flows.map((flow, i) => ({ flow, result: decision.results[i] })).filter(({ result }) => !result.allowed);
    const waitMs = Math.max(...refusing.map(({ result }) => result.resetMs), 1);
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    setResponseHeader(response, 'Retry-After', String(retryAfter));
    const first = refusing[0]?.flow ?? route.flows[0];
    this.events.emit({
      type: 'flow-limit-exceeded', flow: first.label, limit: first.options.limit, windowMs: first.options.windowMs,
      retryAfterSeconds: retryAfter, principalId, route: describeRoute(request), ip: request.ip,
    });
    throw new HttpException(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: first.options.message ?? DEFAULT_MESSAGE, error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  /** IETF httpapi RateLimit header (draft 8): `"name";r=<remaining>;t=<seconds until a slot frees>`. */
  private rateLimitHeader(flows: ResolvedFlow[], decision: FlowDecision): string {
    return flows
      .map((flow, i) => {
        const result = decision.results[i];
        return `${sfString(flow.label)};r=${result.remaining};t=${Math.ceil(result.resetMs / 1000)}`;
      })
      .join(', ');
  }
}
