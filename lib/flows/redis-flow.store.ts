import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { FlowDecision, FlowHit, FlowStore } from './flow-store.interface.js';

/**
 * One round trip, atomic: prune every key's log, admit only if all have room, then add one member to
 * each with the Redis server's clock (no skew between app instances) and a TTL of the window.
 * ARGV: limit and window per key, then a member suffix unique to the request.
 * Returns { admitted, now, then per key: remaining, resetMs }.
 */
const CONSUME = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local counts = {}
local admitted = 1
for i = 1, n do
  local window = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= tonumber(ARGV[2 * i - 1]) then admitted = 0 end
end
local out = { admitted, now }
local member = now .. ':' .. ARGV[2 * n + 1]
for i = 1, n do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local remaining, reset
  if admitted == 1 then
    redis.call('ZADD', KEYS[i], now, member)
    redis.call('PEXPIRE', KEYS[i], window)
    remaining = limit - counts[i] - 1
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    reset = tonumber(oldest[2]) + window - now
  elseif counts[i] >= limit then
    remaining = 0
    local idx = counts[i] - limit
    local freeing = redis.call('ZRANGE', KEYS[i], idx, idx, 'WITHSCORES')
    reset = tonumber(freeing[2]) + window - now
  else
    remaining = limit - counts[i]
    reset = 0
  end
  out[#out + 1] = remaining
  out[#out + 1] = reset
end
out[#out + 1] = member
return out
`;

const RELEASE = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return #KEYS
`;

type ShieldRedis = Redis & {
  shieldFlowConsume(numKeys: number, ...args: (string | number)[]): Promise<(number | string)[]>;
  shieldFlowRelease(numKeys: number, ...args: string[]): Promise<number>;
};

export interface RedisFlowStoreOptions {
  /** A redis:// URL (the store owns and closes that client) or an ioredis client the app owns. */
  redis: string | Redis;
  /** Default 'api-shield:'. */
  prefix?: string;
}

/** An app's own client may queue commands while Redis is down; a check never waits longer than this. */
const APP_CLIENT_TIMEOUT_MS = 1_000;

class FlowStoreTimeoutError extends Error {
  constructor() {
    super(`Redis did not answer within ${APP_CLIENT_TIMEOUT_MS} ms`);
    this.name = 'FlowStoreTimeoutError';
  }
}

/** Sliding-window log in Redis sorted sets, shared by every app instance. */
export class RedisFlowStore implements FlowStore {
  readonly client: ShieldRedis;
  private readonly prefix: string;
  private readonly ownsClient: boolean;
  /** Makes sorted-set members unique across instances; a counter (not randomBytes per request) within one. */
  private readonly nonce = randomBytes(9).toString('base64url');
  private sequence = 0;

  constructor(options: RedisFlowStoreOptions) {
    this.prefix = options.prefix ?? 'api-shield:';
    this.ownsClient = typeof options.redis === 'string';
    this.client = (typeof options.redis === 'string'
      ? new Redis(options.redis, RedisFlowStore.failFast())
      : options.redis) as ShieldRedis;
    // Connection errors surface per command (onStoreError); ioredis reconnects by itself.
    if (this.ownsClient) this.client.on('error', () => undefined);
    this.client.defineCommand('shieldFlowConsume', { lua: CONSUME });
    this.client.defineCommand('shieldFlowRelease', { lua: RELEASE });
  }

  /**
   * Commands fail at once while Redis is down instead of queueing, so requests never hang on it.
   * Auto-pipelining writes the checks of concurrent requests in one socket write (still one command,
   * one round trip, per request): the per-command write was the largest cost under load.
   */
  static failFast(): RedisOptions {
    return {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
    };
  }

  /** Waits for the first connection so the first requests do not fail; a dead Redis still boots (onStoreError decides). */
  async init(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); this.client.off('ready', done); resolve(); };
      const timer = setTimeout(done, 3_000);
      this.client.once('ready', done);
    });
  }

  async consume(hits: FlowHit[]): Promise<FlowDecision> {
    const args: (string | number)[] = hits.map((hit) => this.prefix + hit.key);
    for (const hit of hits) args.push(hit.limit, hit.windowMs);
    args.push(this.nonce + (this.sequence++).toString(36));
    const reply = await this.bounded(this.client.shieldFlowConsume(hits.length, ...args));
    const admitted = Number(reply[0]) === 1;
    const results = hits.map((hit, i) => {
      const remaining = Number(reply[2 + 2 * i]);
      return { allowed: admitted || remaining > 0, remaining, resetMs: Math.max(0, Number(reply[3 + 2 * i])) };
    });
    return { admitted, results, reservation: admitted ? String(reply[reply.length - 1]) : undefined };
  }

  async release(hits: FlowHit[], reservation: string): Promise<void> {
    await this.bounded(this.client.shieldFlowRelease(hits.length, ...hits.map((hit) => this.prefix + hit.key), reservation));
  }

  /**
   * The store's own client fails fast (see failFast); an app's client may have an offline queue and many
   * retries, so its commands get a deadline here: a late answer is a store error (onStoreError decides),
   * and a check that still lands later only makes the limit stricter.
   */
  private bounded<T>(command: Promise<T>): Promise<T> {
    if (this.ownsClient) return command;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FlowStoreTimeoutError()), APP_CLIENT_TIMEOUT_MS);
    });
    return Promise.race([command, deadline]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.disconnect();
  }
}
