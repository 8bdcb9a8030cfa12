/**
 * Asks the app's own CORS layer how it answers a hostile origin, without listening: Express's cors
 * middleware and Nest's Fastify CORS hook are called with stub requests (no socket, no listener). Returns the
 * Access-Control-Allow-Origin / -Credentials it would send, or undefined when there is no CORS layer.
 */
export async function probeCors(adapterName: string, instance: any, adapter?: any): Promise<{ origin?: string; credentials?: string } | undefined> {
  const origin = 'https://attacker.invalid';
  if (adapterName === 'express') {
    const stack: any[] = instance?.router?.stack ?? instance?._router?.stack ?? [];
    const layer = stack.find((l) => l?.name === 'corsMiddleware' || l?.handle?.name === 'corsMiddleware');
    if (!layer) return undefined;
    const headers: Record<string, string> = {};
    const req = { method: 'GET', url: '/', headers: { origin } };
    const res = {
      statusCode: 200,
      setHeader: (k: string, v: string) => { headers[k.toLowerCase()] = String(v); },
      getHeader: (k: string) => headers[k.toLowerCase()],
      end: () => undefined,
    };
    await new Promise<void>((resolve) => {
      try {
        layer.handle(req, res, () => resolve());
        setTimeout(resolve, 50);
      } catch {
        resolve();
      }
    });
    return { origin: headers['access-control-allow-origin'], credentials: headers['access-control-allow-credentials'] };
  }
  if (adapterName === 'fastify' && typeof adapter?.corsHook === 'function') {
    const headers: Record<string, string> = {};
    const reply: any = {
      header: (k: string, v: string) => { headers[k.toLowerCase()] = String(v); return reply; },
      getHeader: (k: string) => headers[k.toLowerCase()],
      hasHeader: (k: string) => k.toLowerCase() in headers,
      removeHeader: (k: string) => { delete headers[k.toLowerCase()]; return reply; },
      status: () => reply, type: () => reply, send: () => reply, code: () => reply,
    };
    const request = { headers: { origin }, method: 'GET', url: '/', routeOptions: { config: {} }, raw: { method: 'GET', headers: { origin } } };
    await new Promise<void>((resolve) => {
      try {
        adapter.corsHook(request, reply, () => resolve());
        setTimeout(resolve, 50);
      } catch {
        resolve();
      }
    });
    return { origin: headers['access-control-allow-origin'], credentials: headers['access-control-allow-credentials'] };
  }
  return undefined;
}
