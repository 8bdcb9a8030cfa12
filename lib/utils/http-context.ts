import type { ArgumentsHost } from '@nestjs/common';

/** Small adapter-neutral helpers over Express and Fastify request/response objects. */

export interface AnyRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[] };
  route?: { path?: string };
  routeOptions?: { url?: string };
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  user?: unknown;
  [key: symbol]: unknown;
}

/**
 * The request and response of an HTTP context, which Nest passes as its first two arguments. Read directly:
 * `switchToHttp()` builds three closures on every call, and the guards run on every request.
 */
export function httpRequest(context: ArgumentsHost): AnyRequest {
  return context.getArgByIndex(0);
}

export function httpResponse(context: ArgumentsHost): unknown {
  return context.getArgByIndex(1);
}

/** `METHOD /route/template` (never the query string, so no secrets land in events). */
export function describeRoute(request: AnyRequest): string {
  const template = request.routeOptions?.url ?? request.route?.path;
  const path = template ?? (request.originalUrl ?? request.url ?? '').split('?')[0];
  return `${request.method ?? 'UNKNOWN'} ${path}`;
}

/** Raw header lines as received, to see duplicates Node folds away. */
export function rawHeaderCount(request: AnyRequest, name: string): number {
  const raw = request.rawHeaders ?? request.raw?.rawHeaders ?? [];
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === name.length && raw[i].toLowerCase() === name) count++;
  }
  return count;
}

/** Node's own `setHeader` where there is one (Express's `res.header` adds charset handling these headers do not need), else Fastify's `reply.header`. */
export function setResponseHeader(response: any, name: string, value: string): void {
  if (typeof response?.setHeader === 'function') response.setHeader(name, value);
  else if (typeof response?.header === 'function') response.header(name, value);
}
