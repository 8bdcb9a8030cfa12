import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../../sample-app/app.module.js';
import { ADAPTERS, createApp } from '../support/apps.js';
import { b64url } from '../support/tokens.js';

async function login(app: INestApplication, username: string, password: string): Promise<string> {
  const res = await request(app.getHttpServer()).post('/auth/login').send({ username, password }).expect(200);
  return res.body.access_token;
}

describe.each(ADAPTERS)('sample shop (%s)', (adapter) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeEach(async () => { app = await createApp({ imports: [AppModule] }, adapter); });
  afterEach(() => app.close());

  it('API5 acceptance: bob 403, alice 200, no token 401, alg none 401', async () => {
    const bob = await login(app, 'bob', 'bob-user-pw');
    const alice = await login(app, 'alice', 'alice-admin-pw');
    await http().delete('/admin/delete-user/2').set(as(bob)).expect(403);
    await http().delete('/admin/delete-user/2').expect(401);
    const [, payload] = alice.split('.');
    const algNone = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    await http().delete('/admin/delete-user/2').set(as(algNone)).expect(401);
    await http().delete('/admin/delete-user/2').set(as(alice)).expect(200, { deleted: '2' });
    await http().delete('/admin/delete-user/2').set(as(alice)).expect(404);
  });

  it('logs in with the README passwords only, with one error for any failure', async () => {
    const bad = { statusCode: 401, message: 'Invalid credentials', error: 'Unauthorized' };
    await http().post('/auth/login').send({ username: 'bob', password: 'wrong' }).expect(401, bad);
    await http().post('/auth/login').send({ username: 'mallory', password: 'x' }).expect(401, bad);
    await http().post('/auth/login').send({ username: ['bob'], password: { $ne: 1 } }).expect(401, bad);
    const carol = await login(app, 'carol', 'carol-mod-pw');
    await http().get('/me').set(as(carol)).expect(200, { id: '3', roles: ['moderator'] });
    await http().get('/health').expect(200, { status: 'ok' });
    await http().get('/me').expect(401);
  });

  it('API6 acceptance: one comment per product, three per 10 minutes', async () => {
    const bob = await login(app, 'bob', 'bob-user-pw');
    const comment = (product: number) => http().post(`/products/${product}/comment`).set(as(bob)).send({ text: 'nice' });
    await comment(1).expect(201).expect((r) => expect(r.body.status).toBe('success'));
    const again = await comment(1).expect(429);
    expect(again.body).toEqual({ statusCode: 429, message: 'You can only comment once every 10 minutes.', error: 'Too Many Requests' });
    await comment(2).expect(201);
    await comment(3).expect(201);
    const fourth = await comment(4).expect(429);
    expect(fourth.body.message).toBe('Commenting too frequently. Please slow down.');
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(fourth.headers['ratelimit-policy']).toBe('"comment-rate";q=3;w=600, "comment-per-product";q=1;w=600');
    // another user is not affected
    const carol = await login(app, 'carol', 'carol-mod-pw');
    await http().post('/products/1/comment').set(as(carol)).send({ text: 'hi' }).expect(201);
  });

  it('API7 acceptance: /proxy refuses internal targets with a reason and never connects', async () => {
    const bob = await login(app, 'bob', 'bob-user-pw');
    await http().get('/proxy?url=https://example.com/').expect(401);
    for (const target of ['http://localhost:8000/admin', 'http://169.254.169.254/latest/meta-data/', 'http://2130706433/', 'https://127.0.0.1/', 'https://[::ffff:169.254.169.254]/']) {
      const res = await http().get(`/proxy?url=${encodeURIComponent(target)}`).set(as(bob));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof res.body.reason).toBe('string');
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|169\.254|stack/);
    }
    const evil = await http().get(`/proxy?url=${encodeURIComponent('https://evil.example.net/')}`).set(as(bob)).expect(403);
    expect(evil.body).toEqual({ statusCode: 403, message: 'The host is not allowed', error: 'Forbidden', reason: 'host-not-allowed' });
    await http().get('/proxy?url=').set(as(bob)).expect(400);
    await http().get('/proxy?url=a&url=b').set(as(bob)).expect(400);
  });
});
