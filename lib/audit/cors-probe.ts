const HOSTILE_ORIGIN = 'https://attacker.invalid';

export interface CorsAnswer {
  origin?: string;
  credentials?: string;
}

type Hook = (request: unknown, response: unknown, next: () => void) => void;

/** Calls a CORS hook with a stub request from a hostile origin and records the headers it sets. */
async function ask(hook: Hook, request: unknown): Promise<CorsAnswer> {
  const headers: Record<string, string> = {};
  const response: any = {
    statusCode: 200,
    setHeader: (k: string, v: string) => { headers[k.toLowerCase()] = String(v); },
    header: (k: string, v: string) => { headers[k.toLowerCase()] = String(v); return response; },
    getHeader: (k: string) => headers[k.toLowerCase()],
    hasHeader: (k: string) => k.toLowerCase() in headers,
    removeHeader: (k: string) => { delete headers[k.toLowerCase()]; return response; },
    status: () => response, type: () => response, send: () => response, code: () => response,
    end: () => undefined,
  };
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 50);
    try {
      hook(request, response, () => { clearTimeout(timer); resolve(); });
    } catch {
      resolve();
    }
  });
  return { origin: headers['access-control-allow-origin'], credentials: headers['access-control-allow-credentials'] };
}

/**
 * Asks the app's own CORS layer how it answers a hostile origin, without listening: Express's cors
 * middleware and Nest's Fastify CORS hook are called with stub requests. Returns the
 * Access-Control-Allow-Origin / -Credentials it would send, or undefined when there is no CORS layer.
 */
export async function probeCors(adapterName: string, instance: any, adapter?: any): Promise<CorsAnswer | undefined> {
  const headers = { origin: HOSTILE_ORIGIN };
  if (adapterName === 'express') {
    const stack: any[] = instance?.router?.stack ?? instance?._router?.stack ?? [];
    const layer = stack.find((l) => l?.name === 'corsMiddleware' || l?.handle?.name === 'corsMiddleware');
    return layer ? ask(layer.handle, { method: 'GET', url: '/', headers }) : undefined;
  }
  if (adapterName === 'fastify' && typeof adapter?.corsHook === 'function') {
    const request = { headers, method: 'GET', url: '/', routeOptions: { config: {} }, raw: { method: 'GET', headers } };
    return ask(adapter.corsHook.bind(adapter), request);
  }
  return undefined;
}
