import { Controller, Get } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { ApiShieldModule, Roles, ShieldConfigurationError, type ApiShieldOptions } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { createApp } from '../support/apps.js';
import { TEST_SECRET } from '../support/tokens.js';

const base = (extra: Partial<ApiShieldOptions> = {}): ApiShieldOptions => ({ jwt: { secret: TEST_SECRET }, ...extra });

describe('options validation names the bad option', () => {
  it.each<[string, ApiShieldOptions, RegExp]>([
    ['missing secret', { jwt: {} } as ApiShieldOptions, /jwt\.secret .* is required/],
    ['no jwt at all', {} as ApiShieldOptions, /jwt options are required/],
    ['empty secret', { jwt: { secret: '' } }, /jwt\.secret must be a non-empty string/],
    ["'none' in algorithms", { jwt: { secret: TEST_SECRET, algorithms: ['none' as any] } }, /must not contain 'none'/],
    ["'NONE' in algorithms", { jwt: { secret: TEST_SECRET, algorithms: ['HS256', 'NONE' as any] } }, /must not contain 'none'/],
    ['an unknown algorithm', { jwt: { secret: TEST_SECRET, algorithms: ['HS999' as any] } }, /unsupported algorithm "HS999"/],
    ['HS mixed with RS', { jwt: { secret: TEST_SECRET, algorithms: ['HS256', 'RS256'] } }, /must not mix HS/],
    ['RS with a shared secret', { jwt: { secret: TEST_SECRET, algorithms: ['RS256'] } }, /shared secret only works with HS/],
    ['unknown defaultPolicy', base({ authorization: { defaultPolicy: 'open' as any } }), /authorization\.defaultPolicy must be/],
    ['hierarchy cycle', base({ authorization: { roleHierarchy: { a: ['b'], b: ['c'], c: ['a'] } } }), /cycle: a -> b -> c -> a/],
    ['self cycle', base({ authorization: { roleHierarchy: { a: ['a'] } } }), /cycle: a -> a/],
    ['hierarchy value not an array', base({ authorization: { roleHierarchy: { a: 'b' as any } } }), /roleHierarchy\.a must be an array/],
    ['reserved role name', base({ authorization: { roleHierarchy: { __proto__x: [], constructor: ['user'] } as any } }), /'constructor' is reserved/],
    ['bad onStoreError', base({ flows: { onStoreError: 'maybe' as any } }), /flows\.onStoreError/],
    ['rateLimitHeaders not a boolean', base({ flows: { rateLimitHeaders: 'no' as any } }), /flows\.rateLimitHeaders must be a boolean/],
    ['bad audit mode', base({ audit: { mode: 'loud' as any } }), /audit\.mode/],
    ['bad http protocol', base({ http: { allowedProtocols: ['ftp:' as any] } }), /http\.allowedProtocols/],
    ['bad CIDR', base({ http: { allowedCidrs: ['10.0.0.0/99'] } }), /http\.allowedCidrs/],
  ])('%s', (_name, options, message) => {
    expect(() => resolveOptions(options)).toThrow(ShieldConfigurationError);
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('accepts a sound configuration', () => {
    const resolved = resolveOptions(base({ authorization: { roleHierarchy: { admin: ['moderator'], moderator: ['user'] } } }));
    expect(resolved.hierarchy.expand('admin')).toEqual(new Set(['admin', 'moderator', 'user']));
    expect(resolved.defaultPolicy).toBe('authenticated');
  });

  it('accepts RS256 key pairs', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const resolved = resolveOptions({ jwt: {
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      algorithms: ['RS256'],
    } });
    expect(resolved.jwt.algorithms).toEqual(['RS256']);
  });

  it('refuses @Roles() without roles and reserved role names when decorating', () => {
    expect(() => Roles()).toThrow(/at least one role/);
    expect(() => Roles('__proto__')).toThrow(/reserved/);
    expect(() => Roles('toString')).toThrow(/reserved/);
  });

  it('fails the boot on a role that the hierarchy does not know, naming the route', async () => {
    @Controller()
    class Typo {
      @Roles('admni') @Get('x') x() { return 1; }
    }
    await expect(createApp({
      imports: [ApiShieldModule.forRoot(base({ authorization: { roleHierarchy: { admin: ['user'] } } }))],
      controllers: [Typo],
    }, 'express')).rejects.toThrow(/@Roles\('admni'\) on Typo\.x: unknown role/);
  });

  it('fails the boot when the options are invalid, through forRootAsync too', async () => {
    await expect(createApp({
      imports: [ApiShieldModule.forRootAsync({ useFactory: async () => ({ jwt: { secret: TEST_SECRET, algorithms: ['none' as any] } }) })],
    }, 'express')).rejects.toThrow(/'none'/);
  });
});
