import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/** A real Nest app (full HTTP pipeline) on the chosen adapter, initialised and ready for supertest. */
export async function createApp(metadata: ModuleMetadata, adapter: AdapterName, configure?: (app: INestApplication) => void): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  configure?.(app);
  await app.init();
  if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** The app's port on 127.0.0.1, listening first if supertest has not; `opened` says whether this call did. */
async function listeningPort(app: INestApplication): Promise<{ server: Server; port: number; opened: boolean }> {
  const server = app.getHttpServer() as Server;
  const opened = !server.listening;
  if (opened) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, opened };
}

/** Sends a hand-written HTTP/1.1 request (for what supertest cannot express) and returns the status. */
export async function rawRequest(app: INestApplication, text: string): Promise<{ status: number; raw: string }> {
  const { server, port, opened } = await listeningPort(app);
  try {
    return await new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      let raw = '';
      socket.on('data', (chunk) => (raw += chunk));
      socket.on('end', () => resolve({ status: Number(raw.split(' ')[1]), raw }));
      socket.on('error', reject);
    });
  } finally {
    if (opened) await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Sends a hand-written request and hangs up after `afterMs`, before the answer: what a client does to make
 * the server run a handler whose response nobody reads. The app stays listening (app.close() ends it).
 */
export async function hangUpRequest(app: INestApplication, text: string, afterMs: number): Promise<void> {
  const { port } = await listeningPort(app);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      setTimeout(() => { socket.destroy(); resolve(); }, afterMs);
    });
    socket.on('error', reject);
  });
}
