import { Controller, Get, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ApiShieldModule, MemoryFlowStore, Public, SensitiveFlow, type ApiShieldOptions, type FlowStore, type SecurityEvent } from '../../lib/index.js';
import { ADAPTERS, createApp, hangUpRequest } from '../support/apps.js';
import { FLOW_CONTROLLERS, FlowsController, flowOptions, userToken } from '../support/flow-fixtures.js';

describe.each(ADAPTERS)('@SensitiveFlow (%s, memory store)', (adapter) => {
  let app: INestApplication;
  let clock: number;
  let events: SecurityEvent[];
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    clock = 1_700_000_000_000;
    events = [];
    const store = new MemoryFlowStore({ now: () => clock });
    app = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ store }, events))], controllers: FLOW_CONTROLLERS }, adapter);
  });
  afterEach(() => app.close());

  it('refuses past the limit with 429, Retry-After true to the window, and RateLimit headers on every answer', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await http().post('/flows/attempt').set(userToken('u1')).expect(201);
      expect(ok.headers["ratelimit"]).toBe(`"FlowsController.attempt";r=${4 - i};t=${60 - i}`);
      expect(ok.headers['ratelimit-policy']).toBe('"FlowsController.attempt";q=5;w=60');
      clock += 1000;
    }
    const refused = await http().post('/flows/attempt').set(userToken('u1')).expect(429);
    expect(refused.body).toEqual({ statusCode: 429, message: 'Too many requests. Please try again later.', error: 'Too Many Requests' });
    expect(refused.headers['retry-after']).toBe('55');
    expect(refused.headers['ratelimit']).toBe('"FlowsController.attempt";r=0;t=55');
    await http().post('/flows/attempt').set(userToken('u2')).expect(201);
    expect(events).toContainEqual(expect.objectContaining({ type: 'flow-limit-exceeded', principalId: 'u1', limit: 5, retryAfterSeconds: 55 }));
    clock += 55_000;
    await http().post('/flows/attempt').set(userToken('u1')).expect(201);
    await http().post('/flows/attempt').set(userToken('u1')).expect(429);
  });

  it('never lets a burst through across a window edge', async () => {
    clock += 59_000;
    for (let i = 0; i < 5; i++) await http().post('/flows/attempt').set(userToken('edge')).expect(201);
    clock += 2_000; // a fixed 60 s window would have reset here
    await http().post('/flows/attempt').set(userToken('edge')).expect(429);
    clock += 57_999;
    await http().post('/flows/attempt').set(userToken('edge')).expect(429);
    clock += 1;
    await http().post('/flows/attempt').set(userToken('edge')).expect(201);
  });

  it("count: 'success' gives the slot back when the handler throws", async () => {
    for (let i = 0; i < 8; i++) await http().post('/flows/success/fail').set(userToken('s')).expect(400);
    for (let i = 0; i < 5; i++) await http().post('/flows/success/ok').set(userToken('s')).expect(201);
    await http().post('/flows/success/ok').set(userToken('s')).expect(429);
    await http().post('/flows/success/fail').set(userToken('s')).expect(429);
  });

  it("count: 'success' keeps the slot when the client hangs up before the answer: the handler may have succeeded", async () => {
    const before = FlowsController.slowCompletions;
    const request = `POST /flows/slow-success HTTP/1.1\r\nHost: x\r\nAuthorization: ${userToken('hang').Authorization}\r\nContent-Length: 0\r\n\r\n`;
    // Each hang-up comes after the guard ran and while the previous handler may still be working.
    for (let i = 0; i < 5; i++) await hangUpRequest(app, request, 40);
    await new Promise((r) => setTimeout(r, 300)); // every handler that was admitted has finished by now
    expect(FlowsController.slowCompletions - before).toBe(1);
    await http().post('/flows/slow-success').set(userToken('hang')).expect(429);
    // Another user, who waits for the answer, is served as usual.
    await http().post('/flows/slow-success').set(userToken('patient')).expect(201);
    await http().post('/flows/slow-success').set(userToken('patient')).expect(429);
  });

  it("count: 'success' also gives the slot back when a pipe after the guard fails", async () => {
    for (let i = 0; i < 4; i++) await http().get('/flows/parsed/abc').set(userToken('pp')).expect(400);
    await http().get('/flows/parsed/1').set(userToken('pp')).expect(200, { n: 1 });
    await http().get('/flows/parsed/2').set(userToken('pp')).expect(429);
  });

  it('stacked flows are all-or-nothing, and flows sharing a name share a counter', async () => {
    await http().post('/flows/stacked/1').set(userToken('k')).expect(201);
    const perItem = await http().post('/flows/stacked/1').set(userToken('k')).expect(429);
    expect(perItem.body.message).toBe('per item');
    await http().post('/flows/stacked/2').set(userToken('k')).expect(201); // the refusal above took no shared slot
    await http().post('/flows/also-shared').set(userToken('k')).expect(201);
    const quota = await http().post('/flows/stacked/3').set(userToken('k')).expect(429);
    expect(quota.body.message).toBe('Too many requests. Please try again later.');
  });

  it('charges flows that share a name and key once, with the strictest limit', async () => {
    await http().post('/flows/duplicate').set(userToken('d')).expect(201);
    await http().post('/flows/duplicate').set(userToken('d')).expect(201);
    const refused = await http().post('/flows/duplicate').set(userToken('d')).expect(429);
    expect(refused.headers['ratelimit']).toBe('"dup";r=0;t=60, "dup";r=0;t=60');
  });

  it('scopes by a header whatever the case of its name, in the declaration or on the wire', async () => {
    await http().get('/flows/per-tenant').set(userToken('t')).set('X-Tenant', 'acme').expect(200);
    await http().get('/flows/per-tenant').set(userToken('t')).set('x-TENANT', 'acme').expect(429);
    await http().get('/flows/per-tenant').set(userToken('t')).set('X-Tenant', 'globex').expect(200);
  });

  it("a counter shared by an 'attempt' and a 'success' flow counts failures too: a failure never refunds the stricter one", async () => {
    await http().post('/flows/mixed/fail').set(userToken('m')).expect(400);
    await http().post('/flows/mixed/fail').set(userToken('m')).expect(400);
    await http().post('/flows/mixed/ok').set(userToken('m')).expect(429);
    await http().post('/flows/mixed/ok').set(userToken('m2')).expect(201);
  });

  it('counts by IP on public routes and by user, else IP, for user-or-ip', async () => {
    await http().get('/flows/ip').expect(200);
    await http().get('/flows/ip').set(userToken('x')).expect(200);
    await http().get('/flows/ip').set(userToken('y')).expect(429);
    await http().get('/flows/either').expect(200);
    await http().get('/flows/either').expect(200);
    await http().get('/flows/either').expect(429);
    await http().get('/flows/either').set(userToken('z')).expect(200);
  });

  it('scopes per resource and refuses array or object scope values with 400', async () => {
    await http().get('/flows/scoped?sku=a').set(userToken('p')).expect(200);
    await http().get('/flows/scoped?sku=a').set(userToken('p')).expect(429, { statusCode: 429, message: 'once per sku', error: 'Too Many Requests' });
    await http().get('/flows/scoped?sku=b').set(userToken('p')).expect(200);
    const arr = await http().get('/flows/scoped?sku=a&sku=c').set(userToken('p')).expect(400);
    expect(arr.body).toEqual({ statusCode: 400, message: 'Invalid request', error: 'Bad Request' });
    await http().post('/flows/scoped-body').set(userToken('p')).send({ productId: { $gt: '' } }).expect(400);
    await http().post('/flows/scoped-body').set(userToken('p')).send({ productId: 7 }).expect(200);
    await http().post('/flows/scoped-body').set(userToken('p')).send({ productId: '7' }).expect(429);
    await http().post('/flows/scoped-body').set(userToken('p')).send({ productId: '__proto__' }).expect(200);
  });

  it('reports a bad scope value under the flow that read it, and charges no flow of the route', async () => {
    await http().get('/flows/stacked-sku?sku=a&sku=b').set(userToken('q')).expect(400);
    expect(events.filter((e) => e.type === 'flow-request-rejected')).toEqual([
      expect.objectContaining({ type: 'flow-request-rejected', flow: 'per-sku', reason: 'invalid-scope' }),
    ]);
    const ok = await http().get('/flows/stacked-sku?sku=a').set(userToken('q')).expect(200);
    expect(ok.headers.ratelimit).toBe('"sku-quota";r=4;t=60, "per-sku";r=0;t=60');
  });

  it('class-level flows apply to each handler; same-named controllers do not share counters', async () => {
    await http().get('/class-flow/one').set(userToken('c')).expect(200);
    await http().get('/class-flow/one').set(userToken('c')).expect(429);
    await http().get('/class-flow/two').set(userToken('c')).expect(200);
    await http().get('/twin-a/go').set(userToken('c')).expect(200);
    await http().get('/twin-b/go').set(userToken('c')).expect(200);
    await http().get('/twin-a/go').set(userToken('c')).expect(429);
  });

  it("automation: 'block' refuses scripted agents with 403 and lets browsers through", async () => {
    await http().get('/flows/human').set('User-Agent', 'curl/8.5.0').expect(403);
    await http().get('/flows/human').set('User-Agent', '').expect(403);
    await http().get('/flows/human').set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0').expect(403);
    await http().get('/flows/human').set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0').expect(200);
    expect(events.filter((e) => e.type === 'automation-blocked')).toHaveLength(3);
  });

  it('hostile user ids are safe keys', async () => {
    for (const sub of ['__proto__', 'constructor', 'a'.repeat(5000), '💥\u0000:x']) {
      await http().get('/class-flow/one').set(userToken(sub)).expect(200);
      await http().get('/class-flow/one').set(userToken(sub)).expect(429);
    }
    expect(({} as any)['4:u:']).toBeUndefined();
  });

  it('routes without flows carry no RateLimit headers', async () => {
    const res = await http().get('/flows/unlimited').set(userToken('n')).expect(200);
    expect(res.headers['ratelimit']).toBeUndefined();
  });
});

