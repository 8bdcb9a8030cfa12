import type { ExecutionContext, ModuleMetadata, Type, InjectionToken, OptionalFactoryDependency } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { FlowStore } from '../flows/flow-store.interface.js';
import type { SecurityEventHandler } from './security-event.interface.js';
import type { SafeHttpPolicy } from './safe-http-policy.interface.js';

export type JwtAlgorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512';

export interface JwtOptions {
  /** Shared secret for HS256/384/512. */
  secret?: string;
  /** PEM public key (RS/PS/ES) used to verify. */
  publicKey?: string;
  /** PEM private key (RS/PS/ES) used by TokenService to sign. */
  privateKey?: string;
  issuer?: string;
  audience?: string;
  /** Lifetime of issued tokens, e.g. '15m' or seconds. Verified tokens must carry `exp` whatever this is. */
  expiresIn?: string | number;
  /** Accepted algorithms (pinned). Default: ['HS256'] with a secret, ['RS256'] with keys. */
  algorithms?: JwtAlgorithm[];
  /** Clock tolerance in seconds for exp/nbf. Default 0. */
  clockToleranceSec?: number;
  /** Longest accepted token, in characters. Default 8192. */
  maxTokenLength?: number;
}

export type DefaultPolicy = 'authenticated' | 'deny' | 'public';

export interface AuthorizationOptions {
  /** What routes without @Public/@Roles get. Default 'authenticated'. */
  defaultPolicy?: DefaultPolicy;
  /** role -> roles it inherits, transitively: { admin: ['moderator'], moderator: ['user'] }. */
  roleHierarchy?: Record<string, string[]>;
  /** Claim holding the roles (a string or string[]). Default 'roles'. */
  rolesClaim?: string;
}

export type AutomationDetector = (ctx: ExecutionContext) => boolean | Promise<boolean>;

export interface RedisStoreOptions {
  /** A redis:// URL (the shield owns that connection), or an ioredis client the app owns. */
  redis: string | Redis;
  /** Prefix of every key the store writes. Default 'api-shield:'. */
  prefix?: string;
}

export interface FlowsOptions {
  /** 'memory' (default), { redis, prefix? }, an ioredis client (the app's: the shield never closes it), or any FlowStore. */
  store?: 'memory' | RedisStoreOptions | Redis | FlowStore;
  /** What happens when the store fails: 'deny' (503, default) or 'allow'. */
  onStoreError?: 'deny' | 'allow';
  /** Prefix length that groups IPv6 clients (default 64). */
  ipv6Subnet?: number;
  /** 'builtin' for the cheap User-Agent detector, or your own. Off by default. */
  detectAutomation?: 'builtin' | AutomationDetector;
  /** Memory store: most keys held at once (default 500_000). */
  maxKeys?: number;
  /** Send `RateLimit-Policy` / `RateLimit` on every response of a limited route (default true). `Retry-After` is always sent on a 429. */
  rateLimitHeaders?: boolean;
}

export type AuditMode = 'off' | 'warn' | 'strict';

export interface ApiShieldOptions {
  jwt: JwtOptions;
  authorization?: AuthorizationOptions;
  flows?: FlowsOptions;
  http?: SafeHttpPolicy;
  inventory?: { mode?: AuditMode };
  audit?: { mode?: AuditMode };
  onSecurityEvent?: SecurityEventHandler;
  /** Register the guards as APP_GUARDs (authn -> roles -> flows). Default true. */
  global?: boolean;
}

export interface ApiShieldOptionsFactory {
  createApiShieldOptions(): ApiShieldOptions | Promise<ApiShieldOptions>;
}

export interface ApiShieldAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory?: (...args: any[]) => ApiShieldOptions | Promise<ApiShieldOptions>;
  useClass?: Type<ApiShieldOptionsFactory>;
  useExisting?: Type<ApiShieldOptionsFactory>;
  /** Decided when the module is built, so it cannot come from the factory. Default true. */
  global?: boolean;
}
