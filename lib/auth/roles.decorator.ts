import { SetMetadata } from '@nestjs/common';
import { ROLES_KEY } from '../constants.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { assertValidRoleName } from './role-names.js';

/** The principal needs at least one of these roles (after hierarchy expansion). Handler overrides class. */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => {
  if (roles.length === 0) throw new ShieldConfigurationError('@Roles() needs at least one role');
  roles.forEach((role) => assertValidRoleName(role, '@Roles'));
  return SetMetadata(ROLES_KEY, Object.freeze([...roles]));
};