describe.each(ADAPTERS)('flows.rateLimitHeaders: false (%s)', (adapter) => {
  it('drops RateLimit / RateLimit-Policy but still limits, and still sends Retry-After on a 429', async () => {
    const app = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ rateLimitHeaders: false }))], controllers: FLOW_CONTROLLERS }, adapter);
    try {
      for (let i = 0; i < 5; i++) {
        const ok = await request(app.getHttpServer()).post('/flows/attempt').set(userToken('quiet')).expect(201);
        expect([ok.headers['ratelimit'], ok.headers['ratelimit-policy']]).toEqual([undefined, undefined]);
      }
      const refused = await request(app.getHttpServer()).post('/flows/attempt').set(userToken('quiet')).expect(429);
      expect(refused.headers['ratelimit']).toBeUndefined();
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    } finally {
      await app.close();
    }
  });
});

describe('flow concurrency (memory store)', () => {
  it.each(['attempt', 'success/ok'])('admits exactly 5 of 200 parallel requests (%s)', async (path) => {
    const app = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({}))], controllers: FLOW_CONTROLLERS }, 'express');
    await app.listen(0, '127.0.0.1');
    try {
      const url = await app.getUrl();
      const statuses = await Promise.all(Array.from({ length: 200 }, () => request(url).post(`/flows/${path}`).set(userToken('burst')).then((r) => r.status)));
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(195);
    } finally {
      await app.close();
    }
  });
});

