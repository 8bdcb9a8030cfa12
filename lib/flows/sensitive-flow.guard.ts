import {
  ForbiddenException, HttpException, HttpStatus, Inject, Injectable, ServiceUnavailableException,
  type CanActivate, type ExecutionContext,
} from '@nestjs/common';
import { API_SHIELD_OPTIONS, FLOW_STORE } from '../constants.js';
import { SecurityEventsService } from '../events/security-events.service.js';
import type { Principal } from '../interfaces/principal.interface.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { describeRoute, setResponseHeader, httpRequest, httpResponse, type AnyRequest } from '../utils/http-context.js';
import { FlowPolicyResolver } from './flow-policy.resolver.js';
import { FlowKeyError, requestKey } from './flow-request-keys.js';
import type { FlowDecision, FlowHit, FlowHitResult, FlowStore } from './flow-store.interface.js';
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

  /** Synchronous end to end when the store and the detector are (the memory store is): no promise per request. */
  private enforce(context: ExecutionContext, route: RouteFlows): boolean | Promise<boolean> {
    const request = httpRequest(context);
    if (!route.blocksAutomation) return this.consume(context, route, request);
    const automated = this.isAutomated(context);
    if (automated instanceof Promise) {
      return automated.then((flagged) => (flagged ? this.refuseAutomation(route, request) : this.consume(context, route, request)));
    }
    return automated ? this.refuseAutomation(route, request) : this.consume(context, route, request);
  }

  private consume(context: ExecutionContext, route: RouteFlows, request: AnyRequest): boolean | Promise<boolean> {
    const { hits, hitOfFlow } = this.hitsFor(context, route, request);
    let stored: FlowDecision | Promise<FlowDecision>;
    try {
      stored = this.store.consume(hits);
    } catch (error) {
      return this.onStoreError(error, request);
    }
    if (stored instanceof Promise) {
      return stored.then(
        (decision) => this.decide(context, route, request, hits, hitOfFlow, decision),
        (error) => this.onStoreError(error, request),
      );
    }
    return this.decide(context, route, request, hits, hitOfFlow, stored);
  }

  private decide(context: ExecutionContext, route: RouteFlows, request: AnyRequest, hits: FlowHit[], hitOfFlow: readonly number[], stored: FlowDecision): boolean {
    // Results per flow, in declaration order (the store's own order unless two flows share a hit).
    const results = route.sharedNames ? hitOfFlow.map((index) => stored.results[index]) : stored.results;
    const response = httpResponse(context);
    if (this.options.flows.rateLimitHeaders) {
      // Lower-case names: what Fastify and Node store anyway, so neither has to convert them per request.
      setResponseHeader(response, 'ratelimit-policy', route.policyHeader);
      setResponseHeader(response, 'ratelimit', this.rateLimitHeader(route.flows, results));
    }
    if (!stored.admitted) this.refuse(route, results, request, response);
    if (route.successFlows && stored.reservation) {
      const successHits = route.sharedNames
        // A shared hit is given back only if every flow charged to it counts on success.
        ? hits.filter((_, index) => route.flows.every((flow, i) => hitOfFlow[i] !== index || flow.countOnSuccess))
        : route.successIndexes.map((index) => hits[index]);
      if (successHits.length > 0) this.releaseUnlessSuccessful(response, successHits, stored.reservation);
    }
    return true;
  }

  /**
   * `count: 'success'`: the slot was reserved before the handler ran (so parallel requests cannot all pass);
   * it is given back when the response ends with a status >= 400. Watching the response rather than the
   * handler also covers pipes and guards that fail after this one. A connection closed before the answer
   * keeps the slot unless a failure status was already sent: the handler may well have succeeded, and a
   * client that hangs up must not get its slot back for free.
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
    raw.once('close', () => settle(!(raw.headersSent === true && raw.statusCode >= 400)));
  }

  /**
   * One hit per distinct key: flows that share a name and resolve to the same key are one counter, charged
   * once, with the strictest limit and the longest window among them.
   */
  private hitsFor(context: ExecutionContext, route: RouteFlows, request: AnyRequest): { hits: FlowHit[]; hitOfFlow: readonly number[] } {
    const hits: FlowHit[] = [];
    // Without shared names every flow is its own hit (route.ownHits); only shared names need a lookup by key.
    const byKey = route.sharedNames ? new Map<string, number>() : undefined;
    const hitOfFlow: number[] = [];
    for (const flow of route.flows) {
      const key = this.keyOf(flow, context, request);
      const index = byKey?.get(key);
      if (index !== undefined) {
        hits[index].limit = Math.min(hits[index].limit, flow.options.limit);
        hits[index].windowMs = Math.max(hits[index].windowMs, flow.options.windowMs);
        hitOfFlow.push(index);
        continue;
      }
      byKey?.set(key, hits.length);
      if (byKey) hitOfFlow.push(hits.length);
      hits.push({ key, limit: flow.options.limit, windowMs: flow.options.windowMs });
    }
    return { hits, hitOfFlow: byKey ? hitOfFlow : route.ownHits };
  }

  /** The flow's key for this request; a bad scope value or `by` result is reported under that flow, then a 400. */
  private keyOf(flow: ResolvedFlow, context: ExecutionContext, request: AnyRequest): string {
    try {
      return requestKey(flow, context, request, this.options.flows.ipv6Subnet);
    } catch (error) {
      if (error instanceof FlowKeyError) {
        this.events.emit({ type: 'flow-request-rejected', flow: flow.label, reason: error.reason, route: describeRoute(request), ip: request.ip });
      }
      throw error;
    }
  }

  /** A detector that throws counts as "automated": fail closed. */
  private isAutomated(context: ExecutionContext): boolean | Promise<boolean> {
    const detector = this.options.flows.detectAutomation;
    if (!detector) return true;
    try {
      const verdict = detector(context);
      return verdict instanceof Promise ? verdict.then((v) => v !== false, () => true) : verdict !== false;
    } catch {
      return true;
    }
  }

  private refuseAutomation(route: RouteFlows, request: AnyRequest): never {
    const flow = route.flows.find((f) => f.options.automation === 'block') as ResolvedFlow;
    const principalId = (request.user as Principal | undefined)?.id;
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

  private refuse(route: RouteFlows, results: FlowHitResult[], request: AnyRequest, response: unknown): never {
    const principalId = (request.user as Principal | undefined)?.id;
    const refusing = route.flows.map((flow, i) => ({ flow, result: results[i] })).filter(({ result }) => !result.allowed);
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
  private rateLimitHeader(flows: ResolvedFlow[], results: FlowHitResult[]): string {
    let header = '';
    for (let i = 0; i < flows.length; i++) {
      header += `${i ? ', ' : ''}${flows[i].headerLabel};r=${results[i].remaining};t=${Math.ceil(results[i].resetMs / 1000)}`;
    }
    return header;
  }
}
