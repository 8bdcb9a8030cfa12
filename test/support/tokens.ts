import { createHmac } from 'node:crypto';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789abcdef';

export function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Hand-made JWTs, so tests can build tokens no honest signer would produce. */
export function forge(
  payload: Record<string, unknown> | string,
  options: { secret?: string; header?: Record<string, unknown> | string; signature?: string } = {},
): string {
  const header = typeof options.header === 'string' ? options.header : JSON.stringify(options.header ?? { alg: 'HS256', typ: 'JWT' });
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signingInput = `${b64url(header)}.${b64url(body)}`;
  const signature =
    options.signature ?? createHmac('sha256', options.secret ?? TEST_SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

export const now = () => Math.floor(Date.now() / 1000);

/** Claims of a valid token for the test apps (issuer/audience as configured there). */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'u1', roles: ['user'], iss: 'test-api', aud: 'test', iat: now(), exp: now() + 600, ...overrides };
}
