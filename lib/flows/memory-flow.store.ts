import type { FlowDecision, FlowHit, FlowStore } from './flow-store.interface.js';

export class FlowStoreCapacityError extends Error {
  constructor(maxKeys: number) {
    super(`memory flow store is full (${maxKeys} live keys)`);
    this.name = 'FlowStoreCapacityError';
  }
}

export interface MemoryFlowStoreOptions {
  /** Most keys held at once; past it, new keys are refused as a store error (fail closed, never evicted). */
  maxKeys?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** How often one sweep reclaims expired keys. Default 10 s. */
  sweepIntervalMs?: number;
}

/**
 * Exact sliding-window log in one process. Each key holds the expiry times of its admitted requests
 * (at most `limit` numbers): no timer per key, one unref'd sweep timer for the whole store.
 * Evicting live keys under pressure would let an attacker reset someone's limit, so a full store
 * refuses new keys instead.
 */
export class MemoryFlowStore implements FlowStore {
  private readonly entries = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private sequence = 0;

  constructor(options: MemoryFlowStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 500_000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.timer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  consume(hits: FlowHit[]): FlowDecision {
    const now = this.now();
    let admitted = true;
    const seen = new Map<string, number[]>();
    const live = hits.map((hit) => {
      const expiries = seen.get(hit.key) ?? this.liveExpiries(hit.key, now);
      seen.set(hit.key, expiries);
      if (expiries.length >= hit.limit) admitted = false;
      return expiries;
    });
    if (admitted) this.ensureCapacity(seen);

    const results = hits.map((hit, i) => {
      const expiries = live[i];
      const allowed = expiries.length < hit.limit;
      if (!admitted) {
        return { allowed, remaining: Math.max(0, hit.limit - expiries.length), resetMs: allowed ? 0 : this.untilFree(expiries, hit.limit, now) };
      }
      const expiry = now + hit.windowMs;
      expiries.push(expiry);
      if (expiries.length === 1) this.entries.set(hit.key, expiries);
      return { allowed, remaining: hit.limit - expiries.length, resetMs: Math.min(...expiries) - now };
    });
    return { admitted, results, reservation: admitted ? `${now}:${this.sequence++}` : undefined };
  }

  /** Gives back the slot each hit took at the reservation's time. */
  release(hits: FlowHit[], reservation: string): void {
    const takenAt = Number(reservation.split(':')[0]);
    for (const hit of hits) {
      const expiries = this.entries.get(hit.key);
      const index = expiries?.lastIndexOf(takenAt + hit.windowMs) ?? -1;
      if (!expiries || index < 0) continue;
      expiries.splice(index, 1);
      if (expiries.length === 0) this.entries.delete(hit.key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.entries.clear();
  }

  /** Drops every expired entry. Cheap per key; one pass over the map. */
  sweep(): void {
    const now = this.now();
    for (const [key, expiries] of this.entries) {
      if (this.prune(expiries, now).length === 0) this.entries.delete(key);
    }
  }

  private liveExpiries(key: string, now: number): number[] {
    const expiries = this.entries.get(key);
    if (!expiries) return [];
    return this.prune(expiries, now);
  }

  private prune(expiries: number[], now: number): number[] {
    let write = 0;
    for (let read = 0; read < expiries.length; read++) {
      if (expiries[read] > now) expiries[write++] = expiries[read];
    }
    expiries.length = write;
    return expiries;
  }

  /** Time until enough slots expire for one more request. */
  private untilFree(expiries: number[], limit: number, now: number): number {
    const sorted = [...expiries].sort((a, b) => a - b);
    return sorted[sorted.length - limit] - now;
  }

  private ensureCapacity(keys: Map<string, number[]>): void {
    const fresh = () => [...keys.keys()].filter((key) => !this.entries.has(key)).length;
    if (this.entries.size + fresh() <= this.maxKeys) return;
    this.sweep();
    if (this.entries.size + fresh() > this.maxKeys) throw new FlowStoreCapacityError(this.maxKeys);
  }
}
