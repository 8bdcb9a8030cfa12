import { Controller, Get, type INestApplication } from '@nestjs/common';
import { ApiShieldModule, Public, StartupAuditService, type ApiShieldOptions } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from '../support/apps.js';
import { TEST_SECRET } from '../support/tokens.js';

@Controller()
class PingController {
  @Public() @Get('ping') ping() { return 1; }
}

const GOOD: ApiShieldOptions = {
  jwt: { secret: TEST_SECRET, expiresIn: '15m' },
  flows: { store: { consume: () => ({ admitted: true, results: [] }), release: () => undefined } },
  inventory: { mode: 'off' }, audit: { mode: 'off' },
};

async function audit(adapter: AdapterName, options: Partial<ApiShieldOptions> = {}, configure?: (app: any) => void): Promise<string[]> {
  const app: INestApplication = await createApp({ imports: [ApiShieldModule.forRoot({ ...GOOD, ...options })], controllers: [PingController] }, adapter, configure);
  try {
    return (await app.get(StartupAuditService).run()).map((f) => f.code);
  } finally {
    await app.close();
  }
}

const quiet = (adapter: AdapterName) => (app: any) => { if (adapter === 'express') app.disable('x-powered-by'); };

describe.each(ADAPTERS)('start-up audit (%s)', (adapter) => {
  const savedEnv = process.env.NODE_ENV;
  afterEach(() => { process.env.NODE_ENV = savedEnv; });

  it('stays silent on a sound configuration', async () => {
    process.env.NODE_ENV = 'production';
    expect(await audit(adapter, {}, quiet(adapter))).toEqual([]);
  });

  it.each([
    ['JWT_WEAK_SECRET', { jwt: { secret: 'changeme', expiresIn: '15m' } }],
    ['JWT_WEAK_SECRET', { jwt: { secret: 'short-secret-123', expiresIn: '15m' } }],
    ['JWT_NO_EXPIRY', { jwt: { secret: TEST_SECRET } }],
    ['SSRF_METADATA_ALLOWED', { http: { allowedCidrs: ['169.254.0.0/16'] } }],
  ] as [string, Partial<ApiShieldOptions>][])('%s fires', async (code, options) => {
    expect(await audit(adapter, options, quiet(adapter))).toEqual([code]);
  });

  it.each([
    ['SSRF_PLAIN_HTTP', { http: { allowedProtocols: ['http:', 'https:'] } }],
    ['SSRF_PRIVATE_NETWORKS_OPEN', { http: { blockPrivateNetworks: false } }],
    ['FLOW_MEMORY_STORE_IN_PRODUCTION', { flows: { store: 'memory' } }],
  ] as [string, Partial<ApiShieldOptions>][])('%s fires only under NODE_ENV=production', async (code, options) => {
    process.env.NODE_ENV = 'development';
    expect(await audit(adapter, options, quiet(adapter))).toEqual([]);
    process.env.NODE_ENV = 'production';
    expect(await audit(adapter, options, quiet(adapter))).toEqual([code]);
  });

  it('CORS_ANY_ORIGIN_WITH_CREDENTIALS fires for a reflected or wildcard origin with credentials', async () => {
    const reflect = (app: any) => { quiet(adapter)(app); app.enableCors({ origin: true, credentials: true }); };
    expect(await audit(adapter, {}, reflect)).toEqual(['CORS_ANY_ORIGIN_WITH_CREDENTIALS']);
    const listed = (app: any) => { quiet(adapter)(app); app.enableCors({ origin: ['https://shop.example'], credentials: true }); };
    expect(await audit(adapter, {}, listed)).toEqual([]);
  });

  it('probes CORS at boot too, before the app listens', async () => {
    const reflect = (app: any) => { quiet(adapter)(app); app.enableCors({ origin: true, credentials: true }); };
    await expect(createApp({ imports: [ApiShieldModule.forRoot({ ...GOOD, audit: { mode: 'strict' } })], controllers: [PingController] }, adapter, reflect))
      .rejects.toThrow(/CORS_ANY_ORIGIN_WITH_CREDENTIALS/);
  });

  it('strict mode refuses to boot on a misconfiguration', async () => {
    await expect(createApp({ imports: [ApiShieldModule.forRoot({ ...GOOD, jwt: { secret: 'secret' }, audit: { mode: 'strict' } })], controllers: [PingController] }, adapter, quiet(adapter)))
      .rejects.toThrow(/audit \(strict\)[\s\S]*JWT_WEAK_SECRET[\s\S]*JWT_NO_EXPIRY/);
  });
});

it('EXPRESS_X_POWERED_BY fires while Express still sends the header', async () => {
  expect(await audit('express')).toEqual(['EXPRESS_X_POWERED_BY']);
});
