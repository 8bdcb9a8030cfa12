interface BaseEvent {
  /** ISO time of the event. */
  at: string;
  /** `METHOD /path` of the request, when there is one. */
  route?: string;
  ip?: string;
}

export type AuthFailureReason =
  | 'missing-token'
  | 'malformed-header'
  | 'duplicate-header'
  | 'oversized-token'
  | 'invalid-token'
  | 'expired-token'
  | 'not-yet-valid'
  | 'missing-claim';

export interface AuthenticationFailedEvent extends BaseEvent {
  type: 'authentication-failed';
  reason: AuthFailureReason;
}

export interface AccessDeniedEvent extends BaseEvent {
  type: 'access-denied';
  principalId?: string;
  reason: 'missing-role' | 'deny-policy' | 'unsupported-context';
  requiredRoles?: string[];
}

export interface FlowLimitExceededEvent extends BaseEvent {
  type: 'flow-limit-exceeded';
  principalId?: string;
  flow: string;
  limit: number;
  windowMs: number;
  retryAfterSeconds: number;
}

export interface AutomationBlockedEvent extends BaseEvent {
  type: 'automation-blocked';
  principalId?: string;
  flow: string;
}

export interface FlowStoreErrorEvent extends BaseEvent {
  type: 'flow-store-error';
  /** What the guard did about it: 'deny' answered 503, 'allow' let the request through. */
  action: 'deny' | 'allow';
  error: string;
}

export interface FlowRequestRejectedEvent extends BaseEvent {
  type: 'flow-request-rejected';
  flow: string;
  reason: 'invalid-scope' | 'invalid-key';
}

export interface SsrfBlockedEvent {
  type: 'ssrf-blocked';
  at: string;
  reason: string;
  /** Scheme + host of the refused target (never a resolved address, never credentials or query). */
  target: string;
}

export interface UnsafeResponseEvent {
  type: 'unsafe-response';
  at: string;
  reason: string;
  target: string;
}

export type SecurityEvent =
  | AuthenticationFailedEvent
  | AccessDeniedEvent
  | FlowLimitExceededEvent
  | AutomationBlockedEvent
  | FlowStoreErrorEvent
  | FlowRequestRejectedEvent
  | SsrfBlockedEvent
  | UnsafeResponseEvent;

export type SecurityEventHandler = (event: SecurityEvent) => void | Promise<void>;
