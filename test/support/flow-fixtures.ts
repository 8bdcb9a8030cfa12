import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Public, SensitiveFlow, type ApiShieldOptions, type SecurityEvent } from '../../lib/index.js';
import { claims, forge, TEST_SECRET } from './tokens.js';

const MINUTE = 60_000;

@Controller('flows')
export class FlowsController {
  @SensitiveFlow({ limit: 5, windowMs: MINUTE, by: 'user' })
  @Post('attempt')
  attempt() { return { ok: true }; }

  /** Fails when asked to; waits a little so concurrent requests overlap inside the handler. */
  @SensitiveFlow({ limit: 5, windowMs: MINUTE, count: 'success' })
  @Post('success/:outcome')
  async success(@Param('outcome') outcome: string) {
    await new Promise((r) => setTimeout(r, 5));
    if (outcome === 'fail') throw new BadRequestException('no');
    return { ok: true };
  }

  /** Succeeds slowly, counting completions, so a client can hang up before the answer is written. */
  static slowCompletions = 0;
  @SensitiveFlow({ limit: 1, windowMs: MINUTE, count: 'success' })
  @Post('slow-success')
  async slowSuccess() {
    await new Promise((r) => setTimeout(r, 150));
    FlowsController.slowCompletions++;
    return { ok: true };
  }

  /** The pipe fails after the guard reserved the slot. */
  @SensitiveFlow({ limit: 1, windowMs: MINUTE, count: 'success' })
  @Get('parsed/:n')
  parsed(@Param('n', ParseIntPipe) n: number) { return { n }; }

  @Public()
  @SensitiveFlow({ limit: 2, windowMs: MINUTE, by: 'ip' })
  @Get('ip')
  ip() { return { ok: true }; }

  @Public()
  @SensitiveFlow({ limit: 2, windowMs: MINUTE, by: 'user-or-ip' })
  @Get('either')
  either() { return { ok: true }; }

  @SensitiveFlow({ limit: 1, windowMs: MINUTE, scope: 'query.sku', message: 'once per sku' })
  @Get('scoped')
  scoped(@Query('sku') sku: unknown) { return { sku }; }

  /** Written as HTTP spells it; Node lower-cases header names. */
  @SensitiveFlow({ limit: 1, windowMs: MINUTE, scope: 'headers.X-Tenant' })
  @Get('per-tenant')
  perTenant() { return { ok: true }; }

  @SensitiveFlow({ limit: 1, windowMs: MINUTE, scope: 'body.productId' })
  @Post('scoped-body')
  @HttpCode(200)
  scopedBody(@Body() body: unknown) { return body; }

  @SensitiveFlow({ name: 'shared-quota', limit: 3, windowMs: MINUTE })
  @SensitiveFlow({ name: 'per-item', limit: 1, windowMs: MINUTE, scope: 'params.id', message: 'per item' })
  @Post('stacked/:id')
  stacked() { return { ok: true }; }

  @SensitiveFlow({ name: 'sku-quota', limit: 5, windowMs: MINUTE })
  @SensitiveFlow({ name: 'per-sku', limit: 1, windowMs: MINUTE, scope: 'query.sku' })
  @Get('stacked-sku')
  stackedSku() { return { ok: true }; }

  @SensitiveFlow({ name: 'shared-quota', limit: 3, windowMs: MINUTE })
  @Post('also-shared')
  alsoShared() { return { ok: true }; }

  @Public()
  @SensitiveFlow({ limit: 100, windowMs: MINUTE, by: 'ip', automation: 'block' })
  @Get('human')
  human() { return { ok: true }; }

  @SensitiveFlow({ name: 'dup', limit: 3, windowMs: MINUTE })
  @SensitiveFlow({ name: 'dup', limit: 2, windowMs: MINUTE })
  @Post('duplicate')
  duplicate() { return { ok: true }; }

  /** One counter under two declarations that disagree on what counts: the stricter ('attempt') wins. */
  @SensitiveFlow({ name: 'mixed', limit: 2, windowMs: MINUTE })
  @SensitiveFlow({ name: 'mixed', limit: 2, windowMs: MINUTE, count: 'success' })
  @Post('mixed/:outcome')
  mixed(@Param('outcome') outcome: string) {
    if (outcome === 'fail') throw new BadRequestException('no');
    return { ok: true };
  }

  @Get('unlimited')
  unlimited() { return { ok: true }; }
}

@Controller('class-flow')
@SensitiveFlow({ limit: 1, windowMs: MINUTE, by: 'user' })
export class ClassFlowController {
  @Get('one') one() { return { ok: 1 }; }
  @Get('two') two() { return { ok: 2 }; }
}

/** Two controllers whose classes and methods share names. */
export function twinController(path: string) {
  @Controller(path)
  class TwinController {
    @SensitiveFlow({ limit: 1, windowMs: MINUTE })
    @Get('go')
    go() { return { path }; }
  }
  return TwinController;
}

export const FLOW_CONTROLLERS = [FlowsController, ClassFlowController, twinController('twin-a'), twinController('twin-b')];

export function flowOptions(store: ApiShieldOptions['flows'], events: SecurityEvent[] = [], extra: Partial<ApiShieldOptions> = {}): ApiShieldOptions {
  return {
    jwt: { secret: TEST_SECRET, issuer: 'test-api', audience: 'test' },
    flows: { detectAutomation: 'builtin', ...store },
    onSecurityEvent: (e) => { events.push(e); },
    inventory: { mode: 'off' }, audit: { mode: 'off' },
    ...extra,
  };
}

export const userToken = (sub: string) => ({ Authorization: `Bearer ${forge(claims({ sub }))}` });

