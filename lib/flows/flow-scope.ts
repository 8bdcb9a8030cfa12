import { ShieldConfigurationError } from '../options/shield-configuration.error.js';

const ROOTS = new Set(['params', 'query', 'body', 'headers', 'user']);
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** 'params.id' -> ['params', 'id']; only request parts a client or the auth guard fills. */
export function parseScopePath(path: string): string[] {
  const segments = path.split('.');
  if (segments.length < 2 || !ROOTS.has(segments[0]) || segments.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) {
    throw new ShieldConfigurationError(
      `@SensitiveFlow: scope '${path}' must be a path under params, query, body, headers or user, e.g. 'params.id'`,
    );
  }
  // Node lower-cases incoming header names; 'headers.X-Tenant' must read the header clients send.
  return segments[0] === 'headers' ? ['headers', ...segments.slice(1).map((s) => s.toLowerCase())] : segments;
}

/** Follows own properties only; undefined when any step is missing. */
export function readPath(source: unknown, segments: readonly string[]): unknown {
  let value = source;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
