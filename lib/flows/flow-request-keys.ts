import { BadRequestException, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../interfaces/principal.interface.js';
import type { AnyRequest } from '../utils/http-context.js';
import { clientIpKey } from './client-ip.js';
import { readPath } from './flow-scope.js';
import { flowKey } from './flow-key.js';
import type { ResolvedFlow } from './resolved-flow.interface.js';

export class FlowKeyError extends BadRequestException {
  constructor(readonly reason: 'invalid-scope' | 'invalid-key') {
    super('Invalid request');
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Who is counted: `u:<id>` or `i:<ip group>`; the prefixes keep users and addresses apart. */
export function trackerOf(flow: ResolvedFlow, ctx: ExecutionContext, request: AnyRequest, ipv6Subnet: number): string {
  const by = flow.options.by ?? 'user';
  const user = request.user as Principal | undefined;
  if (typeof by === 'function') {
    let value: unknown;
    try {
      value = by(ctx);
    } catch {
      throw new FlowKeyError('invalid-key');
    }
    if (typeof value !== 'string' || value === '') throw new FlowKeyError('invalid-key');
    return `f:${value}`;
  }
  if (by !== 'ip' && user && typeof user.id === 'string') return `u:${user.id}`;
  if (by === 'user') throw new FlowKeyError('invalid-key');
  return `i:${clientIpKey(request.ip, ipv6Subnet)}`;
}

/**
 * The resource a flow is scoped to. Arrays and objects (`?id=1&id=2`) are refused: a handler reading the
 * first element would otherwise be counted under a key of its own. A missing value shares one bucket.
 */
export function scopeOf(flow: ResolvedFlow, ctx: ExecutionContext, request: AnyRequest): string | undefined {
  const scope = flow.options.scope;
  if (scope === undefined) return undefined;
  let value: unknown;
  if (typeof scope === 'function') {
    try {
      value = scope(ctx);
    } catch {
      throw new FlowKeyError('invalid-scope');
    }
  } else {
    const [root, ...rest] = flow.scopePath as string[];
    value = readPath((request as unknown as Record<string, unknown>)[root], rest);
  }
  if (value === undefined || value === null) return '\u0000missing';
  const text = scalar(value);
  if (text === undefined) throw new FlowKeyError('invalid-scope');
  return text;
}

export function requestKey(flow: ResolvedFlow, ctx: ExecutionContext, request: AnyRequest, ipv6Subnet: number): string {
  return flowKey(flow.id, trackerOf(flow, ctx, request, ipv6Subnet), scopeOf(flow, ctx, request));
}
