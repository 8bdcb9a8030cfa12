import { Controller, Delete, Get, Param, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ApiShieldModule, CurrentUser, Public, Roles, type ApiShieldOptions, type Principal, type SecurityEvent } from '../../lib/index.js';
import { ADAPTERS, createApp, rawRequest } from '../support/apps.js';
import { claims, forge, now, TEST_SECRET, b64url } from '../support/tokens.js';

@Controller()
class OpenController {
  @Public() @Get('public') open() { return { ok: 'public' }; }
  @Get('default') byDefault(@CurrentUser() user?: Principal) { return { ok: 'default', id: user?.id ?? null }; }
  @Get('me') me(@CurrentUser() user: Principal) { return user; }
  @Roles('user') @Get('users-only') usersOnly() { return { ok: 'user' }; }
  @Roles('moderator') @Get('moderators') moderators() { return { ok: 'moderator' }; }
}

@Controller('admin')
@Roles('admin')
class AdminController {
  @Delete('delete-user/:id') remove(@Param('id') id: string) { return { deleted: id }; }
  @Public() @Get('status') status() { return { ok: 'admin-status-is-public' }; }
  @Roles('moderator') @Get('reports') reports() { return { ok: 'handler-overrides-class' }; }
}

@Controller('ops')
@Public()
class OpsController {
  @Get('ping') ping() { return { ok: 'ping' }; }
  @Roles('admin') @Get('secret') secret() { return { ok: 'ops-secret' }; }
}

function options(overrides: Partial<ApiShieldOptions> = {}, events: SecurityEvent[] = []): ApiShieldOptions {
  return {
    jwt: { secret: TEST_SECRET, issuer: 'test-api', audience: 'test', expiresIn: '15m', algorithms: ['HS256'] },
    authorization: { defaultPolicy: 'authenticated', roleHierarchy: { admin: ['moderator'], moderator: ['user'] } },
    onSecurityEvent: (e) => { events.push(e); },
    inventory: { mode: 'off' }, audit: { mode: 'off' },
    ...overrides,
  };
}

const token = (overrides: Record<string, unknown> = {}, secret?: string) => forge(claims(overrides), { secret });
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const UNAUTHORIZED_BODY = { statusCode: 401, message: 'Authentication required', error: 'Unauthorized' };
const FORBIDDEN_BODY = { statusCode: 403, message: 'Access denied', error: 'Forbidden' };

