import { SetMetadata } from '@nestjs/common';
import { IS_AUTHENTICATED_KEY } from '../constants.js';

/** Any authenticated principal, stated explicitly (so the route no longer relies on `defaultPolicy`). */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(IS_AUTHENTICATED_KEY, true);
