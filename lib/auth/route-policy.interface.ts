export type PolicyKind = 'public' | 'authenticated' | 'roles' | 'deny';

/** What a route demands, resolved once per (controller, handler) and cached. */
export interface RoutePolicy {
  kind: PolicyKind;
  /** Roles as declared by @Roles (any of them). */
  roles: readonly string[];
  /** Declared roles plus every role that inherits one of them. */
  granting: ReadonlySet<string>;
  /** False when the route fell back to `defaultPolicy`. */
  explicit: boolean;
}
