import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../interfaces/principal.interface.js';

/** The authenticated principal `{ id, roles, claims }`, or one of its fields: `@CurrentUser('id')`. */
export const CurrentUser = createParamDecorator((field: keyof Principal | undefined, ctx: ExecutionContext) => {
  const user = ctx.switchToHttp().getRequest()?.user as Principal | undefined;
  return field && user ? user[field] : user;
});
