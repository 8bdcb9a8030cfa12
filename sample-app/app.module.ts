import { Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ApiShieldModule, type ApiShieldOptions } from '../lib/index.js';
import { AdminController } from './admin/admin.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { MeController } from './me.controller.js';
import { CommentsService } from './products/comments.service.js';
import { ProductsController } from './products/products.controller.js';
import { ProxyController } from './proxy/proxy.controller.js';
import { UsersService } from './users/users.service.js';

/** The shield's options for the shop; `flows.store` switches to Redis with REDIS_URL. */
export function shopShieldOptions(env: NodeJS.ProcessEnv = process.env): ApiShieldOptions {
  return {
    jwt: {
      // A random per-process secret when none is configured: tokens die with the process.
      secret: env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      issuer: 'shop-api',
      audience: 'shop',
      expiresIn: '15m',
      algorithms: ['HS256'],
    },
    authorization: {
      defaultPolicy: 'authenticated',
      roleHierarchy: { admin: ['moderator'], moderator: ['user'] },
      rolesClaim: 'roles',
    },
    flows: {
      store: env.REDIS_URL ? { redis: env.REDIS_URL } : 'memory',
      onStoreError: 'deny',
    },
    http: {
      allowedHosts: ['example.com', 'api.trusted.com'],
      allowedProtocols: ['https:'],
      maxRedirects: 3,
      timeoutMs: 5_000,
      maxResponseBytes: 1024 * 1024,
    },
    onSecurityEvent: (event) => {
      if (env.SHIELD_LOG_EVENTS !== 'off') console.log(`[security] ${JSON.stringify(event)}`);
    },
  };
}

@Module({
  imports: [ApiShieldModule.forRoot(shopShieldOptions())],
  controllers: [AuthController, AdminController, MeController, ProductsController, ProxyController],
  providers: [UsersService, CommentsService],
})
export class AppModule {}
