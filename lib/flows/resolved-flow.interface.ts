import type { SensitiveFlowOptions } from '../interfaces/sensitive-flow-options.interface.js';

/** A @SensitiveFlow with everything that does not depend on the request worked out at first use. */
export interface ResolvedFlow {
  options: SensitiveFlowOptions;
  /** Counter namespace: the flow's name, or the route's identity. */
  id: string;
  /** Name shown in RateLimit headers and events. */
  label: string;
  /** `label` as an RFC 8941 string, for the RateLimit headers. */
  headerLabel: string;
  scopePath?: string[];
  countOnSuccess: boolean;
}

export interface RouteFlows {
  flows: ResolvedFlow[];
  /** Precomputed `RateLimit-Policy` header value. */
  policyHeader: string;
  successFlows: boolean;
  blocksAutomation: boolean;
  /** Two flows share a name, so their keys may coincide for a request and be charged as one hit. */
  sharedNames: boolean;
  /** [0, 1, …]: which hit each flow is when no two can share one. */
  ownHits: readonly number[];
  /** Flows counted only on success, when no two can share a hit. */
  successIndexes: readonly number[];
}
