/** One limit to check: at most `limit` admitted requests per `key` in any interval of `windowMs`. */
export interface FlowHit {
  key: string;
  limit: number;
  windowMs: number;
}

export interface FlowHitResult {
  /** False when this hit's key was already at its limit. */
  allowed: boolean;
  /** Slots left after this request (0 when refused). */
  remaining: number;
  /** Milliseconds until the next slot frees (for a refused hit: until one is available again). */
  resetMs: number;
}

export interface FlowDecision {
  /** True only when every hit had room; then each took one slot, otherwise none did. */
  admitted: boolean;
  results: FlowHitResult[];
  /** Opaque handle of the slots taken, for release(). */
  reservation?: string;
}

/**
 * Storage behind @SensitiveFlow. One small contract: an all-or-nothing consume over every limit of a
 * request, and a release for `count: 'success'` when the handler failed. Implementations must be atomic
 * across every process that shares them. An abstract class, so it is also the injection token of the
 * store in use: `constructor(private readonly store: FlowStore)`.
 */
export abstract class FlowStore {
  /** `hits` have distinct keys (the guard merges flows that share one). */
  abstract consume(hits: FlowHit[]): FlowDecision | Promise<FlowDecision>;
  abstract release(hits: FlowHit[], reservation: string): void | Promise<void>;
  /** Called once at start-up (connect, warm up). */
  init?(): void | Promise<void>;
  close?(): void | Promise<void>;
}
