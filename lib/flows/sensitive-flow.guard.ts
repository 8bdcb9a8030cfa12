import {
  ForbiddenException, HttpException, HttpStatus, Inject, Injectable, ServiceUnavailableException,
  type CanActivate, type ExecutionContext,
} from '@nestjs/common';
import { API_SHIELD_OPTIONS, FLOW_RESERVATIONS, FLOW_STORE } from '../constants.js';
import { SecurityEventsService } from '../events/security-events.service.js';
import type { Principal } from '../interfaces/principal.interface.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { sfString } from '../utils/structured-field.js';
import { describeRoute, setResponseHeader, type AnyRequest } from '../utils/http-context.js';
import { FlowPolicyResolver } from './flow-policy.resolver.js';
import { FlowKeyError, requestKey } from './flow-request-keys.js';
import type { FlowDecision, FlowHit, FlowStore } from './flow-store.interface.js';
import type { ResolvedFlow, RouteFlows } from './resolved-flow.interface.js';

export interface FlowReservation {
  hits: FlowHit[];
  reservation: string;
}

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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.resolver.resolve(context.getClass(), context.getHandler());
    if (route.flows.length === 0) return true;
    if (context.getType() !== 'http') throw new ForbiddenException('Access denied');
    const http = context.switchToHttp();
    const request = http.getRequest<AnyRequest>();
    const principalId = (request.user as Principal | undefined)?.id;

    if (route.blocksAutomation) await this.refuseAutomation(context, route, request, principalId);

    const hits = this.hitsFor(context, route, request);
    let decision: FlowDecision;
    try {
      decision = await this.store.consume(hits);
    } catch (error) {
      return this.onStoreError(error, request);
    }

    const response = http.getResponse();
    setResponseHeader(response, 'RateLimit-Policy', route.policyHeader);
    setResponseHeader(response, 'RateLimit', this.rateLimitHeader(route.flows, decision));
    if (!decision.admitted) this.refuse(route, decision, request, response, principalId);

    if (route.successFlows && decision.reservation) {
      const successHits = hits.filter((_, i) => route.flows[i].countOnSuccess);
      request[FLOW_RESERVATIONS] = { hits: successHits, reservation: decision.reservation } satisfies FlowReservation;
    }
    return true;
  }

  private hitsFor(context: ExecutionContext, route: RouteFlows, request: AnyRequest): FlowHit[] {
    try {
      return route.flows.map((flow) => ({
        key: requestKey(flow, context, request, this.options.flows.ipv6Subnet),
        limit: flow.options.limit,
        windowMs: flow.options.windowMs,
      }));
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
