import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { Public, SensitiveFlow, TokenService } from '../../lib/index.js';
import { UsersService } from '../users/users.service.js';

@Controller('auth')
export class AuthController {
  constructor(private readonly users: UsersService, private readonly tokens: TokenService) {}

  /** Public, but a sensitive flow: 10 login attempts per IP per minute. */
  @Public()
  @SensitiveFlow({ name: 'login', limit: 10, windowMs: 60_000, by: 'ip', message: 'Too many login attempts. Try again later.' })
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { username?: unknown; password?: unknown }) {
    const user = this.users.verifyPassword(body?.username, body?.password);
    if (!user) throw new UnauthorizedException('Invalid credentials');
    return { access_token: this.tokens.issue({ id: user.id, roles: user.roles }) };
  }
}
