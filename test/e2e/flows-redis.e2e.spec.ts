import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ApiShieldModule, RedisFlowStore, type SecurityEvent } from '../../lib/index.js';
import { createApp } from '../support/apps.js';
import { FLOW_CONTROLLERS, flowOptions, userToken } from '../support/flow-fixtures.js';
import { RedisServer, redisServerAvailable } from '../support/redis-server.js';

const available = redisServerAvailable();
if (!available) console.warn('Redis flow-store suites skipped: install redis-server (apt-get install -y redis-server) to run them.');
const describeRedis = available ? describe : describe.skip;

async function listening(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

describeRedis('Redis flow store', () => {
  let redis: RedisServer;
  let apps: INestApplication[] = [];
  let prefixSeq = 0;
  const prefix = () => `test-${process.pid}-${prefixSeq++}:`;

  beforeAll(async () => { redis = await RedisServer.start(); });
  afterAll(async () => { await redis.stop(); });
  afterEach(async () => { await Promise.all(apps.map((a) => a.close())); apps = []; });

  async function app(events: SecurityEvent[] = [], onStoreError: 'deny' | 'allow' = 'deny', keyPrefix = prefix()) {
    const a = await createApp({
      imports: [ApiShieldModule.forRoot(flowOptions({ store: { redis: redis.url, prefix: keyPrefix }, onStoreError }, events))],
      controllers: FLOW_CONTROLLERS,
    }, 'express');
    apps.push(a);
    return a;
  }

  it('enforces limits, stacking and success counting like the memory store', async () => {
    const a = await app();
    const http = () => request(a.getHttpServer());
    await http().post('/flows/stacked/1').set(userToken('r')).expect(201);
    await http().post('/flows/stacked/1').set(userToken('r')).expect(429);
    await http().post('/flows/stacked/2').set(userToken('r')).expect(201);
    await http().post('/flows/stacked/3').set(userToken('r')).expect(201);
    const refused = await http().post('/flows/stacked/4').set(userToken('r')).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    for (let i = 0; i < 3; i++) await http().post('/flows/success/fail').set(userToken('r')).expect(400);
    for (let i = 0; i < 5; i++) await http().post('/flows/success/ok').set(userToken('r')).expect(201);
    await http().post('/flows/success/ok').set(userToken('r')).expect(429);
  });

  it('sets a TTL on every key it writes, under the prefix', async () => {
    const keyPrefix = prefix();
    const a = await app([], 'deny', keyPrefix);
    await request(a.getHttpServer()).post('/flows/attempt').set(userToken('ttl')).expect(201);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${keyPrefix}*`);
      expect(keys.length).toBe(1);
      const ttl = await client.pttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      client.disconnect();
    }
  });

  it.each(['attempt', 'success/ok'])('admits exactly 5 of 200 parallel requests across two app instances (%s)', async (path) => {
    const keyPrefix = prefix();
    const [a, b] = [await app([], 'deny', keyPrefix), await app([], 'deny', keyPrefix)];
    const urls = [await listening(a), await listening(b)];
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      request(urls[i % 2]).post(`/flows/${path}`).set(userToken('global')).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(195);
  });

  it('uses one round trip per check', async () => {
    const client = new Redis(redis.url, RedisFlowStore.failFast());
    const store = new RedisFlowStore({ redis: client, prefix: prefix() });
    await store.init();
    await store.consume([{ key: 'warm', limit: 1, windowMs: 1000 }]);
    const sent: string[] = [];
    const original = client.sendCommand.bind(client);
    (client as any).sendCommand = (command: any, stream?: any) => { sent.push(command.name); return original(command, stream); };
    await store.consume([{ key: 'a', limit: 3, windowMs: 1000 }, { key: 'b', limit: 1, windowMs: 1000 }]);
    await store.consume([{ key: 'b', limit: 1, windowMs: 1000 }]);
    expect(sent).toEqual(['evalsha', 'evalsha']);
    client.disconnect();
  });

  it('takes an ioredis client the app owns as the store, leaves it open, and bounds its waits while Redis is down', async () => {
    // Default ioredis options: an offline queue and 20 retries per command, which would hold requests for seconds.
    const client = new Redis(redis.url);
    client.on('error', () => undefined);
    const events: SecurityEvent[] = [];
    const own = await createApp({ imports: [ApiShieldModule.forRoot(flowOptions({ store: client }, events))], controllers: FLOW_CONTROLLERS }, 'express');
    apps.push(own);
    try {
      for (let i = 0; i < 5; i++) await request(own.getHttpServer()).post('/flows/attempt').set(userToken('own-1')).expect(201);
      await request(own.getHttpServer()).post('/flows/attempt').set(userToken('own-1')).expect(429);
      expect(await client.keys('api-shield:*')).not.toHaveLength(0);

      await redis.stop();
      await request(own.getHttpServer()).post('/flows/attempt').set(userToken('own-2')).expect(503);
      expect(events).toContainEqual(expect.objectContaining({ type: 'flow-store-error', action: 'deny', error: expect.stringMatching(/did not answer within/) }));

      await redis.start();
      await eventually(async () => (await request(own.getHttpServer()).post('/flows/attempt').set(userToken('own-3')).then((r) => r.status)) === 201);
      await own.close();
      apps = apps.filter((a) => a !== own);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it("fails closed with 503 ('deny') or open ('allow') while Redis is down, and recovers by itself", async () => {
    const denyEvents: SecurityEvent[] = [];
    const allowEvents: SecurityEvent[] = [];
    const deny = await app(denyEvents, 'deny');
    const allow = await app(allowEvents, 'allow');
    await request(deny.getHttpServer()).post('/flows/attempt').set(userToken('k1')).expect(201);
    await request(allow.getHttpServer()).post('/flows/attempt').set(userToken('k2')).expect(201);

    await redis.stop();
    await request(deny.getHttpServer()).post('/flows/attempt').set(userToken('k1')).expect(503);
    await request(allow.getHttpServer()).post('/flows/attempt').set(userToken('k2')).expect(201);
    expect(denyEvents).toContainEqual(expect.objectContaining({ type: 'flow-store-error', action: 'deny' }));
    expect(allowEvents).toContainEqual(expect.objectContaining({ type: 'flow-store-error', action: 'allow' }));

    await redis.start();
    await eventually(async () => (await request(deny.getHttpServer()).post('/flows/attempt').set(userToken('k3')).then((r) => r.status)) === 201);
    await eventually(async () => (await request(allow.getHttpServer()).get('/flows/ip').then((r) => r.status)) === 200);
    const before = allowEvents.length;
    await request(allow.getHttpServer()).post('/flows/attempt').set(userToken('k4')).expect(201);
    expect(allowEvents.length).toBe(before);
  });
});
