import { Controller, Delete, Module, Param } from '@nestjs/common';
import { execFileSync, spawnSync } from 'node:child_process';
import { ApiShieldModule } from '../../lib/index.js';
import { AuthController } from '../../sample-app/auth/auth.controller.js';
import { shopShieldOptions } from '../../sample-app/app.module.js';
import { MeController } from '../../sample-app/me.controller.js';
import { CommentsService } from '../../sample-app/products/comments.service.js';
import { ProductsController } from '../../sample-app/products/products.controller.js';
import { UsersService } from '../../sample-app/users/users.service.js';
import { createApp } from '../support/apps.js';

const CLI = 'dist/cli/main.js';

describe('inventory export command', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.sample.json'], { stdio: 'inherit' });
  }, 120_000);

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'inventory', ...args], { encoding: 'utf8', env: { ...process.env, SHIELD_LOG_EVENTS: 'off' } });

  it('prints the sample app inventory as JSON without listening, and exits 0 when nothing is open', () => {
    const result = run('dist-sample/sample-app/app.module.js', '--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { routes, findings } = JSON.parse(result.stdout);
    const brief = routes.map((r: any) => `${r.method} ${r.path} ${r.policy}`);
    expect(brief).toEqual([
      'DELETE /admin/delete-user/:id roles',
      'POST /auth/login public',
      'GET /health public',
      'GET /me authenticated',
      'POST /products/:id/comment roles',
      'GET /products/:id/comments public',
      'GET /proxy authenticated',
    ]);
    expect(findings).toEqual([]);
  });

  it('prints Markdown and a table, with a global prefix when asked', () => {
    const md = run('dist-sample/sample-app/app.module.js', '--format', 'md', '--prefix', 'api');
    expect(md.stdout).toContain('| DELETE | /api/admin/delete-user/:id | roles: admin | - | AdminController.deleteUser |');
    const table = run('dist-sample/sample-app/app.module.js');
    expect(table.stdout).toMatch(/POST\s+\/products\/:id\/comment\s+roles: admin\|moderator\|user\s+comment-rate 3\/600s by user; comment-per-product 1\/600s by user per params\.id/);
  });

  it('explains its usage on bad arguments', () => {
    expect(run().status).toBe(2);
    expect(run('dist-sample/sample-app/app.module.js', '--format', 'xml').status).toBe(2);
  });
});

describe('the sample app with @Roles removed from the admin route', () => {
  @Controller('admin')
  class CarelessAdminController {
    constructor(private readonly users: UsersService) {}
    @Delete('delete-user/:id') deleteUser(@Param('id') id: string) { this.users.delete(id); return { deleted: id }; }
  }

  it('fails to boot in strict mode, naming that route', async () => {
    @Module({
      imports: [ApiShieldModule.forRoot({ ...shopShieldOptions({}), inventory: { mode: 'strict' } })],
      controllers: [AuthController, CarelessAdminController, MeController, ProductsController],
      providers: [UsersService, CommentsService],
    })
    class CarelessAppModule {}
    await expect(createApp({ imports: [CarelessAppModule] }, 'express'))
      .rejects.toThrow(/DELETE \/admin\/delete-user\/:id \(CarelessAdminController\.deleteUser\)/);
  });
});
