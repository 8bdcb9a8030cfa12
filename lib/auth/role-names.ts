import { ShieldConfigurationError } from '../options/shield-configuration.error.js';

/** Names that collide with Object.prototype members; never usable as roles. */
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype).concat(['prototype']));

export function assertValidRoleName(role: unknown, where: string): asserts role is string {
  if (typeof role !== 'string' || role.length === 0 || role.trim() !== role) {
    throw new ShieldConfigurationError(`${where}: role names must be non-empty strings without surrounding spaces (got ${JSON.stringify(role)})`);
  }
  if (RESERVED.has(role)) {
    throw new ShieldConfigurationError(`${where}: '${role}' is reserved and cannot be a role name`);
  }
}