describe('flow store failures', () => {
  const broken: FlowStore = { consume: () => { throw new Error('store down'); }, release: () => undefined };

  it.each([['deny', 503], ['allow', 201]] as const)("onStoreError '%s' answers %s and reports the failure", async (action, status) => {
    const events: SecurityEvent[] = [];
    const app = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ store: broken, onStoreError: action }, events))], controllers: FLOW_CONTROLLERS }, 'express');
    try {
      const res = await request(app.getHttpServer()).post('/flows/attempt').set(userToken('e')).expect(status);
      if (status === 503) expect(res.body).toEqual({ statusCode: 503, message: 'Service temporarily unavailable', error: 'Service Unavailable' });
      expect(events).toContainEqual(expect.objectContaining({ type: 'flow-store-error', action, error: 'store down' }));
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('custom flows.detectAutomation (%s)', (adapter) => {
  const flagged = (request: { headers: Record<string, unknown> }) => request.headers['x-bot-score'];

  async function appWith(detectAutomation: NonNullable<ApiShieldOptions['flows']>['detectAutomation']) {
    const events: SecurityEvent[] = [];
    const app = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ detectAutomation }, events))], controllers: FLOW_CONTROLLERS }, adapter);
    return { app, events, http: () => request(app.getHttpServer()) };
  }

  it('awaits an async detector: flagged requests get 403, others pass and are counted', async () => {
    const { app, events, http } = await appWith(async (ctx) => {
      await new Promise((r) => setTimeout(r, 2));
      return Number(flagged(ctx.switchToHttp().getRequest())) > 50;
    });
    try {
      await http().get('/flows/human').set('x-bot-score', '99').expect(403, { statusCode: 403, message: 'Access denied', error: 'Forbidden' });
      const ok = await http().get('/flows/human').set('x-bot-score', '3').set('User-Agent', 'curl/8.5.0').expect(200);
      expect(ok.headers['ratelimit']).toBe('"FlowsController.human";r=99;t=60');
      expect(events.filter((e) => e.type === 'automation-blocked')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('fails closed when the detector rejects or throws, without leaking the error', async () => {
    for (const detector of [async () => { throw new Error('scoring service down'); }, () => { throw new Error('boom'); }]) {
      const { app, http } = await appWith(detector);
      try {
        const res = await http().get('/flows/human').set('User-Agent', 'Mozilla/5.0 Firefox/128.0').expect(403);
        expect(JSON.stringify(res.body)).not.toMatch(/scoring|boom/);
        await http().get('/flows/unlimited').set(userToken('n')).expect(200);
      } finally {
        await app.close();
      }
    }
  });
});

describe('flow declarations checked at start-up', () => {
  it("refuses by: 'user' on a public route", async () => {
    @Controller()
    class Bad {
      @Public() @SensitiveFlow({ limit: 1, windowMs: 1000, by: 'user' }) @Get('x') x() { return 1; }
    }
    await expect(createApp({ imports: [ApiShieldModule.forRoot(flowOptions({}))], controllers: [Bad] }, 'express'))
      .rejects.toThrow(/counts by 'user' but the route is public/);
  });

  it('refuses automation blocks without a detector', async () => {
    @Controller()
    class NoDetector {
      @SensitiveFlow({ limit: 1, windowMs: 1000, automation: 'block' }) @Get('x') x() { return 1; }
    }
    await expect(createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ detectAutomation: undefined }))], controllers: [NoDetector] }, 'express'))
      .rejects.toThrow(/flows\.detectAutomation is not set/);
  });

  it('refuses impossible flow options when decorating', () => {
    expect(() => SensitiveFlow({ limit: 0, windowMs: 1000 })).toThrow(/limit/);
    expect(() => SensitiveFlow({ limit: 1, windowMs: 0 })).toThrow(/windowMs/);
    expect(() => SensitiveFlow({ limit: 1, windowMs: 1, scope: 'params.__proto__.x' })).toThrow(/scope/);
    expect(() => SensitiveFlow({ limit: 1, windowMs: 1, scope: 'session.id' })).toThrow(/scope/);
    expect(() => SensitiveFlow({ limit: 1, windowMs: 1, by: 'cookie' as any })).toThrow(/by must be/);
  });
});
