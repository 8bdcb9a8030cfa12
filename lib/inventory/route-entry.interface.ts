import type { PolicyKind } from '../auth/route-policy.interface.js';

export interface FlowSummary {
  name: string;
  limit: number;
  windowMs: number;
  by: string;
  scope?: string;
}

/** One HTTP route as clients reach it, with the protection the shield gives it. */
export interface RouteEntry {
  method: string;
  path: string;
  controller: string;
  handler: string;
  policy: PolicyKind;
  /** Roles that pass, after hierarchy expansion (empty unless policy is 'roles'). */
  roles: string[];
  flows: FlowSummary[];
  /** False when the route relies on `defaultPolicy`. */
  explicit: boolean;
  /** False with `global: false` when no ShieldAuthGuard is attached to the controller or handler. */
  guarded: boolean;
  /** URI/header/media-type version(s) of the route, when versioned. */
  version?: string;
  module: string;
}

export interface Finding {
  code: string;
  route: string;
  message: string;
  fix: string;
  /** Set when @AcknowledgeFinding accepted it; acknowledged findings do not fail strict mode. */
  acknowledged?: string;
}
