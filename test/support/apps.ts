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

/** Sends a hand-written HTTP/1.1 request (for what supertest cannot express) and returns the status. */
export async function rawRequest(app: INestApplication, text: string): Promise<{ status: number; raw: string }> {
  const server = app.getHttpServer() as Server;
  const listening = server.listening;
  if (!listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      let raw = '';
      socket.on('data', (chunk) => (raw += chunk));
      socket.on('end', () => resolve({ status: Number(raw.split(' ')[1]), raw }));
      socket.on('error', reject);
    });
  } finally {
    if (!listening) await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Sends a hand-written request and hangs up after `afterMs`, before the answer: what a client does to make
 * the server run a handler whose response nobody reads.
 */
export async function hangUpRequest(app: INestApplication, text: string, afterMs: number): Promise<void> {
  const server = app.getHttpServer() as Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      setTimeout(() => { socket.destroy(); resolve(); }, afterMs);
    });
    socket.on('error', reject);
  });
}
