import { jest } from '@jest/globals';
import { Controller, Delete, Get, Logger, Module, Post, Put, RequestMethod, VersioningType, Version, type INestApplication } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import {
  AcknowledgeFinding, ApiShieldModule, Authenticated, Public, Roles, RouteInventoryService, SensitiveFlow, type ApiShieldOptions,
} from '../../lib/index.js';
import { ADAPTERS, createApp } from '../support/apps.js';
import { TEST_SECRET } from '../support/tokens.js';

const shield = (extra: Partial<ApiShieldOptions> = {}) => ApiShieldModule.forRoot({
  jwt: { secret: TEST_SECRET, expiresIn: '15m' },
  authorization: { roleHierarchy: { admin: ['user'] } },
  inventory: { mode: 'off' }, audit: { mode: 'off' },
  ...extra,
});

@Roles('user')
class BaseController {
  @Get('inherited') inherited() { return 1; }
}

@Controller(['shop', 'store'])
class ShopController extends BaseController {
  @Public() @Get(['items', 'products']) items() { return []; }
  @Authenticated() @Post('items') create() { return 1; }
  @Roles('admin') @Delete('items/:id') remove() { return 1; }
  @Public() @SensitiveFlow({ name: 'login', limit: 5, windowMs: 60_000, by: 'ip' }) @Post('login') login() { return 1; }
}

@Controller('reports')
class ReportsController {
  @Authenticated() @Get() list() { return []; }
}

@Module({ controllers: [ReportsController] })
class ReportsModule {}

@Controller({ path: 'orders', version: '2' })
class OrdersV2Controller {
  @Roles('user') @SensitiveFlow({ limit: 5, windowMs: 60_000 }) @Post() create() { return 1; }
}

@Controller({ path: 'orders', version: '1' })
class OrdersV1Controller {
  @Authenticated() @Post() create() { return 1; }
  @Public() @Version('1') @Get('health') health() { return 1; }
}

@Controller('health')
class HealthController {
  @Public() @Get() health() { return 1; }
}

/** A module that does not import the shield: its routes are still listed. */
@Controller('legacy')
class LegacyController {
  @Put('thing') thing() { return 1; }
}
@Module({ controllers: [LegacyController] })
class LegacyModule {}

describe.each(ADAPTERS)('RouteInventoryService (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp({
      imports: [shield(), ReportsModule, LegacyModule, RouterModule.register([{ path: 'admin-area', module: ReportsModule }])],
      controllers: [ShopController, OrdersV1Controller, OrdersV2Controller, HealthController],
    }, adapter, (a) => {
      a.setGlobalPrefix('api', { exclude: [{ path: 'health', method: RequestMethod.GET }] });
      a.enableVersioning({ type: VersioningType.URI });
    });
  });
  afterAll(() => app.close());

  it('lists every route with the full path clients use and its protection', () => {
    const list = app.get(RouteInventoryService).list();
    const brief = list.map((r) => `${r.method} ${r.path} ${r.policy}${r.explicit ? '' : '*'} [${r.roles.join(',')}]`);
    expect(brief).toEqual(expect.arrayContaining([
      'GET /api/shop/items public []',
      'GET /api/shop/products public []',
      'GET /api/store/items public []',
      'POST /api/shop/items authenticated []',
      'DELETE /api/store/items/:id roles [admin]',
      'GET /api/shop/inherited roles [admin,user]',
      'GET /api/admin-area/reports authenticated []',
      'POST /api/v1/orders authenticated []',
      'POST /api/v2/orders roles [admin,user]',
      'GET /api/v1/orders/health public []',
      'GET /health public []',
      'PUT /api/legacy/thing authenticated* []',
    ]));
    const login = list.find((r) => r.path === '/api/shop/login');
    expect(login).toMatchObject({ controller: 'ShopController', handler: 'login', flows: [{ name: 'login', limit: 5, windowMs: 60_000, by: 'ip' }], guarded: true });
    expect(list.find((r) => r.path === '/api/v2/orders')?.version).toBe('2');
  });

  it('reports findings with codes and fixes', () => {
    const findings = app.get(RouteInventoryService).findings();
    const codes = findings.map((f) => `${f.code} ${f.route.split(' (')[0]}`);
    expect(codes).toEqual(expect.arrayContaining([
      'DEFAULT_POLICY PUT /api/legacy/thing',
      'ADMIN_PATH_WITHOUT_ROLES GET /api/admin-area/reports',
      'WEAKER_OLDER_VERSION POST /api/v1/orders',
    ]));
    expect(codes).not.toContain('PUBLIC_STATE_CHANGE POST /api/shop/login');
    expect(codes.filter((c) => c.includes('/api/shop/items') || c.includes('/health'))).toEqual([]);
    for (const f of findings) expect(f.fix.length).toBeGreaterThan(10);
  });
});

