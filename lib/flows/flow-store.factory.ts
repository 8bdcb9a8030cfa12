import type { ApiShieldOptions } from '../interfaces/api-shield-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import type { FlowStore } from './flow-store.interface.js';
import { MemoryFlowStore } from './memory-flow.store.js';
import { RedisFlowStore } from './redis-flow.store.js';

function isFlowStore(value: unknown): value is FlowStore {
  return !!value && typeof (value as FlowStore).consume === 'function' && typeof (value as FlowStore).release === 'function';
}

function isRedisClient(value: unknown): boolean {
  return !!value && typeof value === 'object' && typeof (value as { defineCommand?: unknown }).defineCommand === 'function';
}

/** 'memory' (default), `{ redis: url | client, prefix? }`, an ioredis client, or any FlowStore. */
export function createFlowStore(flows: ApiShieldOptions['flows'] = {}): FlowStore {
  const store = flows.store ?? 'memory';
  if (store === 'memory') return new MemoryFlowStore({ maxKeys: flows.maxKeys });
  if (isFlowStore(store)) return store;
  if (isRedisClient(store)) return new RedisFlowStore({ redis: store as any });
  if (store && typeof store === 'object' && 'redis' in store) {
    const { redis, prefix } = store;
    if (typeof redis !== 'string' && !isRedisClient(redis)) {
      throw new ShieldConfigurationError('flows.store.redis must be a redis:// URL or an ioredis client');
    }
    if (prefix !== undefined && typeof prefix !== 'string') throw new ShieldConfigurationError('flows.store.prefix must be a string');
    return new RedisFlowStore({ redis: redis as any, prefix });
  }
  throw new ShieldConfigurationError("flows.store must be 'memory', { redis: 'redis://…' | client, prefix? }, an ioredis client, or a FlowStore");
}
