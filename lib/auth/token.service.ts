import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { API_SHIELD_OPTIONS } from '../constants.js';
import type { Principal } from '../interfaces/principal.interface.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { AuthenticationFailedError } from './authentication-failed.error.js';

export interface TokenSubject {
  id: string | number;
  roles?: string[];
  /** Extra claims; cannot override sub, exp, iat, nbf, iss, aud or the roles claim. */
  claims?: Record<string, unknown>;
}

/** Most verified tokens remembered (about 5 MB at 500-byte tokens). */
const VERIFIED_CACHE_SIZE = 10_000;

interface VerifiedToken {
  principal: Principal;
  /** Epoch ms from which the token is valid (nbf minus tolerance), -Infinity without nbf. */
  notBefore: number;
  /** Epoch ms from which the token is expired (exp plus tolerance). */
  expiresAt: number;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const REGISTERED = new Set(['sub', 'exp', 'iat', 'nbf', 'iss', 'aud', 'jti']);

/** Issues and verifies the module's JWTs with the pinned algorithms, issuer, audience and lifetime. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;
  /**
   * Tokens whose signature and claims were verified, keyed by the exact token string, never used outside
   * the validity window jsonwebtoken itself enforces. Saves the signature check on every repeat request.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(@Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions) {
    const { verifyKey, signKey, algorithms } = options.jwt;
    const symmetric = algorithms[0].startsWith('HS');
    this.jwt = new JwtService(
      symmetric ? { secret: verifyKey as any } : { publicKey: verifyKey as any, privateKey: signKey as any },
    );
  }

  get maxTokenLength(): number {
    return this.options.jwt.maxTokenLength;
  }

  issue(subject: TokenSubject): string {
    const { jwt, rolesClaim } = this.options;
    if (!jwt.signKey) throw new ShieldConfigurationError('jwt.privateKey is needed to issue tokens');
    if (typeof subject?.id !== 'string' && typeof subject?.id !== 'number') {
      throw new TypeError('TokenService.issue: subject.id must be a string or number');
    }
    const payload: Record<string, unknown> = {};
    for (const [claim, value] of Object.entries(subject.claims ?? {})) {
      if (!REGISTERED.has(claim) && claim !== rolesClaim) payload[claim] = value;
    }
    payload.sub = String(subject.id);
    payload[rolesClaim] = [...(subject.roles ?? [])];
    return this.jwt.sign(payload, {
      algorithm: jwt.algorithms[0],
      expiresIn: (jwt.expiresIn ?? '15m') as any,
      ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
      ...(jwt.audience ? { audience: jwt.audience } : {}),
    });
  }

  /** Verifies a compact JWT and returns its principal; throws AuthenticationFailedError. */
  verify(token: string): Principal {
    const { jwt } = this.options;
    if (token.length > jwt.maxTokenLength) throw new AuthenticationFailedError('oversized-token');
    const cached = this.cached(token);
    if (cached) return cached;
    const principal = this.verifyFully(token);
    this.remember(token, principal);
    return principal;
  }

  /** The principal of `token` if it was verified before and is still inside its validity window. */
  cached(token: string): Principal | undefined {
    const entry = this.verified.get(token);
    if (!entry) return undefined;
    const now = Date.now();
    if (now >= entry.notBefore && now < entry.expiresAt) return entry.principal;
    this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, principal: Principal): void {
    const tolerance = this.options.jwt.clockToleranceSec;
    const { exp, nbf } = principal.claims as { exp: number; nbf?: unknown };
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, {
      principal,
      notBefore: typeof nbf === 'number' ? (nbf - tolerance) * 1000 : -Infinity,
      expiresAt: (exp + tolerance) * 1000,
    });
  }

  private verifyFully(token: string): Principal {
    const { jwt } = this.options;
    if (!TOKEN_SHAPE.test(token)) throw new AuthenticationFailedError('malformed-header');
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        algorithms: jwt.algorithms,
        clockTolerance: jwt.clockToleranceSec,
        ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
        ...(jwt.audience ? { audience: jwt.audience } : {}),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TokenExpiredError') throw new AuthenticationFailedError('expired-token');
      if (name === 'NotBeforeError') throw new AuthenticationFailedError('not-yet-valid');
      throw new AuthenticationFailedError('invalid-token');
    }
    return this.toPrincipal(payload);
  }

  private toPrincipal(payload: unknown): Principal {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new AuthenticationFailedError('invalid-token');
    }
    const claims = payload as Record<string, unknown>;
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new AuthenticationFailedError('missing-claim');
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub.length === 0) throw new AuthenticationFailedError('missing-claim');
    // Deeply frozen where it matters: a cached principal is shared by every request carrying the same token.
    return Object.freeze({ id: sub, roles: Object.freeze(this.rolesOf(claims)) as string[], claims: Object.freeze(claims) });
  }

  /** A string or an array of strings; anything else means no roles. */
  private rolesOf(claims: Record<string, unknown>): string[] {
    if (!Object.prototype.hasOwnProperty.call(claims, this.options.rolesClaim)) return [];
    const value = claims[this.options.rolesClaim];
    if (typeof value === 'string') return value ? [value] : [];
    if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string' && r.length > 0);
    return [];
  }
}
