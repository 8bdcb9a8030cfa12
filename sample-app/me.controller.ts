import { Controller, Get } from '@nestjs/common';
import { Authenticated, CurrentUser, Public, type Principal } from '../lib/index.js';

@Controller()
export class MeController {
  /** Any authenticated user. */
  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id, roles: user.roles };
  }

  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
