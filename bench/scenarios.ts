import 'reflect-metadata';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Controller, Get, Module, UseGuards, type DynamicModule, type ExecutionContext, type INestApplication, type Type } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Agent } from 'node:http';
import { firstValueFrom } from 'rxjs';
import {
  ApiShieldModule, Public, Roles, SafeHttpService, SensitiveFlow, SensitiveFlowGuard, ShieldAuthGuard,
  type ApiShieldOptions,
} from '../lib/index.js';

export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const HIGH = 10_000_000; // never reached: every request does the full limiter work and is admitted
// A one-second window keeps each limiter's per-key log as long as one second of traffic, for both.
const WINDOW = 1_000;

export interface BenchEnv {
  redisUrl?: string;
  upstreamPort?: number;
}

const shield = (extra: Partial<ApiShieldOptions> = {}) => ApiShieldModule.forRoot({
  jwt: { secret: BENCH_SECRET, expiresIn: '1h' },
  inventory: { mode: 'off' }, audit: { mode: 'off' },
  ...extra,
});

@Controller() class BareController { @Get('r') r() { return { ok: true }; } }
/** A guard that does nothing: what Nest itself charges for having any guard on a route. */
class EmptyGuard { canActivate() { return true; } }
@Controller() class EmptyGuardController { @UseGuards(EmptyGuard) @Get('r') r() { return { ok: true }; } }
/** A guard that only reads the client address, as any per-IP limiter (ThrottlerGuard included) must. */
class IpReadingGuard { canActivate(context: ExecutionContext) { return typeof context.getArgByIndex(0).ip === 'string'; } }
@Controller() class IpReadingGuardController { @UseGuards(IpReadingGuard) @Get('r') r() { return { ok: true }; } }
@Controller() class AuthOnlyController { @UseGuards(ShieldAuthGuard) @Get('r') r() { return { ok: true }; } }
@Controller() class AuthRolesController { @Roles('user') @Get('r') r() { return { ok: true }; } }
@Controller() class AuthRolesFlowController {
  @Roles('user') @SensitiveFlow({ limit: HIGH, windowMs: WINDOW, by: 'user' }) @Get('r') r() { return { ok: true }; }
}
@Controller() class FlowOnlyController {
  @Public() @UseGuards(SensitiveFlowGuard) @SensitiveFlow({ limit: HIGH, windowMs: WINDOW, by: 'ip' }) @Get('r') r() { return { ok: true }; }
}

function proxyController(kind: 'safe' | 'plain', port: () => number): Type {
  @Controller()
  class ProxyController {
    constructor(private readonly http: Pick<HttpService, 'get'>) {}
    @Public() @Get('r') async r() {
      const res = await firstValueFrom(this.http.get(`http://127.0.0.1:${port()}/data`));
      return res.data;
    }
  }
  Reflect.defineMetadata('design:paramtypes', [kind === 'safe' ? SafeHttpService : HttpService], ProxyController);
  return ProxyController;
}

/** Each scenario: the module of one app, so every scenario runs in a process of its own. */
export const SCENARIOS: Record<string, (env: BenchEnv) => DynamicModule | Type> = {
  bare: () => moduleOf([BareController]),
  'empty guard': () => moduleOf([EmptyGuardController]),
  'guard reading req.ip': () => moduleOf([IpReadingGuardController]),
  'auth': () => moduleOf([AuthOnlyController], [shield({ global: false })]),
  'auth+roles': () => moduleOf([AuthRolesController], [shield()]),
  'auth+roles+flow(memory)': () => moduleOf([AuthRolesFlowController], [shield()]),
  'auth+roles+flow(memory), no RateLimit headers': () => moduleOf([AuthRolesFlowController], [shield({ flows: { rateLimitHeaders: false } })]),
  'auth+roles+flow(redis)': (env) => moduleOf([AuthRolesFlowController], [shield({ flows: { store: { redis: env.redisUrl as string, prefix: `bench-${process.pid}:` } } })]),
  'flow guard alone': () => moduleOf([FlowOnlyController], [shield({ global: false })]),
  'flow guard alone, no RateLimit headers': () => moduleOf([FlowOnlyController], [shield({ global: false, flows: { rateLimitHeaders: false } })]),
  'ThrottlerGuard alone': () => moduleOf([BareController], [ThrottlerModule.forRoot([{ ttl: WINDOW, limit: HIGH }])], [{ provide: APP_GUARD, useClass: ThrottlerGuard }]),
  'HttpService.get': (env) => moduleOf([proxyController('plain', () => env.upstreamPort as number)], [HttpModule.register({ proxy: false })]),
  'HttpService.get (keep-alive)': (env) => moduleOf([proxyController('plain', () => env.upstreamPort as number)], [HttpModule.register({ proxy: false, httpAgent: new Agent({ keepAlive: true }) })]),
  'SafeHttpService.get': (env) => moduleOf([proxyController('safe', () => env.upstreamPort as number)], [shield({
    global: false,
    http: { allowedProtocols: ['http:'], allowedPorts: 'any', allowedCidrs: ['127.0.0.1/32'] },
  })]),
};

function moduleOf(controllers: Type[], imports: any[] = [], providers: any[] = []): Type {
  @Module({ imports, controllers, providers })
  class BenchModule {}
  return BenchModule;
}

export async function startScenario(name: string, adapter: 'express' | 'fastify', port: number, env: BenchEnv): Promise<INestApplication> {
  const module = SCENARIOS[name](env);
  const app = adapter === 'fastify'
    ? await NestFactory.create(module, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(module, { logger: false });
  await app.listen(port, '127.0.0.1');
  return app;
}
