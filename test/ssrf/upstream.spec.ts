import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { SafeHttpClient, SsrfBlockedException, UnsafeResponseException } from '../../lib/index.js';
import { refusedConnects } from '../support/loopback-only-net.js';
import { blockReason, client, countConnects, stubDns } from '../support/ssrf.js';
import { routes, startUpstream, type Upstream } from '../support/upstream.js';

describe('SafeHttpService against a real upstream on 127.0.0.1', () => {
  let upstream: Upstream;
  let safe: SafeHttpClient;
  let base: string;
  let dns: ReturnType<typeof stubDns>;

  let hangClosed: () => void = () => undefined;

  beforeAll(async () => {
    upstream = await startUpstream(routes({ '/hang': (_req, res) => { res.write('.'); res.on('close', () => hangClosed()); } }));
    base = `http://upstream.test:${upstream.port}`;
    dns = stubDns({
      'upstream.test': ['127.0.0.1'],
      'other.test': ['127.0.0.1'],
      'private.test': ['10.0.0.7'],
    });
    safe = client({
      allowedHosts: ['upstream.test', '127.0.0.1'],
      allowedProtocols: ['http:'],
      allowedPorts: [upstream.port],
      allowedCidrs: ['127.0.0.1/32'],
      maxRedirects: 3,
      maxResponseBytes: 1024 * 1024,
      timeoutMs: 1500,
      dnsLookup: dns.lookup,
    });
  });
  afterAll(() => upstream.close());

  it('returns the same response as HttpService for an allowed upstream', async () => {
    const plain = new HttpService(axios.create({ proxy: false }));
    const viaSafe = await firstValueFrom(safe.get(`http://127.0.0.1:${upstream.port}/ok`));
    const viaPlain = await firstValueFrom(plain.get(`http://127.0.0.1:${upstream.port}/ok`));
    expect(viaSafe.status).toBe(viaPlain.status);
    expect(viaSafe.data).toEqual(viaPlain.data);
    expect(viaSafe.headers['content-type']).toBe(viaPlain.headers['content-type']);
    expect(viaSafe.headers['x-upstream']).toBe('yes');
  });

  it('serves every verb with body, headers and status intact', async () => {
    const posted = await firstValueFrom(safe.post(`${base}/echo`, { a: 1 }, { headers: { Authorization: 'Bearer up' } }));
    expect(posted.data).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer up' });
    expect((await firstValueFrom(safe.put(`${base}/echo`, 'x'))).data.method).toBe('PUT');
    expect((await firstValueFrom(safe.patch(`${base}/echo`, 'x'))).data.method).toBe('PATCH');
    expect((await firstValueFrom(safe.delete(`${base}/echo`))).data.method).toBe('DELETE');
    expect((await firstValueFrom(safe.head(`${base}/ok`))).status).toBe(200);
    const created = await firstValueFrom(safe.request({ url: `${base}/created`, method: 'GET' }));
    expect([created.status, created.data]).toEqual([201, 'made']);
    await expect(firstValueFrom(safe.get(`${base}/not-found`))).rejects.toMatchObject({ response: { status: 404 } });
  });

  it.each([
    ['mixed case', 'http://UpStream.TEST:PORT/ok'],
    ['a trailing dot', 'http://upstream.test.:PORT/ok'],
    ['a wildcard subdomain', 'http://a.cdn.test:PORT/ok'],
    ['a deeper wildcard subdomain, upper case', 'http://A.B.CDN.test:PORT/ok'],
    ['a unicode (IDN) name listed in unicode', 'http://bücher.test:PORT/ok'],
    ['the punycode form of that name', 'http://xn--bcher-kva.test:PORT/ok'],
    ['that name in upper case', 'http://BÜCHER.TEST:PORT/ok'],
    ['a unicode name listed in punycode', 'http://straße.test:PORT/ok'],
  ])('lets a legitimate host spelling through the allowlist: %s', async (_name, url) => {
    const named = stubDns(Object.fromEntries(
      ['upstream.test', 'upstream.test.', 'a.cdn.test', 'a.b.cdn.test', 'xn--bcher-kva.test', 'xn--strae-oqa.test'].map((n) => [n, ['127.0.0.1']]),
    ));
    const listed = client({
      allowedHosts: ['upstream.test', '*.cdn.test', 'bücher.test', 'xn--strae-oqa.test'],
      allowedProtocols: ['http:'], allowedPorts: [upstream.port], allowedCidrs: ['127.0.0.1/32'], dnsLookup: named.lookup,
    });
    const res = await firstValueFrom(listed.get(url.replace('PORT', String(upstream.port))));
    expect([res.status, res.data.hello]).toEqual([200, 'world']);
    for (const refused of ['http://cdn.test:PORT/ok', 'http://xcdn.test:PORT/ok', 'http://bucher.test:PORT/ok', 'http://upstream.test..:PORT/ok']) {
      expect(await blockReason(listed, refused.replace('PORT', String(upstream.port)))).toMatchObject({ reason: 'host-not-allowed', connects: 0 });
    }
  });

  it('follows allowed redirects, re-checking each hop', async () => {
    const res = await firstValueFrom(safe.get(`${base}/redirect?to=/ok`));
    expect(res.data.hello).toBe('world');
    const see = await firstValueFrom(safe.post(`${base}/redirect?status=303&to=/echo`, 'payload'));
    expect(see.data).toEqual({ method: 'GET', body: '', auth: null });
    const keep = await firstValueFrom(safe.post(`${base}/redirect?status=307&to=/echo`, 'payload'));
    expect(keep.data).toMatchObject({ method: 'POST', body: 'payload' });
  });

  it.each([
    ['a blocked address', 'http://10.0.0.1/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['another loopback address outside allowedCidrs', 'http://127.0.0.2:PORT/ok'],
    ['a disallowed host', 'http://other.test:PORT/ok'],
    ['a disallowed port', 'http://upstream.test:1/ok'],
    ['a disallowed scheme', 'file:///etc/passwd'],
    ['a URL with credentials', 'http://user:pw@upstream.test:PORT/ok'],
  ])('refuses a redirect to %s', async (_name, target) => {
    const to = encodeURIComponent(target.replace('PORT', String(upstream.port)));
    const before = upstream.hits.length;
    const result = await blockReason(safe, `${base}/redirect?to=${to}`);
    expect(result).toMatchObject({ reason: 'redirect-not-allowed', status: 403 });
    expect(upstream.hits.slice(before)).toEqual([`GET /redirect?to=${to}`]);
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const privateTarget = encodeURIComponent(`http://private.test:${upstream.port}/ok`);
    const narrowed = client({ allowedProtocols: ['http:'], allowedPorts: 'any', allowedCidrs: ['127.0.0.1/32'], dnsLookup: dns.lookup });
    expect(await blockReason(narrowed, `${base}/redirect?to=${privateTarget}`)).toMatchObject({ reason: 'address-not-allowed' });
  });

  it('stops redirect loops and chains longer than maxRedirects', async () => {
    const loop = `${base}/redirect?to=${encodeURIComponent(`${base}/redirect?to=${encodeURIComponent(`${base}/redirect`)}`)}`;
    const self = await blockReason(safe, `${base}/redirect?to=${encodeURIComponent('/redirect?to=%2Fredirect%3Fto%3D%252Fredirect%253Fto%253D%25252Fredirect')}`);
    expect(self).toMatchObject({ reason: 'too-many-redirects' });
    expect(await blockReason(safe, loop, { maxRedirects: 1 })).toMatchObject({ reason: 'too-many-redirects' });
    expect(await blockReason(safe, `${base}/ok`, { maxRedirects: 10 })).toMatchObject({ reason: 'option-not-allowed' });
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const twoHosts = client({ allowedHosts: ['upstream.test', 'other.test'], allowedProtocols: ['http:'], allowedPorts: [upstream.port], allowedCidrs: ['127.0.0.1/32'], dnsLookup: dns.lookup });
    const res = await firstValueFrom(twoHosts.get(`${base}/redirect?to=${encodeURIComponent(`http://other.test:${upstream.port}/echo`)}`, { headers: { Authorization: 'Bearer secret' } }));
    expect(res.data.auth).toBeNull();
  });

  it('connects to the address it checked: one lookup per connection, so rebinding has no window', async () => {
    let answers = 0;
    const rebinding = stubDns({ 'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['10.0.0.1']) });
    const c = client({ allowedProtocols: ['http:'], allowedPorts: 'any', allowedCidrs: ['127.0.0.1/32'], dnsLookup: rebinding.lookup });
    const ok = await firstValueFrom(c.get(`http://rebind.test:${upstream.port}/ok`, { headers: { Connection: 'close' } }));
    expect(ok.status).toBe(200);
    expect(rebinding.calls).toEqual(['rebind.test']);
    expect(await blockReason(c, `http://rebind.test:${upstream.port}/ok`, { headers: { Connection: 'close' } })).toMatchObject({ reason: 'address-not-allowed' });
    expect(rebinding.calls).toEqual(['rebind.test', 'rebind.test']);
  });

  it('stops an oversized body at maxResponseBytes (502)', async () => {
    const { error } = await countConnects(() => firstValueFrom(safe.get(`${base}/big`)));
    expect(error).toBeInstanceOf(UnsafeResponseException);
    expect((error as UnsafeResponseException).getStatus()).toBe(502);
    expect((error as UnsafeResponseException).reason).toBe('response-too-large');
  });

  it('stops a gzip bomb at the limit after decompression', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const { error } = await countConnects(() => firstValueFrom(safe.get(`${base}/bomb`)));
    expect((error as UnsafeResponseException).reason).toBe('response-too-large');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(30 * 1024 * 1024);
  });

  it('bounds the whole exchange, even a body that keeps trickling (504)', async () => {
    const { error } = await countConnects(() => firstValueFrom(safe.get(`${base}/slow`)));
    expect(error).toBeInstanceOf(UnsafeResponseException);
    expect((error as UnsafeResponseException).getStatus()).toBe(504);
  });

  it('cancels the exchange when the subscriber unsubscribes, as HttpService does', async () => {
    const closed = new Promise<void>((resolve) => { hangClosed = resolve; });
    const subscription = safe.get(`${base}/hang`).subscribe({ error: () => undefined });
    await new Promise((r) => setTimeout(r, 100));
    subscription.unsubscribe();
    // Well before the 1500 ms policy time-out would close it anyway.
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('exchange not cancelled')), 700))]);
  });

  it('checks the expected content type', async () => {
    await expect(firstValueFrom(safe.get(`${base}/html`, { expectedContentType: 'application/json' }))).rejects.toMatchObject({ reason: 'unexpected-content-type' });
    expect((await firstValueFrom(safe.get(`${base}/ok`, { expectedContentType: 'application/json' }))).status).toBe(200);
  });

  it('reports an unreachable upstream as 502 without detail', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = client({ allowedProtocols: ['http:'], allowedPorts: 'any', allowedCidrs: ['127.0.0.1/32'] });
    await expect(firstValueFrom(c.get(`http://127.0.0.1:${port}/`))).rejects.toMatchObject({ reason: 'upstream-failed' });
  });

  it.each([
    ['socketPath', { socketPath: '/var/run/docker.sock' }],
    ['proxy', { proxy: { host: '127.0.0.1', port: 1 } }],
    ['httpAgent', { httpAgent: {} }],
    ['httpsAgent', { httpsAgent: {} }],
    ['lookup', { lookup: () => undefined }],
    ['transport', { transport: {} }],
    ['adapter', { adapter: 'fetch' }],
    ['httpVersion', { httpVersion: 2 }],
    ['beforeRedirect', { beforeRedirect: () => undefined }],
    ['baseURL', { baseURL: 'http://10.0.0.1/' }],
    ['allowAbsoluteUrls', { allowAbsoluteUrls: true }],
    ['family', { family: 6 }],
    ['createConnection', { createConnection: () => undefined }],
    ['insecureHTTPParser', { insecureHTTPParser: true }],
    ['maxRedirects above the policy', { maxRedirects: 4 }],
    ['maxContentLength above the policy', { maxContentLength: 1e9 }],
    ['timeout above the policy', { timeout: 60_000 }],
    ['stream responses', { responseType: 'stream' }],
    ['decompress: false', { decompress: false }],
  ])('refuses the per-request option %s', async (_name, config) => {
    expect(await blockReason(safe, `${base}/ok`, config)).toMatchObject({ reason: 'option-not-allowed', status: 403, connects: 0 });
  });

  it('ignores environment proxies', async () => {
    const proxyHits: string[] = [];
    const proxy = createServer((req, res) => { proxyHits.push(req.url ?? ''); res.end('proxied'); });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = process.env.http_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const fresh = client({ allowedProtocols: ['http:'], allowedPorts: 'any', allowedCidrs: ['127.0.0.1/32'] });
      const res = await firstValueFrom(fresh.get(`http://127.0.0.1:${upstream.port}/ok`));
      expect(res.data.hello).toBe('world');
      expect(proxyHits).toEqual([]);
    } finally {
      process.env.HTTP_PROXY = saved.HTTP_PROXY ?? '';
      process.env.http_proxy = saved.http_proxy ?? '';
      delete process.env.HTTP_PROXY; delete process.env.http_proxy;
      await new Promise((r) => proxy.close(r));
    }
  });

  it('narrows the policy per use with withPolicy, never widens it', async () => {
    const api = safe.withPolicy({ baseURL: `${base}/`, allowedHosts: ['upstream.test'] });
    expect((await firstValueFrom(api.get('ok'))).data.hello).toBe('world');
    expect((await firstValueFrom(api.get('/ok'))).data.hello).toBe('world');
    await expect(firstValueFrom(api.get(`http://127.0.0.1:${upstream.port}/ok`))).rejects.toBeInstanceOf(SsrfBlockedException);
    await expect(firstValueFrom(api.get(`//other.test:${upstream.port}/ok`))).rejects.toMatchObject({ reason: 'host-not-allowed' });
    const jailed = safe.withPolicy({ baseURL: `${base}/api/` });
    await expect(firstValueFrom(jailed.get('../ok'))).rejects.toMatchObject({ reason: 'host-not-allowed' });
    expect(() => safe.withPolicy({ baseURL: 'http://10.0.0.1/' })).toThrow(/not allowed/);
    expect(() => safe.withPolicy({ allowedProtocols: ['https:'] })).toThrow(/leaves nothing/);
    const wider = safe.withPolicy({ allowedHosts: ['other.test'] });
    await expect(firstValueFrom(wider.get(`http://other.test:${upstream.port}/ok`))).rejects.toMatchObject({ reason: 'host-not-allowed' });
  });

  it('never tried to leave the machine', () => {
    expect(refusedConnects).toEqual([]);
  });
});
