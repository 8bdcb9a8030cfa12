import { Controller, Get, Injectable, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import {
  ApiShieldModule, Public, Roles, RolesGuard, ShieldAuthGuard, TokenService, type ApiShieldOptions,
} from '../../lib/index.js';
import { ADAPTERS, createApp } from '../support/apps.js';
import { claims, forge, TEST_SECRET } from '../support/tokens.js';

@Controller('guarded')
@UseGuards(ShieldAuthGuard, RolesGuard)
class GuardedController {
  @Get() any() { return { ok: true }; }
  @Roles('admin') @Get('admin') admin() { return { ok: 'admin' }; }
  @Public() @Get('open') open() { return { ok: 'open' }; }
}

@Controller('unguarded')
class UnguardedController {
  @Get() any() { return { ok: 'unguarded' }; }
}

@Controller('forgot-auth')
@UseGuards(RolesGuard)
class RolesOnlyController {
  @Get() any() { return { ok: true }; }
}

@Controller('tokens')
class TokensController {
  constructor(private readonly tokens: TokenService) {}
  @Public() @Get('issue') issue() { return { token: this.tokens.issue({ id: 42, roles: ['admin'], claims: { sub: 'evil', exp: 1, team: 'blue' } }) }; }
  @Roles('admin') @Get('admin') admin() { return { ok: 'admin' }; }
}

@Injectable()
class FakeConfig {
  get(key: string) { return ({ JWT_SECRET: TEST_SECRET, POLICY: 'deny' } as Record<string, string>)[key]; }
}
@Module({ providers: [FakeConfig], exports: [FakeConfig] })
class FakeConfigModule {}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const options: ApiShieldOptions = { jwt: { secret: TEST_SECRET, issuer: 'test-api', audience: 'test' }, inventory: { mode: 'off' }, audit: { mode: 'off' } };

describe.each(ADAPTERS)('wiring (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => { await app?.close(); app = undefined; });

  it('global: false leaves routes alone unless guards are attached with @UseGuards', async () => {
    app = await createApp({ imports: [ApiShieldModule.forRoot({ ...options, global: false })], controllers: [GuardedController, UnguardedController, RolesOnlyController] }, adapter);
    const http = request(app.getHttpServer());
    await http.get('/unguarded').expect(200);
    await request(app.getHttpServer()).get('/guarded').expect(401);
    await request(app.getHttpServer()).get('/guarded/open').expect(200);
    await request(app.getHttpServer()).get('/guarded').set(bearer(forge(claims()))).expect(200);
    await request(app.getHttpServer()).get('/guarded/admin').set(bearer(forge(claims()))).expect(403);
    await request(app.getHttpServer()).get('/guarded/admin').set(bearer(forge(claims({ roles: ['admin'] })))).expect(200);
    // RolesGuard without ShieldAuthGuard finds no principal: it fails closed.
    await request(app.getHttpServer()).get('/forgot-auth').set(bearer(forge(claims()))).expect(401);
  });

  it('forRootAsync takes options from injected providers', async () => {
    app = await createApp({
      imports: [ApiShieldModule.forRootAsync({
        imports: [FakeConfigModule],
        inject: [FakeConfig],
        useFactory: (config: FakeConfig) => ({ ...options, jwt: { ...options.jwt, secret: config.get('JWT_SECRET') }, authorization: { defaultPolicy: config.get('POLICY') as 'deny' } }),
      })],
      controllers: [UnguardedController, GuardedController],
    }, adapter);
    await request(app.getHttpServer()).get('/unguarded').set(bearer(forge(claims()))).expect(403);
    await request(app.getHttpServer()).get('/guarded/open').expect(200);
  });

  it('TokenService.issue signs with the configured options; reserved claims cannot be overridden', async () => {
    app = await createApp({ imports: [ApiShieldModule.forRoot(options)], controllers: [TokensController] }, adapter);
    const { body } = await request(app.getHttpServer()).get('/tokens/issue').expect(200);
    const payload = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ sub: '42', roles: ['admin'], iss: 'test-api', aud: 'test', team: 'blue' });
    expect(payload.exp - payload.iat).toBe(15 * 60);
    await request(app.getHttpServer()).get('/tokens/admin').set(bearer(body.token)).expect(200);
  });

  it('works with RS256 key pairs and refuses an HS256 token signed with the public key (key confusion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    app = await createApp({
      imports: [ApiShieldModule.forRoot({ ...options, jwt: { publicKey: publicPem, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, algorithms: ['RS256'], issuer: 'test-api', audience: 'test' } })],
      controllers: [TokensController],
    }, adapter);
    const { body } = await request(app.getHttpServer()).get('/tokens/issue').expect(200);
    expect(JSON.parse(Buffer.from(body.token.split('.')[0], 'base64url').toString()).alg).toBe('RS256');
    await request(app.getHttpServer()).get('/tokens/admin').set(bearer(body.token)).expect(200);
    const confused = forge(claims({ roles: ['admin'] }), { secret: publicPem });
    await request(app.getHttpServer()).get('/tokens/admin').set(bearer(confused)).expect(401);
  });
});
