/**
 * Asks the app's own CORS layer how it answers a hostile origin, without listening: Express's cors
 * middleware is called with a stub request, Fastify is asked through `inject`. Returns the
 * Access-Control-Allow-Origin / -Credentials it would send, or undefined when there is no CORS layer.
 */
export async function probeCors(adapterName: string, instance: any): Promise<{ origin?: string; credentials?: string } | undefined> {
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
  if (adapterName === 'fastify' && typeof instance?.inject === 'function' && instance.hasPlugin?.('@fastify/cors')) {
    const response = await instance.inject({ method: 'GET', url: '/', headers: { origin } });
    return { origin: response.headers['access-control-allow-origin'], credentials: response.headers['access-control-allow-credentials'] };
  }
  return undefined;
}
