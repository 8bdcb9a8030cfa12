import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import type { JwtAlgorithm, JwtOptions } from '../interfaces/api-shield-options.interface.js';
import type { ResolvedJwtOptions } from './resolved-options.interface.js';
import { ShieldConfigurationError } from './shield-configuration.error.js';

const SUPPORTED: readonly JwtAlgorithm[] = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
];

/**
 * Keys become KeyObjects once here: jsonwebtoken then skips its per-call PEM parsing attempt
 * on string secrets, which costs about half a millisecond per verify.
 */
export function resolveJwtOptions(jwt: JwtOptions | undefined): ResolvedJwtOptions {
  if (!jwt || typeof jwt !== 'object') throw new ShieldConfigurationError('jwt options are required');
  const hasSecret = jwt.secret !== undefined;
  const hasKeys = jwt.publicKey !== undefined || jwt.privateKey !== undefined;
  if (!hasSecret && !hasKeys) {
    throw new ShieldConfigurationError('jwt.secret (or jwt.publicKey/privateKey) is required');
  }
  if (hasSecret && hasKeys) {
    throw new ShieldConfigurationError('jwt: set either jwt.secret or jwt.publicKey/privateKey, not both');
  }
  if (hasSecret && (typeof jwt.secret !== 'string' || jwt.secret.length === 0)) {
    throw new ShieldConfigurationError('jwt.secret must be a non-empty string');
  }

  const algorithms = jwt.algorithms ?? (hasSecret ? ['HS256'] : ['RS256']);
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new ShieldConfigurationError('jwt.algorithms must be a non-empty array');
  }
  for (const alg of algorithms as string[]) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new ShieldConfigurationError("jwt.algorithms must not contain 'none'");
    }
    if (!SUPPORTED.includes(alg as JwtAlgorithm)) {
      throw new ShieldConfigurationError(`jwt.algorithms: unsupported algorithm ${JSON.stringify(alg)} (supported: ${SUPPORTED.join(', ')})`);
    }
  }
  const symmetric = algorithms.every((a) => a.startsWith('HS'));
  const asymmetric = algorithms.every((a) => !a.startsWith('HS'));
  if (!symmetric && !asymmetric) {
    throw new ShieldConfigurationError('jwt.algorithms must not mix HS* with RS/PS/ES algorithms (key confusion)');
  }
  if (hasSecret && !symmetric) {
    throw new ShieldConfigurationError('jwt.algorithms: a shared secret only works with HS256/HS384/HS512');
  }
  if (hasKeys && !asymmetric) {
    throw new ShieldConfigurationError('jwt.algorithms: public/private keys need RS*, PS* or ES* algorithms');
  }
  if (hasKeys && !jwt.publicKey) {
    throw new ShieldConfigurationError('jwt.publicKey is required to verify tokens');
  }

  for (const claim of ['issuer', 'audience'] as const) {
    if (jwt[claim] !== undefined && (typeof jwt[claim] !== 'string' || jwt[claim] === '')) {
      throw new ShieldConfigurationError(`jwt.${claim} must be a non-empty string`);
    }
  }
  if (jwt.expiresIn !== undefined && !(typeof jwt.expiresIn === 'string' || (typeof jwt.expiresIn === 'number' && jwt.expiresIn > 0))) {
    throw new ShieldConfigurationError('jwt.expiresIn must be a duration string like "15m" or a positive number of seconds');
  }
  const clockToleranceSec = jwt.clockToleranceSec ?? 0;
  const maxTokenLength = jwt.maxTokenLength ?? 8192;
  if (!Number.isInteger(clockToleranceSec) || clockToleranceSec < 0) {
    throw new ShieldConfigurationError('jwt.clockToleranceSec must be a whole number >= 0');
  }
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 64) {
    throw new ShieldConfigurationError('jwt.maxTokenLength must be a whole number >= 64');
  }

  let verifyKey;
  let signKey;
  try {
    if (hasSecret) {
      verifyKey = signKey = createSecretKey(Buffer.from(jwt.secret as string, 'utf8'));
    } else {
      verifyKey = createPublicKey(jwt.publicKey as string);
      signKey = jwt.privateKey ? createPrivateKey(jwt.privateKey) : undefined;
    }
  } catch {
    throw new ShieldConfigurationError('jwt.publicKey/privateKey could not be parsed as PEM keys');
  }

  return {
    verifyKey, signKey, algorithms: [...algorithms],
    issuer: jwt.issuer, audience: jwt.audience, expiresIn: jwt.expiresIn,
    clockToleranceSec, maxTokenLength,
  };
}
