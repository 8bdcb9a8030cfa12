import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Upstream {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

/** 60 MiB of zeros, gzip-compressed to well under 100 kB. */
const BOMB = gzipSync(Buffer.alloc(60 * 1024 * 1024));

type Handler = (req: IncomingMessage, res: ServerResponse, port: number) => void;

/** A real HTTP upstream on 127.0.0.1 with the behaviours the SSRF and API10 tests need. */
export function routes(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    '/ok': (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream', 'yes');
      res.end(JSON.stringify({ hello: 'world', method: req.method }));
    },
    '/echo': (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
      });
    },
    '/created': (_req, res) => { res.statusCode = 201; res.setHeader('content-type', 'text/plain'); res.end('made'); },
    '/not-found': (_req, res) => { res.statusCode = 404; res.end('nope'); },
    '/big': (_req, res) => { res.setHeader('content-type', 'application/octet-stream'); res.end(Buffer.alloc(2 * 1024 * 1024, 1)); },
    '/bomb': (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-type', 'application/octet-stream');
      res.end(BOMB);
    },
    '/slow': (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
    },
    '/html': (_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<h1>hi</h1>'); },
    ...extra,
  };
}

export async function startUpstream(handlers: Record<string, Handler> = routes()): Promise<Upstream> {
  const hits: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '/').split('?')[0];
    const handler = handlers[path];
    if (handler) return handler(req, res, port);
    if (path.startsWith('/redirect')) {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/ok';
      res.statusCode = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 302);
      res.setHeader('location', target);
      return res.end();
    }
    res.statusCode = 404;
    res.end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
