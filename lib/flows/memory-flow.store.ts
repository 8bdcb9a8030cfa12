import type { FlowDecision, FlowHit, FlowHitResult, FlowStore } from './flow-store.interface.js';

/** About six days: relative times stay within V8's small-integer range. */
const REBASE_AFTER_MS = 2 ** 29;

/** Small logs are reallocated at their exact size: V8 would otherwise grow a 1-element array to 17. */
const EXACT_SIZE_UP_TO = 8;

/**
 * A key's log: sorted expiry times, of which the first `start` have already passed (long logs drop that
 * prefix lazily, see liveLog).
 */
interface LiveLog {
  expiries: number[];
  start: number;
  /** `expiries` is the array the store holds for the key. */
  held: boolean;
}

/** Index of the first expiry after `now`: expired entries are a sorted prefix, found by binary search. */
function firstLive(expiries: number[], now: number): number {
  let lo = 0;
  let hi = expiries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (expiries[mid] <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Adds an expiry, keeping the log sorted (appends in the usual case: expiries grow with time). Returns the
 * log to store: small logs become a new exact-size array of their live entries, long ones grow in place.
 */
function insertSorted(log: LiveLog, expiry: number): number[] {
  const { expiries, start } = log;
  let i = expiries.length;
  while (i > start && expiries[i - 1] > expiry) i--;
  if (i === expiries.length && expiries.length - start >= EXACT_SIZE_UP_TO) {
    expiries.push(expiry);
    return expiries;
  }
  if (expiries.length - start < EXACT_SIZE_UP_TO) {
    const next = new Array<number>(expiries.length - start + 1);
    for (let j = 0, k = start; j < next.length; j++) next[j] = j === i - start ? expiry : expiries[k++];
    return next;
  }
  expiries.splice(i, 0, expiry);
  return expiries;
}

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
 * Exact sliding-window log in one process. Each key holds the sorted expiry times of its admitted
 * requests (at most `limit` live ones; a long log keeps an expired prefix shorter than its live part until
 * it is compacted): no timer per key, one unref'd sweep timer for the whole store.
 * Evicting live keys under pressure would let an attacker reset someone's limit, so a full store
 * refuses new keys instead.
 */
export class MemoryFlowStore implements FlowStore {
  private readonly entries = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private sequence = 0;
  /**
   * Times are kept relative to `base` so that they stay small integers, which V8 stores inline (Smi) in
   * the log arrays instead of as boxed doubles; the sweep moves `base` forward every few days.
   */
  private base: number;

  constructor(options: MemoryFlowStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 500_000;
    this.now = options.now ?? Date.now;
    this.base = this.now();
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.timer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  consume(hits: FlowHit[]): FlowDecision {
    const now = this.clock();
    const live = new Array<LiveLog>(hits.length);
    let admitted = true;
    let freshKeys = 0;
    for (let i = 0; i < hits.length; i++) {
      live[i] = this.liveLog(hits[i].key, now);
      if (!live[i].held) freshKeys++;
      if (live[i].expiries.length - live[i].start >= hits[i].limit) admitted = false;
    }
    if (admitted && this.entries.size + freshKeys > this.maxKeys) {
      this.makeRoom(hits, now);
      // Dropping expired entries compacted the logs just read: read them again.
      for (let i = 0; i < hits.length; i++) live[i] = this.liveLog(hits[i].key, now);
    }

    const results = new Array<FlowHitResult>(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i];
      const log = live[i];
      const count = log.expiries.length - log.start;
      if (!admitted) {
        const allowed = count < hit.limit;
        results[i] = { allowed, remaining: Math.max(0, hit.limit - count), resetMs: allowed ? 0 : this.untilFree(log.expiries, hit.limit, now) };
        continue;
      }
      const stored = insertSorted(log, now + hit.windowMs);
      // A long log grows in place, in the array the map already holds.
      if (stored !== log.expiries || !log.held) this.entries.set(hit.key, stored);
      const oldest = stored === log.expiries ? log.start : 0;
      results[i] = { allowed: true, remaining: hit.limit - count - 1, resetMs: stored[oldest] - now };
    }
    return { admitted, results, reservation: admitted ? `${now}:${this.sequence++}` : undefined };
  }

  /** Gives back the slot each hit took at the reservation's time (a no-op if the sweep rebased since). */
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

  /** Drops every expired entry (one pass over the map) and keeps relative times small. */
  sweep(): void {
    const now = this.clock();
    this.dropExpired(now);
    if (now <= REBASE_AFTER_MS) return;
    for (const expiries of this.entries.values()) {
      for (let i = 0; i < expiries.length; i++) expiries[i] -= now;
    }
    this.base += now;
  }

  /** Never moves the time base, so a check may call it between reading its logs and writing them. */
  private dropExpired(now: number): void {
    for (const [key, expiries] of this.entries) {
      if (this.prune(expiries, now).length === 0) this.entries.delete(key);
    }
  }

  private clock(): number {
    return this.now() - this.base;
  }

  /**
   * The key's log and where its live part starts. Small logs drop their expired prefix at once; long ones
   * (a high limit on a busy key) only once it is half the log, so a request costs O(log n) there instead of
   * shifting the whole array each time one entry expires.
   */
  private liveLog(key: string, now: number): LiveLog {
    const expiries = this.entries.get(key);
    if (!expiries) return { expiries: [], start: 0, held: false };
    const start = firstLive(expiries, now);
    if (start > 0 && (expiries.length <= EXACT_SIZE_UP_TO || start * 2 >= expiries.length)) {
      expiries.splice(0, start);
      return { expiries, start: 0, held: true };
    }
    return { expiries, start, held: true };
  }

  private prune(expiries: number[], now: number): number[] {
    const expired = firstLive(expiries, now);
    if (expired > 0) expiries.splice(0, expired);
    return expiries;
  }

  /** Time until enough slots expire for one more request. */
  private untilFree(expiries: number[], limit: number, now: number): number {
    return expiries[expiries.length - limit] - now;
  }

  /** Drops expired entries; throws when the new keys still would not fit (fail closed, never evict). */
  private makeRoom(hits: FlowHit[], now: number): void {
    this.dropExpired(now);
    const fresh = hits.filter((hit) => !this.entries.has(hit.key)).length;
    if (this.entries.size + fresh > this.maxKeys) throw new FlowStoreCapacityError(this.maxKeys);
  }
}