describe('inventory modes', () => {
  @Controller('admin')
  class AdminController {
    @Roles('admin') @Delete('delete-user/:id') remove() { return 1; }
  }
  @Controller('admin')
  class UnprotectedAdminController {
    @Delete('delete-user/:id') remove() { return 1; }
  }
  @Controller('hooks')
  class WebhookController {
    @Public() @Post('stripe') stripe() { return 1; }
    @Public() @Post('signup') signup() { return 1; }
  }
  @Controller('hooks')
  class AcknowledgedWebhookController {
    @Public() @AcknowledgeFinding('PUBLIC_STATE_CHANGE', 'Stripe webhook, verified by signature') @Post('stripe') stripe() { return 1; }
  }

  it('strict refuses to boot, naming the route, and boots once the route is fixed', async () => {
    await expect(createApp({ imports: [shield({ inventory: { mode: 'strict' } })], controllers: [UnprotectedAdminController] }, 'express'))
      .rejects.toThrow(/DEFAULT_POLICY DELETE \/admin\/delete-user\/:id \(UnprotectedAdminController\.remove\)[\s\S]*ADMIN_PATH_WITHOUT_ROLES/);
    const app = await createApp({ imports: [shield({ inventory: { mode: 'strict' } })], controllers: [AdminController] }, 'express');
    await app.close();
  });

  it('flags public state changes and unlimited auth flows; acknowledgement silences strict mode', async () => {
    const boot = createApp({ imports: [shield({ inventory: { mode: 'strict' } })], controllers: [WebhookController] }, 'express');
    const error = await boot.then(() => undefined, (e: Error) => e.message);
    expect(error).toMatch(/PUBLIC_STATE_CHANGE POST \/hooks\/stripe/);
    expect(error).toMatch(/AUTH_FLOW_WITHOUT_LIMIT POST \/hooks\/signup/);
    const app = await createApp({ imports: [shield({ inventory: { mode: 'strict' } })], controllers: [AcknowledgedWebhookController] }, 'express');
    expect(app.get(RouteInventoryService).findings()).toEqual([expect.objectContaining({ code: 'PUBLIC_STATE_CHANGE', acknowledged: 'Stripe webhook, verified by signature' })]);
    await app.close();
  });

  it('flags routes no shield guard protects with global: false', async () => {
    const app = await createApp({ imports: [shield({ global: false })], controllers: [AdminController] }, 'fastify');
    expect(app.get(RouteInventoryService).list()[0]).toMatchObject({ guarded: false });
    expect(app.get(RouteInventoryService).findings().map((f) => f.code)).toContain('UNGUARDED_ROUTE');
    await app.close();
  });

  it("warn logs the table and findings and boots; 'off' stays silent", async () => {
    const log = jest.spyOn(Logger.prototype, 'log');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const app = await createApp({ imports: [shield({ inventory: { mode: 'warn' } })], controllers: [UnprotectedAdminController] }, 'express');
      await app.close();
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/DELETE\s+\/admin\/delete-user\/:id\s+authenticated \(default\)/);
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/ADMIN_PATH_WITHOUT_ROLES/);
      log.mockClear(); warn.mockClear();
      const quiet = await createApp({ imports: [shield({ inventory: { mode: 'off' } })], controllers: [UnprotectedAdminController] }, 'express');
      await quiet.close();
      expect([...log.mock.calls, ...warn.mock.calls].map((c) => String(c[0])).join('\n')).not.toMatch(/routes and their protection|ADMIN_PATH_WITHOUT_ROLES/);
    } finally {
      log.mockRestore(); warn.mockRestore();
    }
  });
});