describe.each(ADAPTERS)('authentication and roles (%s)', (adapter) => {
  let app: INestApplication;
  const events: SecurityEvent[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createApp({ imports: [ApiShieldModule.forRoot(options({}, events))], controllers: [OpenController, AdminController, OpsController] }, adapter);
  });
  afterAll(() => app.close());
  beforeEach(() => { events.length = 0; });

  describe('the seed: DELETE /admin/delete-user/:id', () => {
    it('refuses a plain user with 403, lets an admin through, and needs a token', async () => {
      await http().delete('/admin/delete-user/2').set(bearer(token({ sub: 'bob', roles: ['user'] }))).expect(403, FORBIDDEN_BODY);
      await http().delete('/admin/delete-user/2').set(bearer(token({ sub: 'alice', roles: ['admin'] }))).expect(200, { deleted: '2' });
      await http().delete('/admin/delete-user/2').expect(401, UNAUTHORIZED_BODY);
    });
  });

  describe('policies', () => {
    it('serves @Public routes without a token, and sets the principal when a valid one is sent', async () => {
      await http().get('/public').expect(200, { ok: 'public' });
      await http().get('/ops/ping').set(bearer('garbage')).expect(200);
    });

    it("applies defaultPolicy 'authenticated' to undecorated routes", async () => {
      await http().get('/default').expect(401);
      await http().get('/default').set(bearer(token({ sub: 'u9' }))).expect(200, { ok: 'default', id: 'u9' });
    });

    it('puts { id, roles, claims } on the request for @CurrentUser', async () => {
      const res = await http().get('/me').set(bearer(token({ sub: 'u7', roles: ['moderator'], team: 'red' }))).expect(200);
      expect(res.body).toMatchObject({ id: 'u7', roles: ['moderator'], claims: { team: 'red', iss: 'test-api' } });
    });

    it('lets handler metadata override class metadata, both ways', async () => {
      await http().get('/admin/status').expect(200);
      await http().get('/admin/reports').set(bearer(token({ roles: ['moderator'] }))).expect(200);
      await http().get('/admin/reports').set(bearer(token({ roles: ['user'] }))).expect(403);
      await http().get('/ops/secret').expect(401);
      await http().get('/ops/secret').set(bearer(token({ roles: ['moderator'] }))).expect(403);
      await http().get('/ops/secret').set(bearer(token({ roles: ['admin'] }))).expect(200);
    });

    it('expands the role hierarchy transitively', async () => {
      for (const role of ['user', 'moderator', 'admin']) {
        await http().get('/users-only').set(bearer(token({ roles: [role] }))).expect(200);
      }
      await http().get('/moderators').set(bearer(token({ roles: ['admin'] }))).expect(200);
      await http().get('/moderators').set(bearer(token({ roles: ['user'] }))).expect(403);
    });

    it('accepts a roles claim that is a single string', async () => {
      await http().get('/moderators').set(bearer(token({ roles: 'moderator' }))).expect(200);
    });
  });

  describe('hostile tokens all get the same 401, and a good token still works', () => {
    const good = () => token({ roles: ['admin'] });
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const cases: [string, () => Record<string, string> | undefined][] = [
      ['no Authorization header', () => undefined],
      ['alg none', () => bearer(forge(claims({ roles: ['admin'] }), { header: { alg: 'none', typ: 'JWT' }, signature: '' }))],
      ['alg None', () => bearer(forge(claims({ roles: ['admin'] }), { header: { alg: 'None' }, signature: '' }))],
      ['alg NONE', () => bearer(forge(claims({ roles: ['admin'] }), { header: { alg: 'NONE' }, signature: '' }))],
      ['alg nOnE with a signature', () => bearer(forge(claims({ roles: ['admin'] }), { header: { alg: 'nOnE' } }))],
      ['alg HS512 not pinned', () => bearer(forge(claims(), { header: { alg: 'HS512' } }))],
      ['wrong secret', () => bearer(token({}, 'another-secret-another-secret-another-secret'))],
      ['tampered payload (roles raised to admin)', () => {
        const [h, , s] = token({ roles: ['user'] }).split('.');
        return bearer(`${h}.${b64url(JSON.stringify(claims({ roles: ['admin'] })))}.${s}`);
      }],
      ['expired', () => bearer(token({ exp: now() - 10, iat: now() - 700 }))],
      ['nbf in the future', () => bearer(token({ nbf: now() + 300 }))],
      ['wrong issuer', () => bearer(token({ iss: 'evil' }))],
      ['wrong audience', () => bearer(token({ aud: 'other' }))],
      ['no issuer', () => bearer(token({ iss: undefined }))],
      ['missing exp', () => bearer(token({ exp: undefined }))],
      ['exp as a string', () => bearer(token({ exp: String(now() + 600) }))],
      ['missing sub', () => bearer(token({ sub: undefined }))],
      ['numeric sub', () => bearer(token({ sub: 42 }))],
      ['payload that is not JSON', () => bearer(forge('not json'))],
      ['payload that is an array', () => bearer(forge(JSON.stringify([1, 2])))],
      ['malformed base64', () => bearer(`${header}.%%%.abc`)],
      ['two segments only', () => bearer(`${header}.${b64url('{}')}`)],
      ['four segments', () => bearer(`${good()}.extra`)],
      ['empty bearer', () => ({ Authorization: 'Bearer ' })],
      ['Basic scheme', () => ({ Authorization: `Basic ${b64url('alice:pw')}` })],
      ['token without scheme', () => ({ Authorization: good() })],
      ['token in a second word', () => ({ Authorization: `Bearer ${good()} ${good()}` })],
      ['a 12 kB token', () => bearer(forge(claims({ pad: 'x'.repeat(12_000) })))],
      ['a roles claim holding __proto__', () => bearer(token({ roles: ['__proto__', 'constructor', 'toString'] }))],
    ];

    it.each(cases)('%s', async (_name, headers) => {
      const h = headers();
      const req = http().delete('/admin/delete-user/9');
      const res = await (h ? req.set(h) : req);
      const denied = [401, 403];
      expect(denied).toContain(res.status);
      if (res.status === 401) {
        expect(res.body).toEqual(UNAUTHORIZED_BODY);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
      await http().delete('/admin/delete-user/9').set(bearer(good())).expect(200);
    });

    it('gives 401 (not 403) for every broken token, so they are indistinguishable', async () => {
      for (const [name, headers] of cases.slice(0, 27)) {
        const h = headers();
        const req = http().get('/default');
        const res = await (h ? req.set(h) : req);
        expect([name, res.status, res.body]).toEqual([name, 401, UNAUTHORIZED_BODY]);
      }
    });

    it('refuses a 100 kB Authorization header without reaching the handler', async () => {
      const res = await http().get('/default').set(bearer('a'.repeat(100_000)));
      expect([401, 431]).toContain(res.status);
      expect(JSON.stringify(res.body ?? '')).not.toMatch(/stack|at .*\.ts/);
      await http().get('/default').set(bearer(good())).expect(200);
    });

    it("accepts the scheme in any casing ('bearer', 'BEARER') as RFC 7235 says", async () => {
      await http().get('/default').set({ Authorization: `bearer ${good()}` }).expect(200);
      await http().get('/default').set({ Authorization: `BEARER ${good()}` }).expect(200);
    });

    it('judges a token it has already verified by the same header rules, however it is spelled', async () => {
      const t = good();
      await http().get('/default').set(bearer(t)).expect(200); // now cached
      await http().get('/default').set({ Authorization: `Bearer  ${t}` }).expect(200);
      for (const header of [`Bearer ${t} x`, `Bearer\t${t}`, `Bearer ${t}.`, `Bearer${t}`, `Bearer ${t.slice(0, -1)}`]) {
        const res = await http().get('/default').set({ Authorization: header });
        expect([header.slice(0, 8), res.status, res.body]).toEqual([header.slice(0, 8), 401, UNAUTHORIZED_BODY]);
      }
      await http().get('/default').set(bearer(t)).expect(200);
    });

    it('refuses two Authorization headers, whichever comes first', async () => {
      for (const order of [[good(), 'junk'], ['junk', good()], [good(), good()]]) {
        const { status } = await rawRequest(app,
          `GET /default HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${order[0]}\r\nAuthorization: Bearer ${order[1]}\r\nConnection: close\r\n\r\n`);
        expect(status).toBe(401);
      }
      const { status } = await rawRequest(app, `GET /default HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good()}\r\nConnection: close\r\n\r\n`);
      expect(status).toBe(200);
    });
  });

  describe('role claims', () => {
    it.each([
      ['a number', 1],
      ['an object', { admin: true }],
      ['nested arrays', [['admin']]],
      ['null', null],
      ['a substring of admin', 'nonadmin'],
      ['a differently cased role', ['Admin']],
      ['a role with spaces', [' admin']],
    ])('%s grants no admin role and never crashes', async (_name, roles) => {
      await http().delete('/admin/delete-user/5').set(bearer(token({ roles }))).expect(403, FORBIDDEN_BODY);
      await http().get('/default').set(bearer(token({ roles }))).expect(200);
    });

    it('cannot pollute Object.prototype through __proto__ claims', async () => {
      const payload = `{"sub":"p1","iss":"test-api","aud":"test","exp":${now() + 600},"roles":["user"],"__proto__":{"roles":["admin"],"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
      const t = forge(payload);
      await http().delete('/admin/delete-user/5').set(bearer(t)).expect(403);
      const me = await http().get('/me').set(bearer(t)).expect(200);
      expect(me.body.roles).toEqual(['user']);
      expect(({} as any).polluted).toBeUndefined();
      expect(({} as any).roles).toBeUndefined();
    });
  });

  describe('security events', () => {
    it('reports authentication failures and denials with route and reason, never the token', async () => {
      const expired = token({ exp: now() - 5 });
      await http().get('/default').set(bearer(expired)).expect(401);
      await http().delete('/admin/delete-user/3').set(bearer(token({ sub: 'bob' }))).expect(403);
      expect(events).toEqual([
        expect.objectContaining({ type: 'authentication-failed', reason: 'expired-token', route: 'GET /default' }),
        expect.objectContaining({ type: 'access-denied', reason: 'missing-role', principalId: 'bob', route: 'DELETE /admin/delete-user/:id', requiredRoles: ['admin'] }),
      ]);
      expect(JSON.stringify(events)).not.toContain(expired.split('.')[2]);
    });
  });
});

describe.each(ADAPTERS)('default policies (%s)', (adapter) => {
  it("'deny' refuses undecorated routes with 403 even with a valid token, and keeps decorated ones working", async () => {
    const app = await createApp({ imports: [ApiShieldModule.forRoot(options({ authorization: { defaultPolicy: 'deny' } }))], controllers: [OpenController, AdminController] }, adapter);
    try {
      await request(app.getHttpServer()).get('/default').set(bearer(token())).expect(403, FORBIDDEN_BODY);
      await request(app.getHttpServer()).get('/default').expect(403);
      await request(app.getHttpServer()).get('/public').expect(200);
      await request(app.getHttpServer()).get('/users-only').set(bearer(token())).expect(200);
    } finally {
      await app.close();
    }
  });

  it("'public' serves undecorated routes without a token but still enforces @Roles", async () => {
    const app = await createApp({ imports: [ApiShieldModule.forRoot(options({ authorization: { defaultPolicy: 'public' } }))], controllers: [OpenController, AdminController] }, adapter);
    try {
      await request(app.getHttpServer()).get('/default').expect(200, { ok: 'default', id: null });
      await request(app.getHttpServer()).get('/default').set(bearer(token({ sub: 'z' }))).expect(200, { ok: 'default', id: 'z' });
      await request(app.getHttpServer()).delete('/admin/delete-user/1').expect(401);
      await request(app.getHttpServer()).delete('/admin/delete-user/1').set(bearer(token({ roles: ['admin'] }))).expect(200);
    } finally {
      await app.close();
    }
  });
});
