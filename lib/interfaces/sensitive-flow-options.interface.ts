import type { ExecutionContext } from '@nestjs/common';

export type FlowTracker = 'user' | 'ip' | 'user-or-ip' | ((ctx: ExecutionContext) => string);
export type FlowScope = string | ((ctx: ExecutionContext) => string | number);

export interface SensitiveFlowOptions {
  /** Counter namespace; flows sharing a name share a counter. Default: the route (controller, handler, method, path). */
  name?: string;
  limit: number;
  windowMs: number;
  /** Who is counted. Default 'user'. */
  by?: FlowTracker;
  /** Per resource: a path into the request ('params.id', 'body.productId', 'query.sku') or a function. */
  scope?: FlowScope;
  /** 'attempt' (default): every request; 'success': only handlers that completed without error. */
  count?: 'attempt' | 'success';
  /** Body message of the 429. */
  message?: string;
  /** 'block' refuses requests the automation detector flags, with 403. Default 'allow'. */
  automation?: 'allow' | 'block';
}
