import { Controller, Get, Query, type INestApplication } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { ApiShieldModule, Public, SafeHttpService, type SecurityEvent } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../support/apps.js';
import { stubDns } from '../support/ssrf.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { TEST_SECRET } from '../support/tokens.js';

@Controller()
class FetchController {
  constructor(private readonly http: SafeHttpService) {}
  @Public() @Get('fetch')
  async fetch(@Query('url') url: string) {
    const res = await firstValueFrom(this.http.get(url));
    return res.data;
  }
}

describe.each(ADAPTERS)('SafeHttpService inside an app (%s)', (adapter) => {
  let upstream: Upstream;
  let app: INestApplication;
  const events: SecurityEvent[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    const dns = stubDns({ 'api.partner.test': ['127.0.0.1'], 'sneaky.partner.test': ['192.168.1.10'] });
    app = await createApp({
      imports: [ApiShieldModule.forRoot({
        jwt: { secret: TEST_SECRET },
        http: { allowedHosts: ['*.partner.test'], allowedProtocols: ['http:'], allowedPorts: [upstream.port], allowedCidrs: ['127.0.0.1/32'], dnsLookup: dns.lookup },
        onSecurityEvent: (e) => { events.push(e); },
      })],
      controllers: [FetchController],
    }, adapter);
  });
  afterAll(async () => { await app.close(); await upstream.close(); });

  it('is injectable wherever the module is imported and fetches allowed hosts', async () => {
    const res = await request(app.getHttpServer()).get('/fetch').query({ url: `http://api.partner.test:${upstream.port}/ok` }).expect(200);
    expect(res.body).toEqual({ hello: 'world', method: 'GET' });
  });

  it('turns blocks into 4xx with a reason, and reports them without the resolved address', async () => {
    events.length = 0;
    const res = await request(app.getHttpServer()).get('/fetch').query({ url: `http://sneaky.partner.test:${upstream.port}/secret?token=abc` }).expect(403);
    expect(res.body).toEqual({ statusCode: 403, message: 'The host resolves to an address that is not allowed', error: 'Forbidden', reason: 'address-not-allowed' });
    expect(events).toEqual([expect.objectContaining({ type: 'ssrf-blocked', reason: 'address-not-allowed', target: `http://sneaky.partner.test:${upstream.port}` })]);
    expect(JSON.stringify(events) + JSON.stringify(res.body)).not.toMatch(/192\.168|token=abc/);
    await request(app.getHttpServer()).get('/fetch').query({ url: 'not a url' }).expect(400);
  });
});
